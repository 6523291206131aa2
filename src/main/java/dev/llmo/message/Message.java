package dev.llmo.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One message of a conversation: who speaks and what, as an ordered list of parts. */
public record Message(Role role, List<Part> parts) {

    public Message {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
    }

    public static Message user(String text) {
        return new Message(Role.USER, List.of(new Part.Text(text)));
    }

    public static Message assistant(String text) {
        return new Message(Role.ASSISTANT, List.of(new Part.Text(text)));
    }

    /**
     * The text parts joined, without reasoning, refusals or anything else: what is printed as the answer. The answer
     * of a tool loop holds every round's parts, each round's after the tool results of the one before: the text of a
     * round that does not end its line is followed by a newline before the next round's, as {@code run} prints the
     * rounds on stdout; within one round the parts are joined as they came. One text part is returned as it is, and
     * several are joined into a string of their exact size: an answer may be many megabytes, and this is called more
     * than once per answer.
     */
    public String text() {
        return joined(false);
    }

    /**
     * The reasoning parts' text joined as {@link #text()} joins the text (a newline between rounds), or null when
     * there is none; an empty string for reasoning sent only in an opaque, redacted form.
     */
    public String reasoning() {
        for (Part part : parts) {
            if (part instanceof Part.Reasoning) {
                return joined(true);
            }
        }
        return null;
    }

    private String joined(boolean reasoning) {
        List<String> texts = new ArrayList<>(1);
        boolean newRound = false;
        boolean endsLine = true;
        for (Part part : parts) {
            String text = part instanceof Part.Text t && !reasoning ? t.text()
                    : part instanceof Part.Reasoning r && reasoning ? r.text() : null;
            if (part instanceof Part.ToolResult) {
                newRound = !texts.isEmpty();
            } else if (text != null && !text.isEmpty()) {
                if (newRound && !endsLine) {
                    texts.add("\n");
                }
                newRound = false;
                texts.add(text);
                endsLine = text.endsWith("\n");
            }
        }
        return texts.isEmpty() ? "" : texts.size() == 1 ? texts.get(0) : String.join("", texts);
    }

    /** The parts of one kind, in order. */
    public <P extends Part> List<P> parts(Class<P> kind) {
        List<P> found = new java.util.ArrayList<>();
        for (Part part : parts) {
            if (kind.isInstance(part)) {
                found.add(kind.cast(part));
            }
        }
        return java.util.Collections.unmodifiableList(found);
    }
}
