package dev.llmo.cli.repl;

import dev.llmo.config.ModelRef;
import dev.llmo.provider.ChatMessage;
import java.util.List;

/**
 * How many tokens the next request of a chat would carry, for {@code /tokens}. The exact counter of the context
 * package plugs in here; until then {@link #CHARS_PER_TOKEN} guesses.
 */
@FunctionalInterface
public interface TokenEstimator {
    /** About four characters per token, the usual rule of thumb for English text: an estimate, never exact. */
    TokenEstimator CHARS_PER_TOKEN = (model, system, messages) -> {
        long chars = system == null ? 0 : system.length();
        long tokens = (chars + 3) / 4;
        for (ChatMessage message : messages) {
            tokens += (message.content().length() + 3) / 4;
        }
        return new Estimate(tokens, false, "estimate: characters / 4 per message");
    };

    /** The tokens of the system prompt and {@code messages} as {@code model} would count them. */
    Estimate estimate(ModelRef model, String system, List<ChatMessage> messages);

    /** {@link #estimate(ModelRef, String, List)} with the declarations of the tools offered too. */
    default Estimate estimate(ModelRef model, String system, List<dev.llmo.provider.ToolDeclaration> tools,
                              List<ChatMessage> messages) {
        return estimate(model, system, messages);
    }

    /**
     * A count of tokens.
     *
     * @param exact  whether it is the model's own count, not a guess
     * @param method how it was counted, shown to the user
     */
    record Estimate(long tokens, boolean exact, String method) {
    }
}
