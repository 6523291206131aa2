package dev.llmo.core;

import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What a later request sends of an answer: one rule for the conversation's history, the replay that rebuilds it, and
 * the tool loop that sends the next round.
 */
public final class AnswerTurn {
    private AnswerTurn() {
    }

    /**
     * The assistant turn of an answer with {@code parts}, or null when there is nothing to send: its text; and when
     * it calls tools, also its tool calls and the reasoning before them, signatures and all, which providers require
     * back with the results. An answer without tool calls (or one cut off) is sent as its text alone, as it always was,
     * so old conversations replay unchanged.
     */
    public static ChatMessage of(List<Part> parts, boolean complete) {
        if (!callsTools(parts) || !complete) {
            // an answer may be many megabytes: its one text part is kept as it is, never copied
            String text = new Message(Role.ASSISTANT, parts).text();
            return text.isEmpty() ? null : ChatMessage.assistant(text);
        }
        List<Part> kept = new ArrayList<>();
        for (Part part : parts) {
            if (part instanceof Part.Text || part instanceof Part.Reasoning || part instanceof Part.ToolCall) {
                kept.add(part);
            }
        }
        return ChatMessage.assistant(kept);
    }

    /** A loop, not a stream: every call's answer comes here, and a stream's set-up on it took ~2 ms (ADR-003). */
    private static boolean callsTools(List<Part> parts) {
        for (Part part : parts) {
            if (part instanceof Part.ToolCall) {
                return true;
            }
        }
        return false;
    }
}
