package dev.llmo.provider;

import dev.llmo.message.Usage;
import dev.llmo.failure.LlmoException;
import java.time.Duration;

/** What a call reports while it runs, before its one {@code onComplete} or {@code onError}. */
public sealed interface StreamEvent {

    /** New answer text, to append to what came before. Never empty. */
    record TextDelta(String text) implements StreamEvent {
    }

    /** The token counts so far; a later one replaces an earlier one. */
    record UsageUpdate(Usage usage) implements StreamEvent {
    }

    /**
     * An attempt failed in a way worth retrying: the call waits {@code delay}, then tries again.
     *
     * @param retry  1 for the first retry
     * @param reason the failure of the attempt that is retried
     */
    record Retrying(int retry, Duration delay, LlmoException reason) implements StreamEvent {
    }
}
