package dev.llmo.provider;

import java.util.Locale;

/** Why the model stopped, normalised across providers (wire-formats.md section 7). */
public enum StopReason {
    /** It finished its answer (or hit a stop sequence). */
    END,
    /** It reached the output token limit: the answer is cut. */
    MAX_TOKENS,
    /** It wants a tool to be called. */
    TOOL_CALL,
    /** The model declined to answer (Anthropic {@code refusal}, an OpenAI {@code refusal} message). */
    REFUSED,
    /** A safety or content filter stopped the answer or blocked the prompt. */
    BLOCKED,
    /** The provider says the answer is not finished (Anthropic {@code pause_turn}, vLLM {@code abort}). */
    INCOMPLETE,
    /** Anything else the provider reports. */
    OTHER;

    /** The identifier written in JSON, e.g. {@code max_tokens}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
