package dev.llmo.cli.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {
    private static final List<String[]> ROWS = List.of(
            new String[] {"MODEL", "ALIASES", "CONTEXT", "SOURCE"},
            new String[] {"openai/gpt-4o-mini", "4o-mini", "128,000", "built-in"},
            new String[] {"a/界", "", "8", "~/.config/llmo/models.yaml:3"});
    private static final boolean[] RIGHT = {false, false, true, false};

    @Test
    void everyColumnTwoSpacesApartWithNumbersAlignedRightAndNoTrailingBlanks() {
        TextTable.Layout table = TextTable.layout(ROWS, RIGHT, 0, 3, 1);

        assertThat(table.lines()).containsExactly(
                "MODEL               ALIASES  CONTEXT  SOURCE",
                "openai/gpt-4o-mini  4o-mini  128,000  built-in",
                "a/界                               8  ~/.config/llmo/models.yaml:3");
        assertThat(table.omitted()).isEmpty();
    }

    @Test
    void onANarrowTerminalTheSpareColumnsGoLeastNeededFirstUntilTheLinesFit() {
        TextTable.Layout wide = TextTable.layout(ROWS, RIGHT, 66, 3, 1);
        TextTable.Layout narrower = TextTable.layout(ROWS, RIGHT, 37, 3, 1);
        TextTable.Layout narrowest = TextTable.layout(ROWS, RIGHT, 20, 3, 1);

        assertThat(wide.omitted()).isEmpty();
        assertThat(narrower.omitted()).containsExactly("SOURCE");
        assertThat(narrower.lines()).allSatisfy(line -> assertThat(Columns.of(line)).isLessThanOrEqualTo(37));
        // what cannot be spared stays whole, wider than the terminal as it may be
        assertThat(narrowest.omitted()).containsExactly("SOURCE", "ALIASES");
        assertThat(narrowest.lines()).containsExactly("MODEL               CONTEXT", "openai/gpt-4o-mini  128,000",
                "a/界                      8");
    }

    @Test
    void theNoteNamesTheColumnsLeftOutAndWhereToFindThem() {
        StringWriter err = new StringWriter();
        TextTable.omitted(new PrintWriter(err), TextTable.layout(ROWS, RIGHT, 20, 3, 1), "llmo models --json");
        TextTable.omitted(new PrintWriter(err), TextTable.layout(ROWS, RIGHT, 0, 3, 1), "llmo models --json");

        assertThat(err).hasToString("llmo: note: left out to fit the terminal: SOURCE, ALIASES (llmo models --json "
                + "has every field)\n");
    }
}
