package dev.llmo.provider;

import java.util.Objects;

/** One turn of a conversation. The system prompt is not a message: it travels in {@link ChatRequest#system()}. */
public record ChatMessage(Role role, String content) {

    /** Who speaks. */
    public enum Role { USER, ASSISTANT }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    // Written out: a record's own equals and hashCode are linked through method handles on first use, which cost a
    // `llmo run` about 4% of its start-up (ADR-003); comparing turns is all a run does with them.
    @Override
    public boolean equals(Object other) {
        return other instanceof ChatMessage message && role == message.role && content.equals(message.content);
    }

    @Override
    public int hashCode() {
        return 31 * role.hashCode() + content.hashCode();
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
