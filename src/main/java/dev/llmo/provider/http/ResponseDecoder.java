package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads one wire format's answers: stream events, or a whole JSON body. One decoder per attempt. */
public interface ResponseDecoder {
    /** One server-sent event of a streamed answer. */
    void onEvent(SseEvent event, StreamSink sink);

    /** A whole answer: a non-streamed response, or a server that ignored {@code stream:true}. */
    void onBody(JsonNode body, StreamSink sink);
}
