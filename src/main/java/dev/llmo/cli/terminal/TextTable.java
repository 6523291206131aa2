package dev.llmo.cli.terminal;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of cells in columns two spaces apart, a heading first. On a terminal narrower than the table, the columns the
 * caller can spare are left out, least needed first, until the lines fit: a line wider than the terminal wraps, and
 * its cells then break in the middle (a price "$0.000" on one line and "042" on the next). Columns no caller can spare
 * (a model's id, which is copied from here) are never cut. Widths are the cells' terminal columns ({@link Columns}).
 */
public final class TextTable {
    private TextTable() {
    }

    /**
     * @param lines   the table's lines, without trailing blanks
     * @param omitted the headings of the columns left out to fit, in the order they were left out; empty when none was
     */
    public record Layout(List<String> lines, List<String> omitted) {
    }

    /**
     * @param rows         the heading and the rows, each as many cells as the heading
     * @param rightAligned per column, whether its cells are aligned right (numbers)
     * @param width        the terminal's columns, 0 for none (a pipe: every column, whatever the width)
     * @param spare        the columns that may be left out, least needed first
     */
    public static Layout layout(List<String[]> rows, boolean[] rightAligned, int width, int... spare) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], Columns.of(row[i]));
            }
        }
        boolean[] shown = new boolean[columns];
        java.util.Arrays.fill(shown, true);
        List<String> omitted = new ArrayList<>();
        for (int next = 0; width > 0 && next < spare.length && total(widths, shown) > width; next++) {
            shown[spare[next]] = false;
            omitted.add(rows.get(0)[spare[next]]);
        }
        List<String> lines = new ArrayList<>(rows.size());
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            boolean first = true;
            for (int i = 0; i < columns; i++) {
                if (!shown[i]) {
                    continue;
                }
                String spaces = " ".repeat(widths[i] - Columns.of(row[i]));
                line.append(first ? "" : "  ").append(rightAligned[i] ? spaces + row[i] : row[i] + spaces);
                first = false;
            }
            lines.add(line.toString().stripTrailing());
        }
        return new Layout(lines, List.copyOf(omitted));
    }

    /**
     * Says on {@code err} which columns {@code table} left out, if any, and where every column is to be had.
     *
     * @param whole the command that shows every column, e.g. {@code llmo models --json}
     */
    public static void omitted(java.io.PrintWriter err, Layout table, String whole) {
        if (!table.omitted().isEmpty()) {
            err.println("llmo: note: left out to fit the terminal: " + String.join(", ", table.omitted()) + " ("
                    + whole + " has every field)");
            err.flush();
        }
    }

    private static int total(int[] widths, boolean[] shown) {
        int total = -2;
        for (int i = 0; i < widths.length; i++) {
            total += shown[i] ? widths[i] + 2 : 0;
        }
        return total;
    }
}
