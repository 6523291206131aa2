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

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
