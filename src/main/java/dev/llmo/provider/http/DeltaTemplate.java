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
    /**
     * The two ends as UTF-8, for {@link SseParser} to find a data line that is this template with another text
     * without decoding it; null when either end holds a line end (data of several lines) or is not plain text.
     */
    private byte[] beforeBytes;
    private byte[] afterBytes;

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
        beforeBytes = lineBytes(before);
        afterBytes = beforeBytes == null ? null : lineBytes(after);
        if (afterBytes == null || afterBytes.length == 0 || afterBytes[0] != '"') {
            beforeBytes = null;
            afterBytes = null;
        }
    }

    /** {@code end} as UTF-8 when it can be one line's bytes (no CR, LF or lone surrogate), else null. */
    private static byte[] lineBytes(String end) {
        for (int i = 0; i < end.length(); i++) {
            char c = end.charAt(i);
            if (c == '\n' || c == '\r' || Character.isSurrogate(c)) {
                return null; // a surrogate pair would encode alike, but need not: left to the String reading
            }
        }
        return end.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether {@code before} and {@code after} are this template's ends (the very Strings, so it has not changed). */
    boolean isFrom(String before, String after) {
        return before == this.before && after == this.after;
    }

    /**
     * Where the line starting at {@code src[from]} ends (the index of its CR or LF, before {@code end}) when the line
     * is this template with another text, else -1. The text, {@code src[from + beforeLength(), lineEnd -
     * afterLength())}, is then printable ASCII without a quote or backslash: the decoded line is {@code before + text
     * + after} (the ends' bytes are their UTF-8 encoding, and ASCII bytes are never part of another character's), so
     * the text is the one {@link #text(String)} would find in it. Any other byte in the text leaves the line to the
     * String reading, which also knows what a malformed UTF-8 sequence decodes to.
     */
    int lineEnd(byte[] src, int from, int end) {
        byte[] head = beforeBytes;
        if (head == null || end - from < head.length + afterBytes.length + 1
                || !java.util.Arrays.equals(src, from, from + head.length, head, 0, head.length)) {
            return -1;
        }
        int quote = from + head.length;
        int limit = Math.min(end, quote + MAX_TEXT);
        // the first quote, backslash, control or non-ASCII byte (negative: over 0x7f)
        while (quote < limit) {
            byte b = src[quote];
            if (b == '"' || b == '\\' || b < 0x20) {
                break;
            }
            quote++;
        }
        int lineEnd = quote + afterBytes.length;
        if (quote == limit || src[quote] != '"' || lineEnd >= end || src[lineEnd] != '\n' && src[lineEnd] != '\r'
                || !java.util.Arrays.equals(src, quote, lineEnd, afterBytes, 0, afterBytes.length)) {
            return -1;
        }
        return lineEnd;
    }

    /** The template's ends as UTF-8, when {@link #lineEnd} can match (the parser copies them). */
    byte[] beforeBytes() {
        return beforeBytes;
    }

    byte[] afterBytes() {
        return afterBytes;
    }

    int beforeLength() {
        return beforeBytes.length;
    }

    int afterLength() {
        return afterBytes.length;
    }

    String before() {
        return before;
    }

    String after() {
        return after;
    }
}
