package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The output of a fan-out for a pipe: each answer under a header line naming its model (or, with {@code --json},
 * one JSON object per model), in plan order, whatever order the models answer in. The first unfinished model in
 * plan order streams live; the others are held until every model before them has ended, then printed at once. So a
 * pipe sees text as early as the order allows, and sections never interleave.
 */
final class OrderedOutput implements MultiRunView {
    private final PrintWriter out;
    private final PrintWriter err;
    private final ToolCallNames toolNames = new ToolCallNames();
    private final List<String> labels;
    private final boolean json;
    private final boolean showNotes;
    /** The conversation's id as each line is printed: null while no file exists for it (nothing was sent). */
    private final Supplier<String> conversationId;
    private final StringBuilder[] held;
    private final RunResult[] results;
    /** Whether any of each call's text came as it streamed (an answer that broke its schema never does). */
    private final boolean[] streamed;
    /** Per call: its tools ran since its last text; and whether that text ended its line. */
    private final boolean[] roundEnded;
    private final boolean[] lineEnded;
    private final AnswerExtras extras;
    private int head;
    private boolean headerShown;
    private boolean endsWithNewline = true;

    /**
     * @param showNotes retry notices on stderr (a person is watching)
     * @param extras    each model's reasoning, refusal and tool calls on stderr as it ends
     */
    OrderedOutput(PrintWriter out, PrintWriter err, List<String> labels, boolean json, boolean showNotes,
                  Supplier<String> conversationId, AnswerExtras extras) {
        this.extras = extras;
        extras.toolNames(toolNames);
        this.out = out;
        this.err = err;
        this.labels = List.copyOf(labels);
        this.json = json;
        this.showNotes = showNotes;
        this.conversationId = conversationId;
        this.held = new StringBuilder[labels.size()];
        for (int i = 0; i < held.length; i++) {
            held[i] = new StringBuilder();
        }
        this.results = new RunResult[labels.size()];
        this.streamed = new boolean[labels.size()];
        this.roundEnded = new boolean[labels.size()];
        this.lineEnded = new boolean[labels.size()];
    }

    @Override
    public synchronized void content(RunEvent.OfCall event) {
        int index = event.call().index();
        if (event instanceof RunEvent.Text text) {
            if (roundEnded[index] && streamed[index] && !lineEnded[index] && !text.text().isEmpty()) {
                text(index, "\n"); // each round's text on a line of its own, as run prints the rounds
            }
            roundEnded[index] = false;
            text(index, text.text());
        } else if (event instanceof RunEvent.ToolRunning || event instanceof RunEvent.ToolDone) {
            toolNames.seen(event);
            roundEnded[index] = true;
        } else if (event instanceof RunEvent.Idle) {
            idle(index);
        } else if (event instanceof RunEvent.Retrying retrying) {
            retrying(index, retrying.retry(), retrying.delay(), retrying.reason());
        }
    }

    private void text(int index, String text) {
        if (json) {
            return;
        }
        streamed[index] = true;
        if (!text.isEmpty()) {
            lineEnded[index] = text.endsWith("\n");
        }
        if (index == head) {
            showHeader();
            print(text); // flushed in idle(), when the call waits for more
        } else {
            held[index].append(text);
        }
    }

    private void idle(int index) {
        if (index == head) {
            // a reader that went away (| head) stops the whole run: nobody reads what is still paid for
            StdoutWriter.requireWritten(out);
        }
    }

    private void retrying(int index, int retry, Duration delay, LlmoException reason) {
        if (showNotes) {
            err.println("llmo: " + extras.stderrText(labels.get(index) + ": " + reason.getMessage()) + "; retry "
                    + retry + " in "
                    + RunRenderer.seconds(delay.toMillis()));
            err.flush();
        }
    }

    @Override
    public synchronized void finished(int index, RunResult result) {
        results[index] = result;
        if (!json && !result.succeeded() && !streamed[index]) {
            // text that failed without being streamed (it broke its schema) is shown in its section, above the error
            // line, as the comparison and the live view show a failed call's text
            text(index, result.text());
        }
        // the reasoning of several models cannot stream to one stderr: each model's comes whole as it ends
        extras.wholeReasoning(labels.get(index), result.answer());
        if (!json) {
            extras.afterAnswer(labels.get(index), result.answer(), !result.succeeded());
        }
        extras.printStopNote(labels.get(index), result);
        while (head < results.length && results[head] != null) {
            if (json && conversationId.get() == null && !allEnded()) {
                // no request has left yet, but one still may: the line waits to name the conversation rightly
                break;
            }
            RunResult done = results[head];
            if (json) {
                out.println(RunRenderer.jsonLine(done, conversationId.get(), toolNames));
            } else {
                showHeader();
                if (!endsWithNewline) {
                    out.println();
                }
                if (!done.succeeded()) {
                    out.println(AnswerSections.errorLine(done, false));
                }
            }
            head++;
            headerShown = false;
            endsWithNewline = true;
            if (!json && head < results.length) {
                showHeader(); // the next model is live now: what it has said so far, then the rest as it comes
            }
        }
        out.flush();
    }

    private boolean allEnded() {
        for (RunResult result : results) {
            if (result == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void done(List<RunResult> all) {
        out.flush();
    }

    private void showHeader() {
        if (headerShown) {
            return;
        }
        headerShown = true;
        if (head > 0) {
            out.println();
        }
        out.println(AnswerSections.header(labels.get(head), false));
        if (held[head].length() > 0) {
            print(held[head].toString());
            held[head].setLength(0);
        }
    }

    private void print(String text) {
        if (text.isEmpty()) {
            return;
        }
        out.print(text);
        endsWithNewline = text.endsWith("\n");
    }
}
