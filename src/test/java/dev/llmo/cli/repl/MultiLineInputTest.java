package dev.llmo.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MultiLineInputTest {
    @Test
    void aTrailingBackslashContinuesAndIsTakenOut() {
        assertThat(MultiLineInput.incomplete("one \\")).isTrue();
        assertThat(MultiLineInput.incomplete("one \\\ntwo")).isFalse();
        assertThat(MultiLineInput.text("one \\\ntwo")).isEqualTo("one \ntwo");
        assertThat(MultiLineInput.text("one \\")).as("an input that ended before the line announced").isEqualTo("one ");
    }

    @Test
    void twoBackslashesAreALiteralBackslash() {
        assertThat(MultiLineInput.incomplete("C:\\\\")).isFalse();
        assertThat(MultiLineInput.text("C:\\\\")).isEqualTo("C:\\\\");
    }

    @Test
    void aTripleQuoteBlockRunsUntilItsClosingFence() {
        assertThat(MultiLineInput.incomplete("\"\"\"")).isTrue();
        assertThat(MultiLineInput.incomplete("\"\"\"\nline \\")).isTrue();
        assertThat(MultiLineInput.incomplete("\"\"\"\nline \\\n\"\"\"")).isFalse();
        assertThat(MultiLineInput.text("\"\"\"\nline \\\n  two\n\"\"\"")).isEqualTo("line \\\n  two");
        assertThat(MultiLineInput.text("\"\"\"inline\"\"\"")).isEqualTo("inline");
    }

    @Test
    void quotesInsideAMessageMeanNothing() {
        assertThat(MultiLineInput.incomplete("don't say \"\"\"")).isFalse();
        assertThat(MultiLineInput.text("don't say \"\"\"")).isEqualTo("don't say \"\"\"");
    }
}
