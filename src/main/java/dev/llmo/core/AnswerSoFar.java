package dev.llmo.core;

import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer as the listener was shown it, put together from a call's events: what a failed or stopped call keeps
 * (a cut stream, Ctrl-C). Pieces of the same kind that follow each other join into one part; tool-call pieces join
 * by their index, each call where its first piece came. Not thread-safe: one call's events come from one thread.
 */
final class AnswerSoFar {
    /** The parts in order: parts, and text or tool calls still growing until {@link #message()} builds them. */
    private final List<Object> parts = new ArrayList<>();
    private final Map<Integer, ToolCallSoFar> toolCalls = new TreeMap<>();
    /** The text part being added to, or null after a part of another kind. */
    private OpenText open;

    /** A text, reasoning or refusal part still growing. */
    private record OpenText(Class<? extends Part> kind, StringBuilder text) {
        Part part() {
            String s = text.toString();
            return kind == Part.Text.class ? new Part.Text(s)
                    : kind == Part.Reasoning.class ? Part.Reasoning.of(s) : new Part.Refusal(s);
        }
    }

    private static final class ToolCallSoFar {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    void add(RunEvent event) {
        if (event instanceof RunEvent.Text text) {
            append(Part.Text.class, text.text());
        } else if (event instanceof RunEvent.Reasoning reasoning) {
            append(Part.Reasoning.class, reasoning.text());
        } else if (event instanceof RunEvent.Refusal refusal) {
            append(Part.Refusal.class, refusal.text());
        } else if (event instanceof RunEvent.Citation citation) {
            close();
            parts.add(citation.citation());
        } else if (event instanceof RunEvent.ToolCallPiece piece) {
            ToolCallSoFar call = toolCalls.get(piece.index());
            if (call == null) {
                close();
                call = new ToolCallSoFar();
                toolCalls.put(piece.index(), call);
                parts.add(call);
            }
            if (piece.id() != null) {
                call.id = piece.id();
            }
            if (piece.name() != null) {
                call.name = piece.name();
            }
            call.arguments.append(piece.argumentsDelta());
        }
    }

    /** Whether anything of the answer came. */
    boolean isEmpty() {
        return parts.isEmpty();
    }

    private void append(Class<? extends Part> kind, String text) {
        if (open == null || open.kind() != kind) {
            open = new OpenText(kind, new StringBuilder());
            parts.add(open);
        }
        open.text().append(text);
    }

    private void close() {
        open = null;
    }

    /** The answer so far, as an assistant message. */
    Message message() {
        List<Part> built = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof OpenText text) {
                built.add(text.part());
            } else if (part instanceof ToolCallSoFar call) {
                // a call cut before its id or name came is still kept: what the model said is not dropped
                built.add(new Part.ToolCall(call.id == null ? "" : call.id, call.name == null ? "" : call.name,
                        call.arguments.toString()));
            } else {
                built.add((Part) part);
            }
        }
        return new Message(Role.ASSISTANT, built);
    }
}
