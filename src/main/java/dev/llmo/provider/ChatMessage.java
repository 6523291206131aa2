package dev.llmo.provider;

import dev.llmo.message.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One turn of a conversation as it is sent: who speaks and its parts in order (text; an assistant's reasoning with its
 * signature and its tool calls; a tool turn's results). The system prompt is not a message: it travels in
 * {@link ChatRequest#system()}.
 */
public record ChatMessage(Role role, List<Part> parts) {

    /** Who speaks. A {@code TOOL} turn holds only {@link Part.ToolResult}s, answering the assistant turn before it. */
    public enum Role { USER, ASSISTANT, TOOL }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
    }

    /** A turn of text alone. */
    public ChatMessage(Role role, String content) {
        this(role, List.of(new Part.Text(Objects.requireNonNull(content, "content"))));
    }

    /** The text parts joined (reasoning, tool calls and results left out): what a person reads as the turn. */
    public String content() {
        if (parts.size() == 1 && parts.get(0) instanceof Part.Text text) {
            return text.text();
        }
        StringBuilder joined = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Part.Text text) {
                joined.append(text.text());
            }
        }
        return joined.toString();
    }

    /** The parts of one kind, in order. */
    public <P extends Part> List<P> parts(Class<P> kind) {
        List<P> found = new ArrayList<>();
        for (Part part : parts) {
            if (kind.isInstance(part)) {
                found.add(kind.cast(part));
            }
        }
        return found;
    }

    // Written out: a record's own equals and hashCode are linked through method handles on first use, which cost a
    // `llmo run` about 4% of its start-up (ADR-003); text parts, all most turns have, are compared here directly.
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof ChatMessage message) || role != message.role || parts.size() != message.parts.size()) {
            return false;
        }
        for (int i = 0; i < parts.size(); i++) {
            Part mine = parts.get(i);
            Part theirs = message.parts.get(i);
            boolean same = mine instanceof Part.Text a && theirs instanceof Part.Text b ? a.text().equals(b.text())
                    : mine.equals(theirs);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * role.hashCode() + content().hashCode();
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    /** An assistant turn with every part the model sent (reasoning and its signature, text, tool calls). */
    public static ChatMessage assistant(List<Part> parts) {
        return new ChatMessage(Role.ASSISTANT, parts);
    }

    /** The results of the previous assistant turn's tool calls, in the order of its calls. */
    public static ChatMessage toolResults(List<Part.ToolResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("a tool turn needs at least one result");
        }
        return new ChatMessage(Role.TOOL, List.copyOf(results));
    }
}
