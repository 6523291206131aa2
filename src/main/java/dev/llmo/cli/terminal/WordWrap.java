package dev.llmo.cli.terminal;

import java.util.function.IntSupplier;
import org.jline.utils.WCWidth;

/**
 * Breaks streamed text between words at a terminal's width, for text shown without redrawing (a chat's reasoning):
 * a word is held until what follows it (a space, a line's end) shows where it ends, then printed on the row it fits
 * or at the start of the next. A word wider than the terminal is left to the terminal. The text must hold no
 * control sequences (it is {@link TerminalText#forTerminal made visible} first).
 */
public final class WordWrap {
    private final IntSupplier width;
    private int columns;
    private int column;
    private int spaces;
    private final StringBuilder word = new StringBuilder();
    private int wordColumns;

    /** @param width the terminal's width, asked once (0 or less: 80) */
    public WordWrap(IntSupplier width) {
        this.width = width;
    }

    /** What to print of {@code piece} now; the last word is held until its end is known. */
    public String take(String piece) {
        StringBuilder shown = new StringBuilder();
        for (int at = 0; at < piece.length(); ) {
            int cp = piece.codePointAt(at);
            at += Character.charCount(cp);
            if (cp == ' ') {
                place(shown);
                spaces++;
            } else if (cp == '\n') {
                place(shown);
                shown.append('\n');
                column = 0;
                spaces = 0;
            } else {
                word.appendCodePoint(cp);
                wordColumns += Math.max(0, WCWidth.wcwidth(cp));
            }
        }
        return shown.toString();
    }

    /** The held word, at the end of the text (its row is then known). */
    public String end() {
        StringBuilder shown = new StringBuilder();
        place(shown);
        spaces = 0;
        return shown.toString();
    }

    private void place(StringBuilder shown) {
        if (word.isEmpty()) {
            return;
        }
        int max = columns();
        if (column > 0 && column + spaces + wordColumns > max) {
            shown.append('\n');
            column = 0;
        } else {
            shown.append(" ".repeat(spaces));
            column += spaces;
        }
        shown.append(word);
        column += wordColumns;
        if (column > max) {
            column %= max; // a word wider than the terminal: the terminal wrapped it
        }
        spaces = 0;
        word.setLength(0);
        wordColumns = 0;
    }

    private int columns() {
        if (columns == 0) {
            columns = columnsOf(width);
        }
        return columns;
    }

    /**
     * The terminal's width, for text broken at it; ask it once per answer, not per piece: asking may run {@code stty}
     * (jline's exec terminal), which is too slow for every streamed piece and can fail while a signal arrives. A
     * failure, or no width, means the usual 80.
     */
    public static int columnsOf(IntSupplier width) {
        int asked;
        try {
            asked = width.getAsInt();
        } catch (RuntimeException | java.io.IOError e) {
            asked = 0;
        }
        return asked > 0 ? asked : 80;
    }
}
