package dev.llmo.provider.http;

import java.io.IOException;

/**
 * Has the JIT compile, before an answer streams, what a streamed answer runs through once per event or chunk: a long
 * answer's first few thousand events otherwise went through the interpreter, and through the JIT's bookkeeping of
 * each interpreted call (ADR-003, "Twenty-fifth round"). And sets up the JSON tree reader, which reads the events
 * that are not plain text (every stream's last ones: its stop, its usage) and whole answers: its first parse took
 * 0.8–1.0 ms of the call's thread, the next ones 0.13. Made-up input, read in memory by readers of its own: nothing
 * else changes. For the start-up's second thread, beside the main thread: a 20,000-token stream took ~3 ms less, a
 * one-token run the same within its noise.
 */
public final class StreamWarmup {
    private StreamWarmup() {
    }

    /** Reads a made-up stream's last event, a made-up stream of template events, and a made-up chunked body. */
    public static void run() throws IOException {
        Json.parse("{\"id\":\"x\",\"n\":1,\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":null}");
        SseParser.warm();
        LocalHttp.warmChunked();
    }
}
