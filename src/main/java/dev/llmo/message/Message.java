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
     * The text parts joined, without reasoning, refusals or anything else: what is printed as the answer. One text
     * part is returned as it is, and several are joined into a string of their exact size: an answer may be many
     * megabytes, and this is called more than once per answer.
     */
    public String text() {
        List<String> texts = new ArrayList<>(1);
        for (Part part : parts) {
            if (part instanceof Part.Text t) {
                texts.add(t.text());
            }
        }
        return texts.size() == 1 ? texts.get(0) : String.join("", texts);
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
