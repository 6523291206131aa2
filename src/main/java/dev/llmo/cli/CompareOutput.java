package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code --compare} when stdout is not a terminal: nothing until every model has ended, then every answer under a
 * header with its stats, and the comparison table.
 */
final class CompareOutput implements MultiRunView {
    private final PrintWriter out;
    private final PrintWriter err;
    private final List<String> labels;
    private final boolean showNotes;
    private final AnswerExtras extras;

    /** @param extras each model's reasoning, refusal and tool calls, on stderr before the answers */
    CompareOutput(PrintWriter out, PrintWriter err, List<String> labels, boolean showNotes, AnswerExtras extras) {
        this.extras = extras;
        this.out = out;
        this.err = err;
        this.labels = List.copyOf(labels);
        this.showNotes = showNotes;
    }

    @Override
    public synchronized void content(RunEvent.OfCall event) {
        if (showNotes && event instanceof RunEvent.Retrying retrying) {
            err.println("llmo: " + extras.stderrText(labels.get(event.call().index()) + ": "
                    + retrying.reason().getMessage())
                    + "; retry " + retrying.retry() + " in " + RunRenderer.seconds(retrying.delay().toMillis()));
            err.flush();
        }
    }

    @Override
    public synchronized void done(List<RunResult> results) {
        AnswerSections.printExtras(extras, labels, results);
        AnswerSections.printAll(out, labels, results, false, false, extras);
        out.println();
        CompareTable.lines(labels, results).forEach(out::println);
        out.flush();
    }
}
