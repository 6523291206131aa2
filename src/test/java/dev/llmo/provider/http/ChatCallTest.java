package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a call reads an answer's media type, without OkHttp's parser. */
class ChatCallTest {
    @Test
    void theMediaTypeIsTypeAndSubtypeWithoutParameters() {
        assertThat(ChatCall.mediaType("text/event-stream")).isEqualTo("text/event-stream");
        assertThat(ChatCall.mediaType(" Text/Event-Stream ; charset=utf-8")).isEqualTo("Text/Event-Stream");
        assertThat(ChatCall.mediaType("application/json;charset=UTF-8")).isEqualTo("application/json");
        for (String none : new String[] {null, "", "json", "/json", "text/", "a/b/c", "text/event\u0001stream",
                "text/év"}) {
            assertThat(ChatCall.mediaType(none)).as(String.valueOf(none)).isNull();
        }
    }
}
