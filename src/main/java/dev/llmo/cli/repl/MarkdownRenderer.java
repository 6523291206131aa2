package dev.llmo.cli.repl;

import java.io.PrintWriter;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;

/**
 * Shows a streamed Markdown answer on a terminal. Text is printed as it arrives; when a line's newline arrives the
 * line is styled (headings bold, list bullets, quotes, inline {@code code} and bold), and redrawn in place when the
 * style changes how it looks. A code fence switches to code mode, whose lines are printed in the code colour from
 * their first character, so code never flickers. Unstyled, the text passes through untouched.
 */
public final class MarkdownRenderer {
    static final String RESET = "\u001b[0m";
    static final String BOLD = "\u001b[1m";
    static final String DIM = "\u001b[2m";
    static final String ITALIC = "\u001b[3m";
    static final String UNDERLINE = "\u001b[4m";
    static final String CODE = "\u001b[36m";
    private static final String CLEAR_TO_END = "\u001b[J";

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("^(\\s*)[-*+]\\s+(.*)$");
    private static final Pattern QUOTE = Pattern.compile("^>\\s?(.*)$");
    private static final Pattern RULE = Pattern.compile("^\\s*([-*_])(\\s*\\1){2,}\\s*$");
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`|\\*\\*(.+?)\\*\\*|__(.+?)__|\\*([^*\\s][^*]*?)\\*");

    private final PrintWriter out;
    private final boolean styled;
    private final IntSupplier width;
    private final StringBuilder line = new StringBuilder();
    private boolean code;
    private boolean wroteAnything;
    private boolean endsWithNewline = true;

    /**
     * @param styled whether to style (a terminal with colour); otherwise the text is written as it comes
     * @param width  the terminal's width in columns, to know how many rows a line took when it is redrawn
     */
    public MarkdownRenderer(PrintWriter out, boolean styled, IntSupplier width) {
        this.out = out;
        this.styled = styled;
        this.width = width;
    }

    /** A piece of the answer, as it arrived. */
    public void append(String text) {
        if (text.isEmpty()) {
            return;
        }
        wroteAnything = true;
        endsWithNewline = text.endsWith("\n");
        if (!styled) {
            out.print(text);
            return;
        }
        int from = 0;
        while (from <= text.length()) {
            int newline = text.indexOf('\n', from);
            String piece = newline < 0 ? text.substring(from) : text.substring(from, newline);
            if (!piece.isEmpty()) {
                out.print(code ? CODE + piece + RESET : piece);
                line.append(piece);
            }
            if (newline < 0) {
                break;
            }
            endLine();
            from = newline + 1;
        }
    }

    /** Shows what is buffered. */
    public void flush() {
        out.flush();
    }

    /** Ends the answer: the last line is styled and ended with a newline. */
    public void finish() {
        if (styled && !line.isEmpty()) {
            endLine();
        } else if (wroteAnything && !endsWithNewline) {
            out.println(); // the prompt must not be glued to the answer
        }
        endsWithNewline = true;
        out.flush();
    }

    /** True when some answer text was written. */
    public boolean wroteAnything() {
        return wroteAnything;
    }

    private void endLine() {
        String raw = line.toString();
        line.setLength(0);
        String shown = code ? CODE + raw + RESET : raw;
        String wanted = style(raw);
        if (!wanted.equals(shown) && !raw.isEmpty()) {
            redraw(raw, wanted);
        }
        out.print('\n');
    }

    // Back to the start of the rows the raw line took, clear them, and print the styled line.
    private void redraw(String raw, String wanted) {
        int columns = width.getAsInt() > 0 ? width.getAsInt() : 80;
        int used = Math.max(1, new AttributedString(raw).columnLength());
        int rows = (used + columns - 1) / columns;
        StringBuilder move = new StringBuilder("\r");
        if (rows > 1) {
            move.append("\u001b[").append(rows - 1).append('A');
        }
        out.print(move.append(CLEAR_TO_END).append(wanted));
    }

    /** The styled form of one whole line; switches code mode at a fence. */
    String style(String raw) {
        if (raw.stripLeading().startsWith("```")) {
            code = !code;
            return DIM + raw + RESET;
        }
        if (code) {
            return CODE + raw + RESET;
        }
        Matcher m = HEADING.matcher(raw);
        if (m.matches()) {
            String base = m.group(1).length() == 1 ? BOLD + UNDERLINE : BOLD;
            return base + inline(m.group(2), base) + RESET;
        }
        if (RULE.matcher(raw).matches()) {
            int columns = width.getAsInt() > 0 ? width.getAsInt() : 80;
            return DIM + "─".repeat(Math.min(columns, 40)) + RESET;
        }
        m = BULLET.matcher(raw);
        if (m.matches()) {
            return m.group(1) + "• " + inline(m.group(2), "");
        }
        m = QUOTE.matcher(raw);
        if (m.matches()) {
            return DIM + "│ " + RESET + ITALIC + inline(m.group(1), ITALIC) + RESET;
        }
        return inline(raw, "");
    }

    /** Inline code, bold and italic; after each span the line's own style ({@code base}) comes back. */
    private static String inline(String text, String base) {
        Matcher m = INLINE.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder styled = new StringBuilder();
        int at = 0;
        do {
            styled.append(text, at, m.start());
            if (m.group(1) != null) {
                styled.append(CODE).append(m.group(1));
            } else if (m.group(2) != null || m.group(3) != null) {
                styled.append(BOLD).append(m.group(2) != null ? m.group(2) : m.group(3));
            } else {
                styled.append(ITALIC).append(m.group(4));
            }
            styled.append(RESET).append(base);
            at = m.end();
        } while (m.find());
        return styled.append(text, at, text.length()).toString();
    }
}
