package dev.llmo.provider;

import dev.llmo.failure.CallError;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
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

    /**
     * The stop reason of a call that failed with {@code error}, or null: a refusal or a block is how the model (or the
     * provider's filter) ended the answer, a whole answer the user must not take for a success, not a cut one; every
     * other failure ended the call before the model said why it stopped.
     */
    public static StopReason ofFailure(LlmoException error) {
        if (error instanceof CallError call) {
            if (call.kind() == ErrorKind.REFUSED) {
                return REFUSED;
            }
            if (call.kind() == ErrorKind.BLOCKED) {
                return BLOCKED;
            }
        }
        return null;
    }

    /** The identifier written in JSON, e.g. {@code max_tokens}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
