package dev.llmo.provider.http;

/**
 * The last plain text delta of a stream, as a template for the next: servers send chunks that differ only in their
 * text (the same id, model, creation time and structure around it), so a chunk that is the template's text before
 * and after a text without a quote, a backslash or a control character is that chunk with this text, read without
 * scanning its JSON again. This is exact, not a guess: the bytes before the text are the template's up to the
 * string's opening quote, the first quote after them is the one that closed the template's string, and what follows
 * is the template's to its end; the text has nothing a JSON string would have to escape, so its value is itself.
 * Anything else returns null and the chunk is read in full. One per stream (a decoder's state).
 */
public final class DeltaTemplate {
    /** As {@link JsonScan}: a longer string is left to the full reading. */
    private static final int MAX_TEXT = 1 << 20;

    private String before;
    private String after;
    private String model;

    /** The text of {@code data} when it is the template with another plain text, else null. */
    public String text(String data) {
        if (before == null) {
            return null;
        }
        int from = before.length();
        int to = data.length() - after.length();
        if (to < from || to - from > MAX_TEXT || !data.startsWith(before) || !data.startsWith(after, to)) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = data.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                return null;
            }
        }
        return data.substring(from, to);
    }

    /** What the template's chunk said besides its text (OpenAI: the model), as {@link #remember} was told. */
    public String model() {
        return model;
    }

    /**
     * Makes {@code data}, a plain text delta whose text string's body is {@code data[textStart, textEnd)} (its quotes
     * just outside), the template; {@code model} is what its reading found besides the text.
     */
    public void remember(String data, int textStart, int textEnd, String model) {
        before = data.substring(0, textStart);
        after = data.substring(textEnd);
        this.model = model;
    }
}
