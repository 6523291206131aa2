package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads one wire format's answers: stream events, or a whole JSON body. One decoder per attempt. */
public interface ResponseDecoder {
    /** One server-sent event of a streamed answer. */
    void onEvent(SseEvent event, StreamSink sink);

    /** A whole answer: a non-streamed response, or a server that ignored {@code stream:true}. */
    void onBody(JsonNode body, StreamSink sink);

    /**
     * The answer ended without an error (its end marker or a stop reason came): the last chance to report it as a
     * failure (a refusal, a block, an answer of the wrong shape) instead of a success. Text already delivered stays
     * delivered.
     */
    default void onEnd(StreamSink sink) {
    }

    /**
     * The template of this stream's plain text deltas, which the SSE parser may use to read such an event without
     * decoding it ({@link SseEvent#templateText}); null when the decoder keeps none.
     */
    default DeltaTemplate template() {
        return null;
    }
}
