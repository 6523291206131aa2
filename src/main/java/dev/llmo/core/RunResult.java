package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Message;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one model call.
 *
 * @param answer     the assistant's message with every part it sent (text, reasoning, refusal, tool calls,
 *                   citations); when the call failed, the parts that arrived before the failure (possibly none)
 * @param stopReason why the model stopped; for a failed call, only when the model or the provider's filter ended the
 *                   answer ({@code refused}, {@code blocked}), otherwise null
 * @param usage      the tokens, or null when the provider reported none
 * @param costUsd    the price of the usage from models.yaml, or null when the price or the usage is unknown
 * @param ttftMs     milliseconds to the first text, or null when no text came
 * @param error      why the call failed, or null when it succeeded
 * @param json       for an answer asked to follow a schema and found to: its JSON value (a list for
 *                   {@code --schema-multi}) as compact JSON text, which is also the answer's text; null otherwise
 * @param requests   how many requests were sent for the call: 1 for one request, 0 when none left (refused by a
 *                   budget, no key); a tool loop's or a schema's retries count each one that was sent
 */
public record RunResult(ModelRef model, Message answer, StopReason stopReason, Usage usage, BigDecimal costUsd,
                        long latencyMs, Long ttftMs, LlmoException error, String json, int requests) {

    /** An answer with nothing in it: a call that failed before anything came. */
    public static final Message NO_ANSWER = new Message(Role.ASSISTANT, List.of());

    /** The outcome of a call whose answer is free text. */
    public RunResult(ModelRef model, Message answer, StopReason stopReason, Usage usage, BigDecimal costUsd,
                     long latencyMs, Long ttftMs, LlmoException error) {
        this(model, answer, stopReason, usage, costUsd, latencyMs, ttftMs, error, null, 1);
    }

    /** The outcome of one request sent, its answer following a schema when {@code json} is not null. */
    public RunResult(ModelRef model, Message answer, StopReason stopReason, Usage usage, BigDecimal costUsd,
                     long latencyMs, Long ttftMs, LlmoException error, String json) {
        this(model, answer, stopReason, usage, costUsd, latencyMs, ttftMs, error, json, 1);
    }

    public RunResult {
        Objects.requireNonNull(answer, "answer");
        if (answer.role() != Role.ASSISTANT) {
            throw new IllegalArgumentException("an answer is an assistant message");
        }
    }

    /** A call that failed with {@code error} before any of its answer came. */
    public static RunResult failedBeforeAnswer(ModelRef model, long latencyMs, LlmoException error) {
        return new RunResult(model, NO_ANSWER, null, null, null, latencyMs, null, error, null, 0);
    }

    /** The answer's text parts joined: what is printed as the answer. */
    public String text() {
        return answer.text();
    }

    public boolean succeeded() {
        return error == null;
    }

    /** This result ending with {@code failure} instead (the answer so far, its usage and cost kept). */
    RunResult failedWith(LlmoException failure) {
        return new RunResult(model, answer, null, usage, costUsd, latencyMs, ttftMs, failure, null, requests);
    }

    /** This failed result with {@code other} as its error: the same failure, with the fix of a caller that knows it. */
    public RunResult withError(LlmoException other) {
        if (error == null) {
            throw new IllegalStateException("a call that succeeded has no error to replace");
        }
        return new RunResult(model, answer, stopReason, usage, costUsd, latencyMs, ttftMs, other, json, requests);
    }
}
