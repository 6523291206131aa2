package dev.llmo.provider;

import dev.llmo.failure.LlmoException;
import java.util.Objects;

/**
 * The outcome of one row of a remote batch: its answer, read as a live answer is (parts, usage, stop reason), or why
 * there is none.
 *
 * @param customId the row's id, as submitted
 * @param response the answer when {@link Outcome#SUCCEEDED}; for a row that failed, what arrived of its answer all the
 *                 same (the text before a refusal, the refusal's words, the usage that is paid for), or null
 * @param error    why there is no answer (the provider's error for the row, a refusal or block, an expiry or cancel),
 *                 else null
 */
public record BatchResult(String customId, Outcome outcome, ChatResponse response, LlmoException error) {

    /** What became of a row. */
    public enum Outcome {
        SUCCEEDED, FAILED, EXPIRED, CANCELLED
    }

    public BatchResult {
        Objects.requireNonNull(customId, "customId");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.SUCCEEDED) != (error == null) || outcome == Outcome.SUCCEEDED && response == null) {
            throw new IllegalArgumentException("a batch result has an answer when it succeeded, else an error");
        }
    }

    public static BatchResult answered(String customId, ChatResponse response) {
        return new BatchResult(customId, Outcome.SUCCEEDED, response, null);
    }

    public static BatchResult failed(String customId, Outcome outcome, LlmoException error) {
        return failed(customId, outcome, error, null);
    }

    /** A row that failed after some of its answer arrived ({@code arrived}, or null when none did). */
    public static BatchResult failed(String customId, Outcome outcome, LlmoException error, ChatResponse arrived) {
        return new BatchResult(customId, outcome, arrived, error);
    }
}
