package dev.llmo.provider;

import dev.llmo.core.LlmoException;

/**
 * Receives one call: any number of {@link #onEvent} calls, then exactly one of {@link #onComplete} or
 * {@link #onError}. All calls come from one thread, in order.
 */
public interface StreamListener {

    void onEvent(StreamEvent event);

    void onComplete(ChatResponse response);

    /** The call failed: after retries, by a cut stream, an in-stream error, or cancellation. */
    void onError(LlmoException error);
}
