package dev.llmo.cli.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Control characters shown as {@code cat -v} shows them, on a terminal only. */
class TerminalTextTest {
    private static final String HOSTILE = "red \u001b[31mRED\u001b[0m \u001b]0;title\u0007 end";

    @Test
    void everyControlButNewlineAndTabIsShownInCaretNotation() {
        assertThat(TerminalText.visible(HOSTILE)).isEqualTo("red ^[[31mRED^[[0m ^[]0;title^G end");
        assertThat(TerminalText.visible("a\r\u0000\u007f\u009b\u0080\u009fb\n\tc"))
                .isEqualTo("a^M^@^?M-^[M-^@M-^_b\n\tc");
        assertThat(TerminalText.visible("héllo ✓\n")).isEqualTo("héllo ✓\n");
    }

    @Test
    void forTerminalChangesNothingInAPipe() {
        assertThat(TerminalText.forTerminal(HOSTILE, false)).isEqualTo(HOSTILE);
        assertThat(TerminalText.forTerminal(HOSTILE, true)).doesNotContain("\u001b", "\u0007");
    }

    @Test
    void theWriterShowsWhatIsWrittenThroughItOnATerminalAndIsTheStreamItselfInAPipe() {
        StringWriter screen = new StringWriter();
        PrintWriter out = new PrintWriter(screen);
        PrintWriter shown = TerminalText.writer(out, true);

        shown.print("## Assistant\n\n");
        shown.println(HOSTILE);
        shown.write(new char[] {'x', 0x1b, '[', '2', 'J', 'y'}, 1, 4);

        shown.flush();
        assertThat(screen.toString()).isEqualTo("## Assistant\n\nred ^[[31mRED^[[0m ^[]0;title^G end"
                + System.lineSeparator() + "^[[2J");
        assertThat(TerminalText.writer(out, false)).isSameAs(out);
    }
}
