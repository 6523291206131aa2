package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The start-up's made-up stream must reach the methods it is there to warm: were it read another way (line by line,
 * or not de-chunked), it would warm the wrong code, silently.
 */
class StreamWarmupTest {
    @Test
    void theMadeUpEventsAreReadAsRuns() {
        // all but the first (which teaches the run its framing) and the last of each of the 64 pieces (which ends
        // with it)
        assertThat(SseParser.warm()).isEqualTo(575);
    }

    @Test
    void theMadeUpChunkedBodyIsReadWhole() throws Exception {
        assertThat(LocalHttp.warmChunked()).isEqualTo(400 * "data: {\"t\":\"x\"}\n\n".length());
    }
}
