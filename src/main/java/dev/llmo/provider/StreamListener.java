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

    void onComplete(ChatResponse response);

    /** The call failed: after retries, by a cut stream, an in-stream error, or cancellation. */
    void onError(LlmoException error);
}
