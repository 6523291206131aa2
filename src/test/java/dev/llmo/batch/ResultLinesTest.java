package dev.llmo.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.EventData;
import dev.llmo.message.Part;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLinesTest {
    @TempDir
    Path dir;

    private static EventData.BatchRow row(long row, int model) {
        return new EventData.BatchRow(row, "r" + row, model, "p/m" + model, null, null,
                List.of(new Part.Text("answer " + row + "/" + model)), "end", null, null, 5, null, null, null, null,
                List.of());
    }

    private static List<String> rows(StringWriter text) {
        return text.toString().lines().map(line -> line.replaceAll(".*\"row\":(\\d+).*\"model\":\"p/m(\\d)\".*",
                "$1/$2")).toList();
    }

    @Test
    void aLineGoesOutOnceItAndEveryEarlierOneIsDoneInRowThenModelOrder() {
        StringWriter text = new StringWriter();
        ResultLines lines = new ResultLines(new PrintWriter(text), dir.resolve("none.jsonl"), 2, 6, position -> true);

        lines.done(row(0, 1));
        lines.done(row(1, 0));
        assertThat(text.toString()).isEmpty();
        lines.done(row(0, 0));
        assertThat(rows(text)).containsExactly("1/0", "1/1", "2/0");
        lines.done(row(2, 1));
        lines.done(row(2, 0));
        lines.done(row(1, 1));
        assertThat(rows(text)).containsExactly("1/0", "1/1", "2/0", "2/1", "3/0", "3/1");
    }

    @Test
    void theLinesAheadOfTheirTurnAreBoundedAndAGapStopsThemWithoutHolding() {
        StringWriter text = new StringWriter();
        long calls = ResultLines.HELD_LINES + 2;
        ResultLines lines = new ResultLines(new PrintWriter(text), dir.resolve("none.jsonl"), 1, calls, p -> true);

        for (long row = 1; row < ResultLines.HELD_LINES; row++) {
            lines.done(row(row, 0));
        }
        assertThat(lines.holding()).isFalse();
        lines.done(row(ResultLines.HELD_LINES, 0));
        assertThat(lines.holding()).as("full, and row 0 still to come").isTrue();
        assertThat(text.toString()).isEmpty();

        lines.done(row(0, 0));
        assertThat(lines.holding()).isFalse();
        assertThat(text.toString().lines()).hasSize(ResultLines.HELD_LINES + 1);

        // the last call ends without a line (refused by the budget): nothing after it could go out, nothing holds
        lines.missing(ResultLines.HELD_LINES + 1);
        assertThat(lines.holding()).isFalse();
    }

    @Test
    void aGapStopsTheLinesAfterItButThoseBeforeItStillGoOutWhenTheyAreDone() {
        StringWriter text = new StringWriter();
        ResultLines lines = new ResultLines(new PrintWriter(text), dir.resolve("none.jsonl"), 1, 8, p -> true);

        // rows 1, 2 and 4 end first; then row 3 is refused by the budget, and rows 0 and 5 end as the batch stops
        lines.done(row(1, 0));
        lines.done(row(2, 0));
        lines.done(row(4, 0));
        lines.missing(3);
        lines.done(row(5, 0));
        assertThat(text.toString()).isEmpty();
        lines.done(row(0, 0));

        // every call done before the gap is written, none after it (a resume writes them at their turn)
        assertThat(rows(text)).containsExactly("1/0", "2/0", "3/0");
        lines.missing(6);
        lines.done(row(6, 0));
        assertThat(rows(text)).containsExactly("1/0", "2/0", "3/0");
    }
}
