package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.StopReason;
import dev.llmo.message.Usage;
import java.math.BigDecimal;

/**
 * The outcome of one model call.
 *
 * @param text       the answer; when the call failed, the part that arrived before the failure (possibly empty)
 * @param stopReason why the model stopped, or null when the call failed
 * @param usage      the tokens, or null when the provider reported none
 * @param costUsd    the price of the usage from models.yaml, or null when the price or the usage is unknown
 * @param ttftMs     milliseconds to the first text, or null when no text came
 * @param error      why the call failed, or null when it succeeded
 */
public record RunResult(ModelRef model, String text, StopReason stopReason, Usage usage, BigDecimal costUsd,
                        long latencyMs, Long ttftMs, LlmoException error) {

    public boolean succeeded() {
        return error == null;
    }
}
