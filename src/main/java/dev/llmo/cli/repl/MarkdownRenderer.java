package dev.llmo.cli.repl;

import dev.llmo.cli.terminal.WordWrap;
import java.io.PrintWriter;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;
import org.jline.utils.WCWidth;

/**
 * Shows a streamed Markdown answer on a terminal. Text is printed as it arrives; when a line's newline arrives the
 * line is styled (headings bold, list bullets, quotes, inline {@code code} and bold), and redrawn in place when the
 * style changes how it looks. A code fence switches to code mode, whose lines are printed in the code colour from
 * their first character, so code never flickers. Unstyled, the text passes through untouched.
 *
 * <p>On a terminal ({@code wrap}) long lines break at word boundaries, at the terminal's width: text shows as it
 * arrives, and a word that grows past the end of its row moves to the next one. A word wider than the terminal is
 * left to the terminal. A redrawn line is broken the same way, so it takes the same rows.
 */
public final class MarkdownRenderer {
    static final String RESET = "\u001b[0m";
    static final String BOLD = "\u001b[1m";
    static final String DIM = "\u001b[2m";
    static final String ITALIC = "\u001b[3m";
    static final String UNDERLINE = "\u001b[4m";
    static final String CODE = "\u001b[36m";
    private static final String CLEAR_TO_END = "\u001b[J";
    private static final String CLEAR_LINE = "\u001b[K";

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("^(\\s*)[-*+]\\s+(.*)$");
    private static final Pattern QUOTE = Pattern.compile("^>\\s?(.*)$");
    private static final Pattern RULE = Pattern.compile("^\\s*([-*_])(\\s*\\1){2,}\\s*$");
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`|\\*\\*(.+?)\\*\\*|__(.+?)__|\\*([^*\\s][^*]*?)\\*");

    private final PrintWriter out;
    private final boolean styled;
    private final IntSupplier width;
    private final boolean wrap;
    private final StringBuilder line = new StringBuilder();
    // with wrap: the word being received (not printed yet) and the column the cursor is in
    private final StringBuilder word = new StringBuilder();
    private int wordCols;
    private int wordStart;
    private int spaces;
    private int printedSpaces;
    private boolean movable;
    private int column;
    private int columns;
    private boolean code;
    private boolean wroteAnything;
    private boolean endsWithNewline = true;

    /**
     * @param styled whether to style (a terminal with colour); otherwise the text is written as it comes
     * @param width  the terminal's width in columns, to know how many rows a line took when it is redrawn
     */
    public MarkdownRenderer(PrintWriter out, boolean styled, IntSupplier width) {
        this(out, styled, width, false);
    }

    /** @param wrap whether to break long lines at word boundaries, at {@code width} (a terminal; never a pipe) */
    public MarkdownRenderer(PrintWriter out, boolean styled, IntSupplier width, boolean wrap) {
        this.out = out;
        this.styled = styled;
        this.width = width;
        this.wrap = wrap;
    }

    /** A piece of the answer, as it arrived. */
    public void append(String text) {
        if (text.isEmpty()) {
            return;
        }
        wroteAnything = true;
        endsWithNewline = text.endsWith("\n");
        if (wrap) {
            appendWrapped(text);
            return;
        }
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

    /**
     * Streams {@code text} with long lines broken between words. Each character shows at once; a word that grows
     * past the row's end is taken back (it is still on this row) and printed again at the start of the next.
     */
    private void appendWrapped(String text) {
        StringBuilder shown = new StringBuilder();
        int columns = columns();
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                wordCols = 0;
                spaces = 0; // spaces at the end of a line show nothing
                word.setLength(0);
                print(shown);
                if (styled) {
                    endLine();
                } else {
                    out.print('\n');
                }
                column = 0;
                return;
            }
            if (styled) {
                line.appendCodePoint(c);
            }
            if (c == ' ') {
                if (wordCols > 0) {
                    wordCols = 0;
                    word.setLength(0);
                }
                spaces++;
                return;
            }
            int cols = Math.max(0, WCWidth.wcwidth(c));
            if (wordCols == 0) {
                // a new word: after the spaces before it, or at the start of the next row when it cannot fit
                boolean breakBefore = column > 0 && column + spaces + cols > columns;
                wordStart = breakBefore ? 0 : column + spaces;
                shown.append(breakBefore ? "\n" : " ".repeat(spaces));
                // only a word after other text on its row moves; one that starts a row is left to the terminal
                movable = !breakBefore && column > 0;
                printedSpaces = breakBefore ? 0 : spaces;
                spaces = 0;
            } else if (movable && wordStart + wordCols + cols > columns) {
                // the word no longer fits on this row: take it (and its spaces) back, and start the next row with it
                // (back to the row's start and forward: a full row's cursor waits on its last column, where \b miscounts)
                shown.append("\r\u001b[").append(wordStart - printedSpaces).append('C').append(CLEAR_LINE)
                        .append('\n').append(word);
                wordStart = 0;
                printedSpaces = 0;
                movable = false;
            }
            word.appendCodePoint(c);
            wordCols += cols;
            shown.appendCodePoint(c);
            column = wordStart + wordCols > columns ? (wordStart + wordCols) % columns : wordStart + wordCols;
        });
        print(shown);
    }

    private void print(StringBuilder shown) {
        if (!shown.isEmpty()) {
            out.print(styled && code ? CODE + shown + RESET : shown.toString());
            shown.setLength(0);
        }
    }

    /**
     * What to print for a word of {@code cols} columns after {@code spaces} spaces when the cursor is at
     * {@code column[0]} (updated): the spaces and the word, or a line break and the word. The one rule that both
     * streaming and {@link #wrapped} follow, so that a redrawn line takes the rows the streamed one took.
     */
    private static String place(String piece, int cols, int spaces, int[] column, int columns) {
        String shown;
        if (column[0] > 0 && column[0] + spaces + cols > columns) {
            shown = "\n" + piece;
            column[0] = cols;
        } else {
            shown = " ".repeat(spaces) + piece;
            column[0] += spaces + cols;
        }
        if (column[0] > columns) {
            column[0] %= columns; // a word wider than the terminal: the terminal wraps it
        }
        return shown;
    }

    /** The terminal's width, asked once per answer ({@link WordWrap#columnsOf}). */
    private int columns() {
        if (columns == 0) {
            columns = WordWrap.columnsOf(width);
        }
        return columns;
    }

    /** {@code text} (one line, which may hold ANSI styles) broken at word boundaries as streaming breaks it. */
    static String wrapped(String text, int columns) {
        StringBuilder result = new StringBuilder();
        int[] column = {0};
        int spaces = 0;
        int at = 0;
        while (at < text.length()) {
            if (text.charAt(at) == ' ') {
                spaces++;
                at++;
                continue;
            }
            int end = text.indexOf(' ', at);
            end = end < 0 ? text.length() : end;
            String piece = text.substring(at, end);
            result.append(place(piece, AttributedString.fromAnsi(piece).columnLength(), spaces, column, columns));
            spaces = 0;
            at = end;
        }
        return result.toString();
    }

    /** Shows what is buffered. */
    public void flush() {
        out.flush();
    }

    /** Ends the answer: the last line is styled and ended with a newline. */
    public void finish() {
        if (wrap) {
            word.setLength(0);
            wordCols = 0;
            spaces = 0;
            column = 0;
        }
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
        int columns = columns();
        int rows = 0;
        for (String row : (wrap ? wrapped(raw, columns) : raw).split("\n", -1)) {
            int used = Math.max(1, new AttributedString(row).columnLength());
            rows += (used + columns - 1) / columns;
        }
        StringBuilder move = new StringBuilder("\r");
        if (rows > 1) {
            move.append("\u001b[").append(rows - 1).append('A');
        }
        out.print(move.append(CLEAR_TO_END).append(wrap ? wrapped(wanted, columns) : wanted));
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
            return DIM + "─".repeat(Math.min(columns(), 40)) + RESET;
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
