package dev.llmo.provider;

import dev.llmo.message.Message;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.util.Objects;

/**
 * A complete answer: the assistant's message with every part the provider sent (text, reasoning, refusal, tool
 * calls, citations), in order.
 *
 * @param model      the model that answered, as the provider names it (may differ from the one asked for)
 * @param message    the answer, an assistant message
 * @param stopReason why it stopped; {@link StopReason#OTHER} when the provider did not say
 * @param usage      the tokens, or null when the provider reported none
 */
public record ChatResponse(String model, Message message, StopReason stopReason, Usage usage) {
    public ChatResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stopReason, "stopReason");
        if (message.role() != Role.ASSISTANT) {
            throw new IllegalArgumentException("an answer is an assistant message");
        }
    }

    /** The answer text: the text parts only (what goes to stdout). */
    public String text() {
        return message.text();
    }
}
