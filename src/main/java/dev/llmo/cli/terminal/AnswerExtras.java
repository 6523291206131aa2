package dev.llmo.cli.terminal;

import dev.llmo.core.RunResult;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.provider.StopReason;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What an answer holds besides its text, shown to a person, never mixed into the answer on stdout: the reasoning on
 * stderr (dimmed when colour is on) as it streams, a refusal and each tool call the model made as one stderr line,
 * and the sources it cited as a numbered list after the answer: on stdout when it is a terminal, else on stderr (in a
 * pipe stdout is the answer alone). A tool call llmo did not run and the sources are shown whoever reads stderr: what
 * the model answered is never dropped for want of a terminal. Text from the model is made visible, not obeyed, on a
 * terminal.
 */
public final class AnswerExtras {
    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";
    private static final int TOOL_ARGUMENTS_SHOWN = 200;
    /** The least time between two progress lines of tools. */
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    private final PrintWriter err;
    private long lastProgress;
    private final Shown shown;
    /** Whether and at what width the reasoning breaks between words (a chat's screen), or null. */
    private final IntSupplier wrapWidth;
    /** A tool call's name as the tool lines show it ({@code fs.read_file}); the model's own name until told. */
    private volatile java.util.function.Function<Part.ToolCall, String> toolNames = TOOL_CALLS_OWN_NAME;
    private static final java.util.function.Function<Part.ToolCall, String> TOOL_CALLS_OWN_NAME =
            new java.util.function.Function<Part.ToolCall, String>() { // not a lambda: start-up (ADR-003)
                @Override
                public String apply(Part.ToolCall call) {
                    return call.name();
                }
            };
    private WordWrap reasoningWrap;
    private boolean reasoningOpen;
    private boolean reasoningEndsWithNewline = true;

    /**
     * What is shown where.
     *
     * @param reasoning      the reasoning (--reasoning, or by default when stderr is a terminal)
     * @param dim            dim the reasoning (colour on stderr)
     * @param stderrTerminal stderr is a terminal: the model's control characters are shown, not obeyed
     * @param notes          the lines of the tools llmo runs (a person watches stderr)
     * @param sources        the numbered source list (no --json): on stdout when it is a terminal, else on stderr
     * @param stdoutTerminal stdout is a terminal
     */
    public record Shown(boolean reasoning, boolean dim, boolean stderrTerminal, boolean notes, boolean sources,
                        boolean stdoutTerminal) {
        /** Nothing but the lines no answer goes without: a refusal, the tool calls llmo did not run. */
        public static final Shown NONE = new Shown(false, false, false, false, false, false);
    }

    /** @param err where the reasoning and the lines go (stderr; in a chat on a terminal, the screen) */
    public AnswerExtras(PrintWriter err, Shown shown) {
        this(err, shown, null);
    }

    /**
     * @param err       where the reasoning and the lines go
     * @param wrapWidth the width of the terminal {@code err} is, at which the reasoning breaks between words as a
     *                  chat's answers do; null: it is printed as it comes
     */
    public AnswerExtras(PrintWriter err, Shown shown, IntSupplier wrapWidth) {
        this.err = err;
        this.shown = shown;
        this.wrapWidth = wrapWidth;
    }

    /** {@code text} for the stream the extras go to: made visible when it is a terminal (a retry's server message). */
    public String stderrText(String text) {
        return TerminalText.forTerminal(text, shown.stderrTerminal());
    }

    /** A piece of streamed reasoning. */
    public void reasoning(String piece) {
        if (!shown.reasoning() || piece.isEmpty()) {
            return;
        }
        String visible = TerminalText.forTerminal(piece, shown.stderrTerminal());
        if (wrapWidth != null) {
            if (reasoningWrap == null) {
                reasoningWrap = new WordWrap(wrapWidth);
            }
            visible = reasoningWrap.take(visible);
        }
        printReasoning(visible);
        reasoningOpen = true;
        reasoningEndsWithNewline = piece.endsWith("\n");
    }

    private void printReasoning(String visible) {
        if (!visible.isEmpty()) {
            // dimmed piece by piece: an error line printed between two pieces must not come out dim
            err.print(shown.dim() ? DIM + visible + RESET : visible);
        }
    }

    /** The reasoning is over (the answer starts, or the call ended): its last line is ended and flushed. */
    public void endReasoning() {
        if (reasoningOpen) {
            if (reasoningWrap != null) {
                printReasoning(reasoningWrap.end());
                reasoningWrap = null;
            }
            if (!reasoningEndsWithNewline) {
                err.println();
            }
            err.flush();
            reasoningOpen = false;
            reasoningEndsWithNewline = true;
        }
    }

