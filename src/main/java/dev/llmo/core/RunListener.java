package dev.llmo.core;

import dev.llmo.failure.LlmoException;
import java.time.Duration;

/**
 * What the core reports while a run goes on, so that the command line can show it: the core never prints. Called
 * from the call's thread, in order.
 */
public interface RunListener {
    /** New answer text (streamed: as it arrives; otherwise the whole answer once). */
    void onText(String text);

    /** The call waits for the network: flush what {@link #onText} buffered. */
    default void onIdle() {
    }

    /** An attempt failed and will be retried after {@code delay}. */
    default void onRetry(int retry, Duration delay, LlmoException reason) {
    }
}
