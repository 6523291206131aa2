package dev.llmo.provider;

import dev.llmo.failure.LlmoException;

/**
 * Receives one call: any number of {@link #onEvent} calls, then exactly one of {@link #onComplete} or
 * {@link #onError}. All calls come from one thread, in order.
 */
public interface StreamListener {

    void onEvent(StreamEvent event);

    /**
     * Everything received so far has been reported and the call is about to wait for the network: the moment to
     * flush buffered output. One network read often holds many events, so flushing here rather than per event saves
     * a write per token without delaying anything the user could see.
     */
    default void onIdle() {
    }

    /**
     * The request went out on an open connection to the server (once per attempt): from here the provider may bill
     * it, even when no answer comes (a timeout, a cancel), so a budget counts it.
     */
    default void onSent() {
    }

    void onComplete(ChatResponse response);

    /** The call failed: after retries, by a cut stream, an in-stream error, or cancellation. */
    void onError(LlmoException error);
}
