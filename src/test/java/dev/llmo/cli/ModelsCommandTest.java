package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelsCommandTest {
    /** On a terminal narrower than the table, the source goes first, then the aliases: never a model's id. */
    @Test
    void onANarrowTerminalTheTableFitsAndSaysWhatItLeftOut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
        CliRun.Result wide = CliRun.in(home).tty("o").env("COLUMNS", "200").env("NO_COLOR", "1").run("models");
        CliRun.Result narrow = CliRun.in(home).tty("o").env("COLUMNS", "90").env("NO_COLOR", "1").run("models");
        CliRun.Result piped = CliRun.in(home).env("COLUMNS", "90").run("models");

        assertThat(wide.out().lines().findFirst().orElseThrow()).endsWith("SOURCE");
        assertThat(wide.err()).isEmpty();
        assertThat(narrow.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(90))
                .anySatisfy(line -> assertThat(line).startsWith("openrouter/openai/gpt-4o-mini (default)"));
        assertThat(narrow.out()).doesNotContain("SOURCE", "ALIASES", "built-in");
        assertThat(narrow.err()).isEqualTo("llmo: note: left out to fit the terminal: SOURCE, ALIASES (llmo models "
                + "--json has every field)\n");
        assertThat(piped.out()).isEqualTo(wide.out());
    }

    @Test
    void countsAreGroupedByThousandsWithCommas() {
        assertThat(ModelsCommand.count(0L)).isEqualTo("0");
        assertThat(ModelsCommand.count(999L)).isEqualTo("999");
        assertThat(ModelsCommand.count(1_000L)).isEqualTo("1,000");
        assertThat(ModelsCommand.count(16_384L)).isEqualTo("16,384");
        assertThat(ModelsCommand.count(1_048_576L)).isEqualTo("1,048,576");
        assertThat(ModelsCommand.count(-123_456L)).isEqualTo("-123,456");
        assertThat(ModelsCommand.count(Long.MIN_VALUE)).isEqualTo("-9,223,372,036,854,775,808");
        assertThat(ModelsCommand.count(null)).isEqualTo("?");
    }
}