    /** The call waits for the network: what was printed on stderr is shown. */
    public void idle() {
        if (reasoningOpen) {
            err.flush();
        }
    }

    /** The whole reasoning of a call that did not stream it (a model of several), under {@code label}. */
    public void wholeReasoning(String label, Message answer) {
        String reasoning = answer.reasoning();
        if (!shown.reasoning() || reasoning == null || reasoning.isEmpty()) {
            return;
        }
        err.println("llmo: " + TerminalText.forTerminal(label, shown.stderrTerminal()) + " reasoning:");
        reasoning(reasoning);
        endReasoning();
    }

    /**
     * How the tool-call lines name a call's tool: by the name {@code -T} and the tool lines use, where the caller
     * knows it, rather than the one a wire format made of it ({@code fs_read_file}).
     */
    public void toolNames(java.util.function.Function<Part.ToolCall, String> names) {
        toolNames = names;
    }

    /**
     * After the answer: the refusal and the tool calls llmo did not run (always: they are what the model answered, and
     * without them a run could end with nothing on either stream), then, to a person, those it ran. A call that failed
     * shows no refusal line: its error line (a refusal ends the call as kind {@code refused}) says it.
     */
    public void afterAnswer(String label, Message answer, boolean failed) {
        endReasoning();
        String prefix = label == null ? "llmo: " : "llmo: " + TerminalText.forTerminal(label, shown.stderrTerminal())
                + ": ";
        for (Part.Refusal refusal : failed ? List.<Part.Refusal>of() : answer.parts(Part.Refusal.class)) {
            err.println(prefix + "the model refused: " + oneLine(refusal.text(), Integer.MAX_VALUE));
        }
        java.util.Set<String> answered = new java.util.HashSet<>();
        answer.parts(Part.ToolResult.class).forEach(result -> answered.add(result.callId()));
        for (Part.ToolCall call : answer.parts(Part.ToolCall.class)) {
            boolean ran = answered.contains(call.id());
            String outcome = ran ? " (run)" : call.id().isEmpty() ? "" : " (" + oneLine(call.id(), 80) + ")";
            // a single call's tools were shown as they ran; a model of several shows them here
            if (!ran || label != null && shown.notes()) {
                err.println(prefix + "tool call " + oneLine(toolNames.apply(call), 80) + " "
                        + oneLine(call.arguments(), TOOL_ARGUMENTS_SHOWN) + outcome);
            }
        }
        err.flush();
    }

    /**
     * The warning for an answer that stopped before its end without failing, or that is empty, or null: one plain line
     * (no colour), on stderr whoever reads it, since a script would otherwise take a cut answer for a whole one (every
     * request carries an output token limit), and an empty one would leave both streams silent.
     *
     * @param label the model, among several; null for the one answer
     */
    public static String stopNote(String label, RunResult result) {
        StopReason reason = result.stopReason();
        String note = reason == StopReason.MAX_TOKENS
                ? "the answer was cut at the output token limit; raise it with -o max_tokens=N"
                : reason == StopReason.INCOMPLETE ? "the provider says the answer is not finished (it paused or aborted "
                + "it)" : result.succeeded() && empty(result.answer()) ? "the model returned an empty answer (stop "
                + "reason: " + (reason == null ? "none" : reason.id()) + ")" : null;
        return note == null ? null : "llmo: " + (label == null ? "" : label + ": ") + "note: " + note;
    }

    /** Nothing to show: no text, no tool call, no refusal (reasoning alone is not an answer). */
    private static boolean empty(Message answer) {
        return answer.text().isEmpty() && answer.parts(Part.ToolCall.class).isEmpty()
                && answer.parts(Part.Refusal.class).isEmpty();
    }

    /** {@link #stopNote} on stderr, when there is one. */
    public void printStopNote(String label, RunResult result) {
        String note = stopNote(label == null ? null : TerminalText.forTerminal(label, shown.stderrTerminal()), result);
        if (note != null) {
            endReasoning();
            err.println(note);
            err.flush();
        }
    }

