package dev.llmo.provider;

import dev.llmo.message.Usage;
import java.util.Objects;

/**
 * A complete answer.
 *
 * @param model      the model that answered, as the provider names it (may differ from the one asked for)
 * @param stopReason why it stopped; {@link StopReason#OTHER} when the provider did not say
 * @param usage      the tokens, or null when the provider reported none
 */
public record ChatResponse(String model, String text, StopReason stopReason, Usage usage) {
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(stopReason, "stopReason");
    }
}
