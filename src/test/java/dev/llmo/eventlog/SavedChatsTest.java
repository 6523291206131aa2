package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedChatsTest {
    @TempDir
    Path conversations;

    /** The logs are searched a buffer at a time: a save whose bytes straddle two buffers is still found. */
    @Test
    void aNameIsFoundWhereverItsEventFallsInTheLog() throws Exception {
        String marker = "\"" + SavedChats.EVENT + "\"";
        boolean straddled = false;
        for (int size = 64_400; size < 64_700 && !straddled; size += 3) {
            Path dir = Files.createDirectories(conversations.resolve("c" + size));
            Path file;
            try (EventLog log = EventLog.create(dir, new EventData.SessionStart("chat", RunMode.CHAT,
                    List.of("mock/a"), Sha256.of("config"), "0.1.0"))) {
                log.append(EventData.Message.user("x".repeat(size)));
                log.append(SavedChats.EVENT, JsonNodeFactory.instance.objectNode().put("name", "notes"));
                file = log.file();
            }
            int at = Files.readString(file).indexOf(marker);
            straddled = at < 64 * 1024 && at + marker.length() > 64 * 1024;
            assertThat(SavedChats.names(dir)).as("event at byte " + at).containsEntry("notes",
                    file.getFileName().toString().replace(".jsonl", ""));
        }
        assertThat(straddled).as("one of the logs put the event across the 64 KiB boundary").isTrue();
    }
}
