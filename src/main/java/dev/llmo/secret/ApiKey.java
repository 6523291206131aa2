package dev.llmo.secret;

import java.util.Objects;

/**
 * A resolved API key. {@link #toString()} never shows it, so that a key passed around in records cannot leak into a
 * log line or an error message by accident; only {@link #value()} reveals it, to the code that sends it.
 */
public final class ApiKey {
    private final String name;
    private final String value;

    public ApiKey(String name, String value) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The env var and vault entry name, e.g. {@code OPENAI_API_KEY}. */
    public String name() {
        return name;
    }

    /** The secret itself. */
    public String value() {
        return value;
    }

    /**
     * Why {@code value} cannot be sent as an HTTP header value, or null when it can. HTTP (and OkHttp, which throws
     * otherwise) allows only tab and printable ASCII; a key copied from a web page or a chat often carries a
     * typographic character ('…', a curly quote, a non-breaking space). The answer names the character's code and
     * position, never the key: e.g. {@code U+2026 at position 27: a pasted '…'?}.
     */
    public static String headerProblem(String value) {
        int position = 0;
        for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
            int c = value.codePointAt(i);
            position++;
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                return String.format("U+%04X at position %d%s", c, position, hint(c));
            }
        }
        return null;
    }

    private static String hint(int c) {
        return switch (c) {
            case 0x2026 -> ": a pasted '\u2026'?";
            case 0x2018, 0x2019, 0x201c, 0x201d -> ": a typographic quote?";
            case 0x00a0, 0x202f -> ": a non-breaking space?";
            case 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff -> ": an invisible character?";
            case '\r', '\n' -> ": a line break?";
            default -> c < 0x20 || c == 0x7f ? ": a control character?" : "";
        };
    }

    @Override
    public String toString() {
        return name + "=***";
    }
}
