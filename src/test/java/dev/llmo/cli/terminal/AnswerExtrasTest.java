package dev.llmo.cli.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class AnswerExtrasTest {
    @Test
    void aServerReportingProgressWithoutEndGetsAFewLinesNotThousands() {
        StringWriter shown = new StringWriter();
        AnswerExtras extras = new AnswerExtras(new PrintWriter(shown),
                new AnswerExtras.Shown(false, false, true, true, false, false));

        for (int step = 0; step < 10_000; step++) {
            extras.toolProgress("h.echo", step + "/10000");
        }

        assertThat(shown.toString()).startsWith("llmo: h.echo: 0/10000\n");
        assertThat(shown.toString().lines().count()).as("one line a quarter second at most").isLessThan(10);
    }
}
