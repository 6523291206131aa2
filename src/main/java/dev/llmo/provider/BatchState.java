package dev.llmo.provider;

import java.util.Locale;

/** Where a remote batch is, in words common to the three services. */
public enum BatchState {
    /** Accepted, not started (OpenAI {@code validating}, Gemini {@code PENDING}). */
    QUEUED,
    /** Being answered. */
    RUNNING,
    /** Answered; the provider is writing the results (OpenAI {@code finalizing}). */
    FINALIZING,
    /** A cancel was asked for; the provider is stopping it. */
    CANCELLING,
    /** Ended: every row was answered or failed on its own. */
    COMPLETED,
    /** Ended without answering: the provider refused the batch as a whole. */
    FAILED,
    /** Ended at the provider's deadline (24 hours); what finished has results. */
    EXPIRED,
    /** Ended by a cancel; what finished has results. */
    CANCELLED;

    /** Whether the batch is over: its results can be fetched. */
    public boolean ended() {
        return this == COMPLETED || this == FAILED || this == EXPIRED || this == CANCELLED;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
