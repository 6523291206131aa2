package dev.llmo.eventlog;

import java.nio.file.Path;

/** A child process for {@link ConcurrentWritersTest}: appends COUNT messages to FILE, then exits. */
public final class AppendWorker {
    private AppendWorker() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String name = args[1];
        int count = Integer.parseInt(args[2]);
        try (EventLog log = EventLog.open(file)) {
            for (int i = 0; i < count; i++) {
                log.append(EventData.Message.user(name + " " + i));
            }
        }
    }
}
