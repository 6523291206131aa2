package dev.llmo.cli.repl;

import static dev.llmo.cli.repl.MarkdownRenderer.BOLD;
import static dev.llmo.cli.repl.MarkdownRenderer.CODE;
import static dev.llmo.cli.repl.MarkdownRenderer.RESET;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MarkdownRendererTest {
    private final StringWriter out = new StringWriter();

    private MarkdownRenderer renderer(boolean styled) {
        return new MarkdownRenderer(new PrintWriter(out), styled, () -> 20);
    }

    @Test
    void unstyledTextPassesThroughAndGetsAFinalNewline() {
        MarkdownRenderer renderer = renderer(false);
        renderer.append("# Title\n**b");
        renderer.append("old**");
        renderer.finish();

        assertThat(out.toString()).isEqualTo("# Title\n**bold**\n");
    }

    @Test
    void aHeadingSplitAcrossPiecesIsRedrawnStyledWhenItsNewlineArrives() {
        MarkdownRenderer renderer = renderer(true);
        renderer.append("# Ti");
        renderer.append("tle\nplain\n");

        // shown raw at once, then the line is cleared and redrawn styled
        assertThat(out.toString()).isEqualTo("# Title\r\u001b[J" + BOLD + "\u001b[4mTitle" + RESET + "\nplain\n");
    }

    @Test
    void aWrappedLineIsRedrawnFromItsFirstRow() {
        MarkdownRenderer renderer = renderer(true);
        renderer.append("a **long** line that wraps over two rows\n");

        assertThat(out.toString()).contains("\r\u001b[1A\u001b[J");
    }

    @Test
    void codeBlockLinesAreInTheCodeStyleFromTheirFirstCharacterAndMarkupInsideIsLeftAlone() {
        MarkdownRenderer renderer = renderer(true);
        renderer.append("```\nx = **y**\n```\n- item with `code`\n");

        assertThat(out.toString()).contains(CODE + "x = **y**" + RESET + "\n")
                .contains("• item with " + CODE + "code" + RESET);
    }

    @Test
    void styleOfSingleLines() {
        MarkdownRenderer renderer = renderer(true);

        assertThat(renderer.style("## Sub")).isEqualTo(BOLD + "Sub" + RESET);
        assertThat(renderer.style("  * nested")).isEqualTo("  • nested");
        assertThat(renderer.style("> quoted")).contains("│ ", "quoted");
        assertThat(renderer.style("---")).contains("─");
        assertThat(renderer.style("a *b* c")).isEqualTo("a " + MarkdownRenderer.ITALIC + "b" + RESET + " c");
        assertThat(renderer.style("2 * 3 * 4")).isEqualTo("2 * 3 * 4");
    }

    @Test
    void onATerminalLongLinesBreakBetweenWordsWhileTheyStream() {
        MarkdownRenderer renderer = new MarkdownRenderer(new PrintWriter(out), false, () -> 20, true);
        renderer.append("the quick brown fox");
        renderer.append(" jumps over the lazy dog\n  indented stays indented\n");
        renderer.append("supercalifragilisticexpialidocious word");
        renderer.finish();

        assertThat(out.toString()).isEqualTo("the quick brown fox\njumps over the lazy\ndog\n"
                // a word wider than the terminal is wrapped by the terminal: the next one follows where it ended
                // "ind" showed after "stays" until the word outgrew the row: taken back, and on the next row
                + "  indented stays ind\r\u001b[16C\u001b[K\nindented\nsupercalifragilisticexpialidocious word\n");
    }

    @Test
    void aWordShowsAsItArrivesAndMovesToTheNextRowWhenItOutgrowsThisOne() {
        MarkdownRenderer renderer = new MarkdownRenderer(new PrintWriter(out), false, () -> 12, true);
        renderer.append("Once upon");
        String first = out.toString();
        renderer.append("....");
        renderer.finish();

        assertThat(first).isEqualTo("Once upon");
        // "upon" and its space are taken back (still on the first row) and written at the start of the next
        assertThat(out.toString()).isEqualTo("Once upon...\r\u001b[4C\u001b[K\nupon....\n");
    }

    @Test
    void aStyledWrappedLineIsRedrawnOverItsRowsAndBrokenTheSameWay() {
        MarkdownRenderer renderer = new MarkdownRenderer(new PrintWriter(out), true, () -> 20, true);
        renderer.append("- a list item that is **long**\n");

        // streamed: two rows; redrawn: up one row, cleared, the styled line broken at the same place
        assertThat(out.toString()).isEqualTo("- a list item that i\r\u001b[18C\u001b[K\nis **long**\r\u001b[1A\u001b[J"
                + "• a list item that\nis " + BOLD + "long" + RESET + "\n");
    }

    @Test
    void wrappedKeepsStylesOutOfTheWidth() {
        assertThat(MarkdownRenderer.wrapped(BOLD + "bold" + RESET + " and more words", 10))
                .isEqualTo(BOLD + "bold" + RESET + " and\nmore words");
    }

    @Test
    void theWidthIsAskedOncePerAnswerAndAFailureToAskMeans80Columns() {
        int[] asked = {0};
        MarkdownRenderer renderer = new MarkdownRenderer(new PrintWriter(out), false, () -> {
            asked[0]++;
            throw new java.io.IOError(new java.io.IOException("stty interrupted"));
        }, true);
        for (int i = 0; i < 20; i++) {
            renderer.append("word ");
        }
        renderer.finish();

        assertThat(asked[0]).isEqualTo(1);
        assertThat(out.toString()).isEqualTo(("word ".repeat(16)).strip() + "\n" + ("word ".repeat(4)).strip() + "\n");
    }
}
