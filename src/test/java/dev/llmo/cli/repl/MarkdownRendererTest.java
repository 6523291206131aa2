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
}
