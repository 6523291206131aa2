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
        return terminal ? filtered(out, TerminalText::visible) : out;
    }

    /**
     * {@code line} of JSON with DEL and the C1 controls escaped (<code>&#92;u007f</code>, <code>&#92;u009b</code>):
     * JSON escapes only U+0000 to U+001F, and a C1 CSI (U+009B) starts an escape sequence as ESC [ does. Outside its
     * strings JSON is printable ASCII, so each such character is inside a string, where the escape decodes to the same
     * character.
     */
    public static String json(String line) {
        int n = line.length();
        int i = 0;
        while (i < n && !isHighControl(line.charAt(i))) {
            i++;
        }
        if (i == n) {
            return line;
        }
        StringBuilder out = new StringBuilder(n + 8).append(line, 0, i);
        for (; i < n; i++) {
            char c = line.charAt(i);
            if (isHighControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code out} itself when not {@code terminal}; else a writer that passes JSON through {@link #json}, for
     * {@code --json} output: a script that reads it from a pipe gets the bytes unchanged, a person at a terminal gets
     * the same JSON without a control sequence the terminal would act on. Flushing, closing and errors as
     * {@link #writer}.
     */
    public static PrintWriter jsonWriter(PrintWriter out, boolean terminal) {
        return terminal ? filtered(out, TerminalText::json) : out;
    }

    private static PrintWriter filtered(PrintWriter target, java.util.function.UnaryOperator<String> filter) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) {
                // a piece may end inside a surrogate pair: no control character is one, so cutting there is safe
                target.write(filter.apply(new String(buffer, offset, length)));
            }

            @Override
            public void flush() {
                target.flush();
            }

            @Override
            public void close() {
                target.flush();
            }
        }, true) {
            @Override
            public boolean checkError() {
                // the command checks the writer it printed to; the failure is marked on target
                return super.checkError() || target.checkError();
            }
        };
    }

    private static boolean isControl(char c) {
        return c < 0x20 && c != '\n' && c != '\t' || isHighControl(c);
    }

    private static boolean isHighControl(char c) {
        return c >= 0x7f && c <= 0x9f;
    }
}
