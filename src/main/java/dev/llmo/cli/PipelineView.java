package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The output of a pipeline ({@code --sequential}): the last step's answer streams to stdout as one model's would
 * (through a {@link RunRenderer}); the earlier steps are only reported on stderr, one line each, when usage is shown.
 * With {@code --json}, every step is one JSON object, in order, printed as it ends. A pipeline that stops before its
 * last step prints, when it stops, every step that ran as a parallel run's sections do: its answer under a header,
 * the failed step's with what arrived of it and an {@code error:} line; the answers were paid for, and stdout is
 * where a person looks for them.
 */
final class PipelineView implements MultiRunView {
    private final PrintWriter out;
    private final ToolCallNames toolNames = new ToolCallNames();
    private final PrintWriter err;
    private final RunRenderer last;
    /** The earlier steps' reasoning, refusals and tool calls, each under its step (their answers are not shown). */
    private final AnswerExtras extras;
    private final List<String> labels;
    private final boolean json;
    private final boolean showUsage;
    private final boolean showNotes;
    private final boolean terminal;
    /** The conversation's id as each line is printed: null while no file exists for it (nothing was sent). */
    private final Supplier<String> conversationId;

    /**
     * @param terminal stdout is a terminal: the answer's control characters are shown, not obeyed
     * @param extras   what is shown of the answers besides their text (each step's reasoning on stderr...)
     */
    PipelineView(PrintWriter out, PrintWriter err, List<String> labels, boolean json, boolean showUsage,
                 boolean showNotes, Supplier<String> conversationId, boolean terminal, AnswerExtras.Shown extras) {
        this.out = out;
        this.err = err;
        this.labels = List.copyOf(labels);
        this.json = json;
        this.showUsage = showUsage;
        this.showNotes = showNotes;
        this.conversationId = conversationId;
        this.terminal = terminal && !json;
        this.last = new RunRenderer(out, err, json, showUsage, showNotes, terminal && !json, extras);
        this.extras = new AnswerExtras(err, extras);
        this.extras.toolNames(toolNames);
    }

    private boolean isLast(int index) {
        return index == labels.size() - 1;
    }

    private String step(int index) {
        return "step " + (index + 1) + "/" + labels.size();
    }

    @Override
    public void content(RunEvent.OfCall event) {
        int index = event.call().index();
        toolNames.seen(event);
        if (event instanceof RunEvent.Retrying retrying) {
            retrying(index, retrying.retry(), retrying.delay(), retrying.reason());
        } else if (isLast(index)) {
            last.onEvent(event);
        }
    }

    private void retrying(int index, int retry, Duration delay, LlmoException reason) {
        if (showNotes) {
            err.println("llmo: " + step(index) + " " + extras.stderrText(labels.get(index) + ": "
                    + reason.getMessage()) + "; retry "
                    + retry + " in " + RunRenderer.seconds(delay.toMillis()));
            err.flush();
        }
    }

    @Override
    public void finished(int index, RunResult result) {
        if (isLast(index)) {
            last.conversation(conversationId.get());
            last.finish(result);
            return;
        }
        String label = step(index) + " " + labels.get(index);
        extras.wholeReasoning(label, result.answer());
        if (json) {
            out.println(RunRenderer.jsonLine(result, conversationId.get(), toolNames));
            out.flush();
        } else {
            extras.afterAnswer(label, result.answer(), !result.succeeded());
        }
        extras.printStopNote(label, result); // a cut answer is what the next step gets
        if (showUsage && (result.succeeded() || result.usage() != null)) {
            err.println("llmo: " + step(index) + " " + RunRenderer.usageLine(result)
                    + (result.succeeded() ? " → " + labels.get(index + 1) : ""));
            err.flush();
        }
    }

    @Override
    public void done(List<RunResult> results) {
        if (!json && results.size() < labels.size()) {
            sections(results);
        }
        out.flush();
    }

    /** The steps of a pipeline that stopped before its last, each under its header. */
    private void sections(List<RunResult> results) {
        for (int i = 0; i < results.size(); i++) {
            RunResult result = results.get(i);
            if (i > 0) {
                out.println();
            }
            out.println(AnswerSections.header(labels.get(i), false));
            String text = TerminalText.forTerminal(result.text(), terminal);
            if (!text.isEmpty()) {
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
            if (!result.succeeded()) {
                out.println(AnswerSections.errorLine(result, false, terminal));
            }
        }
    }
}
