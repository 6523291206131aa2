package dev.llmo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Drains a process's output on its own thread, so that a full pipe never blocks it; readable while it runs. */
public final class StreamDrain {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread thread;

    public StreamDrain(InputStream in) {
        thread = new Thread(() -> {
            byte[] buffer = new byte[4096];
            int n;
            try {
                while ((n = in.read(buffer)) != -1) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        thread.start();
    }

    /** What has arrived so far. */
    public String soFar() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Everything, once the stream ends (at most 10 s after the process did). */
    public String text() throws InterruptedException {
        thread.join(10_000);
        return soFar();
    }
}