    /**
     * The text of a failed answer that was held back from stdout (one that broke its schema is not printed there, so
     * that no script takes it for the answer): on stderr, under a line naming it, so that the person sees what the
     * model said.
     */
    public void heldBack(String label, String text) {
        if (text.isEmpty()) {
            return;
        }
        endReasoning();
        err.println("llmo: " + (label == null ? "the answer" : "the answer of " + TerminalText.forTerminal(label,
                shown.stderrTerminal())) + ", not printed on stdout:");
        String visible = TerminalText.forTerminal(text, shown.stderrTerminal());
        err.print(visible.endsWith("\n") ? visible : visible + "\n");
        err.flush();
    }

    /** A tool the model called starts running: one line for the person watching. */
    public void toolRunning(String tool, Part.ToolCall call) {
        if (!shown.notes()) {
            return;
        }
        endReasoning();
        err.println("llmo: running " + oneLine(tool, 80) + " " + oneLine(call.arguments(), TOOL_ARGUMENTS_SHOWN));
        err.flush();
    }

    /** A running tool's progress report: one line for the person watching. */
    public void toolProgress(String tool, String line) {
        if (!shown.notes()) {
            return;
        }
        // a server may report progress without end: a person reads a few lines a second, not thousands
        long now = System.nanoTime();
        if (lastProgress != 0 && now - lastProgress < PROGRESS_INTERVAL_NANOS) {
            return;
        }
        lastProgress = now;
        err.println("llmo: " + oneLine(tool, 80) + ": " + oneLine(line, TOOL_ARGUMENTS_SHOWN));
        err.flush();
    }

    /** A tool call ended, or was refused: one line saying how, for the person watching. */
    public void toolDone(dev.llmo.core.RunEvent.ToolDone done) {
        if (!shown.notes()) {
            return;
        }
        endReasoning();
        Part.ToolResult result = done.result();
        String how;
        if (done.decidedBy() == null) {
            how = "not run: " + oneLine(result.content(), TOOL_ARGUMENTS_SHOWN);
        } else if (!done.ran()) {
            how = "refused (" + oneLine(done.decidedBy(), 120) + ")";
        } else {
            how = (result.isError() ? "failed: " + oneLine(result.content(), TOOL_ARGUMENTS_SHOWN)
                    : String.format(java.util.Locale.ROOT, "%,d chars", result.content().length()))
                    + String.format(java.util.Locale.ROOT, " in %.2f s", done.durationMs() / 1000.0);
        }
        err.println("llmo: " + oneLine(done.tool(), 80) + ": " + how);
        err.flush();
    }

    /**
     * The numbered list of the sources {@code answer} cites, after the answer: on {@code out} when stdout is a
     * terminal, else on stderr, so that a piped stdout stays the answer alone. A source cited twice is listed once.
     */
    public void sources(PrintWriter out, Message answer) {
        if (!shown.sources()) {
            return;
        }
        boolean onStdout = shown.stdoutTerminal();
        List<String> lines = sourceLines(answer, onStdout || shown.stderrTerminal());
        if (lines.isEmpty()) {
            return;
        }
        PrintWriter to = onStdout ? out : err;
        if (onStdout) {
            out.println(); // apart from the answer it follows on the same screen
        } else {
            endReasoning();
        }
        to.println("Sources:");
        lines.forEach(to::println);
        to.flush();
    }

    /** e.g. {@code [1] Paris - Wikipedia <https://en.wikipedia.org/wiki/Paris>}, one per distinct URL. */
    public static List<String> sourceLines(Message answer, boolean terminal) {
        Map<String, String> titles = new LinkedHashMap<>();
        for (Part.Citation citation : answer.parts(Part.Citation.class)) {
            titles.merge(citation.url(), citation.title() == null ? "" : citation.title(),
                    (old, next) -> old.isEmpty() ? next : old);
        }
        List<String> lines = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, String> source : titles.entrySet()) {
            String url = oneLine(source.getKey(), Integer.MAX_VALUE, terminal);
            String title = oneLine(source.getValue(), 200, terminal);
            lines.add("[" + ++n + "] " + (title.isEmpty() ? url : title + " <" + url + ">"));
        }
        return lines;
    }

    /** {@code text} on one line, at most {@code max} chars; its control characters made visible on stderr's terminal. */
    private String oneLine(String text, int max) {
        return oneLine(text, max, shown.stderrTerminal());
    }

    private static String oneLine(String text, int max, boolean terminal) {
        String flat = text.replaceAll("\\s*\\R\\s*", " ").strip();
        String cut = flat.length() <= max ? flat : flat.substring(0, max) + "…";
        return TerminalText.forTerminal(cut, terminal);
    }
}
