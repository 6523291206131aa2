package dev.llmo.message;

/**
 * Makes the text of parts well-formed UTF-16, the one place that does: what a provider sends, as the answer
 * assembler takes it, and what the engine shows. A lone surrogate (which a server can send as {@code "\ud800"} in a
 * JSON string) becomes U+FFFD, the replacement character, so that the user, the event log and the next request all
 * see the same text (UTF-8 cannot encode a lone surrogate: stdout would show one thing, the log another, or
 * nothing). A high surrogate at the end of a piece is held back until the next piece, so that a pair split across
 * two stream events stays one character. Not thread-safe: one per stream of text.
 */
public final class WellFormedText {
    private char pendingHigh;

    /** The well-formed text of {@code piece}, possibly without its last char (held for the next piece). */
    public String next(String piece) {
        StringBuilder out = null;
        int n = piece.length();
        int start = 0;
        if (pendingHigh != 0) {
            out = new StringBuilder(n + 1);
            if (n > 0 && Character.isLowSurrogate(piece.charAt(0))) {
                out.append(pendingHigh).append(piece.charAt(0));
                start = 1;
            } else {
                out.append('\uFFFD');
            }
            pendingHigh = 0;
        }
        for (int i = start; i < n; i++) {
            char c = piece.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n).append(piece, 0, i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == n) {
                    pendingHigh = c;
                } else if (Character.isLowSurrogate(piece.charAt(i + 1))) {
                    out.append(c).append(piece.charAt(++i));
                } else {
                    out.append('\uFFFD');
                }
            } else {
                out.append('\uFFFD');
            }
        }
        return out == null ? piece : out.toString();
    }

    /**
     * {@link #next} of a piece known to be ASCII, which holds no surrogate: only a high surrogate held back from the
     * previous piece changes it. A streamed answer's text passes here once per network read, too few times for the
     * JIT to compile {@code next}'s loop: this spares the interpreted pass over every char.
     */
    public String nextAscii(String piece) {
        return pendingHigh == 0 ? piece : next(piece);
    }

    /** What is still held back at the end of the stream: U+FFFD for a high surrogate that no low one followed. */
    public String end() {
        if (pendingHigh == 0) {
            return "";
        }
        pendingHigh = 0;
        return "\uFFFD";
    }

    /** {@code text} with every lone surrogate replaced by U+FFFD. */
    public static String of(String text) {
        if (text == null) {
            return null;
        }
        WellFormedText fixer = new WellFormedText();
        String fixed = fixer.next(text);
        String tail = fixer.end();
        return tail.isEmpty() ? fixed : fixed + tail;
    }
}
