package dev.llmo.cli.terminal;

import org.jline.utils.WCWidth;

/**
 * Text measured in a terminal's columns rather than chars: an East Asian wide character or an emoji takes two, a
 * combining mark none. A line cut by its chars to fit the width still wrapped when it held such text, and a view that
 * redraws its lines in place (the multi-model live view) then filled the screen with copies. The text must hold no
 * control characters ({@link TerminalText#visible} first).
 */
public final class Columns {
    private Columns() {
    }

    /** The columns {@code text} takes. */
    public static int of(String text) {
        int columns = 0;
        for (int at = 0; at < text.length(); ) {
            int cp = text.codePointAt(at);
            at += Character.charCount(cp);
            columns += width(cp);
        }
        return columns;
    }

    /** {@code text} in at most {@code max} columns: its start, ending in "…" where it was cut. */
    public static String cut(String text, int max) {
        if (of(text) <= max) {
            return text;
        }
        if (max <= 0) {
            return "";
        }
        int used = 0;
        int at = 0;
        while (at < text.length()) {
            int cp = text.codePointAt(at);
            if (used + width(cp) > max - 1) {
                break;
            }
            used += width(cp);
            at += Character.charCount(cp);
        }
        return text.substring(0, at) + "…";
    }

    /** {@code text} in at most {@code max} columns: its end, after "…" where it was cut. */
    public static String tail(String text, int max) {
        if (of(text) <= max) {
            return text;
        }
        if (max <= 0) {
            return "";
        }
        int used = 0;
        int at = text.length();
        while (at > 0) {
            int cp = text.codePointBefore(at);
            if (used + width(cp) > max - 1) {
                break;
            }
            used += width(cp);
            at -= Character.charCount(cp);
        }
        return "…" + text.substring(at);
    }

    private static int width(int cp) {
        return Math.max(0, WCWidth.wcwidth(cp));
    }
}
