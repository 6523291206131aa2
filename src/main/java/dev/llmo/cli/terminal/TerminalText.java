package dev.llmo.cli.terminal;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * Text from a server made harmless for a terminal. An answer or an error message can hold control sequences
 * (ESC [ ... to move the cursor, rewrite the screen, set the window title, or hide text; OSC 52 to fill the
 * clipboard): on a terminal every control character other than newline and tab is shown the way {@code cat -v}
 * shows it: C0 controls in caret notation ({@code ESC} as {@code ^[}, carriage return as {@code ^M}, NUL as
 * {@code ^@}), DEL as {@code ^?}, the C1 controls U+0080 to U+009F as {@code M-^@} to {@code M-^_}. In a pipe
 * or a file the bytes pass unchanged: they are the answer.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} with its control characters made visible (see the class comment). */
    public static String visible(String text) {
        if (text == null) {
            return null;
        }
        int n = text.length();
        int i = 0;
        while (i < n && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder out = new StringBuilder(n + 8).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == 0x7f) {
                out.append("^?");
            } else if (c < 0x20) {
                out.append('^').append((char) (c + 0x40));
            } else {
                out.append("M-^").append((char) (c - 0x80 + 0x40));
            }
        }
        return out.toString();
    }

    /** {@code text} made visible when {@code terminal}, else unchanged. */
    public static String forTerminal(String text, boolean terminal) {
        return terminal ? visible(text) : text;
    }

    /**
     * {@code out} itself when not {@code terminal}; else a writer that makes everything written through it visible,
     * for output made of text from a server, a model or a file as a whole (an export, a chain's answer): none of it
     * is llmo's own escape sequence. Flushing or closing it flushes {@code out}, and a failed write marks {@code out}
     * (its {@code checkError}), where the command looks for it. A line printed through it is flushed.
     */
    public static PrintWriter writer(PrintWriter out, boolean terminal) {
        if (!terminal) {
            return out;
        }
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) {
                // a piece may end inside a surrogate pair: no control character is one, so cutting there is safe
                out.write(visible(new String(buffer, offset, length)));
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                out.flush();
            }
        }, true);
    }

    private static boolean isControl(char c) {
        return c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f;
    }
}
