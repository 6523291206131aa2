package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.chain.ChainDefinition;
import dev.llmo.chain.ChainRunner;
import dev.llmo.chain.ChainStep;
import dev.llmo.config.ModelRef;
import dev.llmo.core.CallId;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.cli.terminal.TerminalText;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Shows a chain run: progress per step on stderr when a person watches, the last step's answer on stdout
 * (streamed when the last step is a single call), or with {@code --json} one object per call with its step name.
 * Reasoning, refusals and tool calls go to stderr as {@link AnswerExtras} shows them (the streamed step's reasoning
 * as it comes, the other steps' whole as each call ends); the last answer's sources follow it on a terminal.
 */
final class ChainOutput implements RunListener {
    private final PrintWriter out;
    private final PrintWriter err;
    private final ToolCallNames toolNames = new ToolCallNames();
    private final boolean json;
    private final boolean progress;
    private final ChainDefinition chain;
    /** The step whose answer streams to stdout, or null. */
    private final ChainStep streamed;
    private final int steps;
    /** The iteration of the step running now (steps run one after another). */
    private int iteration;
    /** The ended calls of the step running now, by plan position, until those before them have ended too. */
    private RunResult[] ended = new RunResult[0];
    /** The plan position of the next call to show the end of. */
    private int nextEnded;
    /** The conversation's id as each line is printed: null while no file exists for it (nothing was sent). */
    private Supplier<String> conversationId = () -> null;
    private boolean printedStream;
    private boolean endsWithNewline = true;

    private final CliContext context;
    private final AnswerExtras extras;

    ChainOutput(CliContext context, ChainDefinition chain, boolean json, ReasoningOptions reasoning) {
        this.context = context;
        this.extras = new AnswerExtras(context.err(), reasoning.extras(context, json));
        this.extras.toolNames(toolNames);
        this.out = json ? context.jsonOut() : context.out();
        this.err = context.err();
        this.json = json;
        this.progress = context.environment().stderrIsTerminal();
        this.chain = chain;
        this.steps = chain.steps().size();
        ChainStep last = chain.steps().get(chain.steps().size() - 1);
        // A repeated or fanned-out last step has no single stream to show: its output is printed once at the end.
        this.streamed = !json && last.repeat() == null && !last.parallel() ? last : null;
    }

    void conversation(Supplier<String> id) {
        this.conversationId = id;
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.StepStarted started) {
            iteration = started.iteration();
            ended = new RunResult[started.models().size()];
            nextEnded = 0;
            stepStarted(started);
        } else if (event instanceof RunEvent.StepSkipped skipped) {
            stepSkipped(chain.steps().get(skipped.index()), skipped.index());
        } else if (event instanceof RunEvent.CallEnded end) {
            callEnded(end);
        } else if (streamed != null && event instanceof RunEvent.OfCall content
                && streamed.name().equals(content.call().step())) {
            streamedContent(content);
        }
    }

    /** Shows the ends of a step's calls in the order its models are listed, whatever order they end in. */
    private void callEnded(RunEvent.CallEnded end) {
        ended[end.call().index()] = end.result();
        ChainStep step = step(end.call());
        while (nextEnded < ended.length && ended[nextEnded] != null) {
            callFinished(step, ended[nextEnded++]);
        }
    }

    private ChainStep step(CallId call) {
        return chain.steps().stream().filter(s -> s.name().equals(call.step())).findFirst().orElseThrow();
    }

    private void stepStarted(RunEvent.StepStarted started) {
        if (progress) {
            err.println(context.stderrText("llmo: [" + (started.index() + 1) + "/" + steps + "] " + started.step()
                    + (started.iteration() > 1 ? " (again, " + started.iteration() + ")" : "") + " -> "
                    + started.models().stream().map(ModelRef::id).collect(Collectors.joining(", "))));
            err.flush();
        }
    }

    private void stepSkipped(ChainStep step, int index) {
        if (progress) {
            err.println(context.stderrText("llmo: [" + (index + 1) + "/" + steps + "] " + step.name()
                    + " skipped (" + step.whenSource() + " is false)"));
            err.flush();
        }
    }

    /** The streamed step's content, as it comes. */
    private void streamedContent(RunEvent.OfCall event) {
        if (event instanceof RunEvent.Reasoning reasoning) {
            extras.reasoning(reasoning.text());
        } else if (event instanceof RunEvent.Text text) {
            extras.endReasoning();
            out.print(context.stdoutText(text.text())); // on a terminal the model's control characters are shown
            printedStream = true;
            endsWithNewline = text.text().endsWith("\n");
        } else if (event instanceof RunEvent.ToolRunning || event instanceof RunEvent.ToolDone) {
            toolNames.seen(event);
            // each round's text ends its line before the next round's, as run prints the rounds and passes them on
            if (printedStream && !endsWithNewline) {
                out.println();
                endsWithNewline = true;
            }
        } else if (event instanceof RunEvent.Idle) {
            extras.idle();
            // a reader that went away (| head) ends the call, and so the chain: nobody reads what is still paid for
            StdoutWriter.requireWritten(out);
        }
    }

    private void callFinished(ChainStep step, RunResult result) {
        String label = step.name() + " " + result.model().id();
        if (step == streamed) {
            extras.endReasoning();
        } else {
            extras.wholeReasoning(label, result.answer());
        }
        if (!json) {
            extras.afterAnswer(label, result.answer(), !result.succeeded());
        }
        extras.printStopNote(label, result);
        if (json) {
            String line = RunRenderer.jsonLine(result, conversationId.get(), toolNames);
            out.println("{\"step\":" + quoted(step.name()) + ",\"iteration\":" + iteration + "," + line.substring(1));
            StdoutWriter.requireWritten(out); // the chain stops here when nobody reads its lines
        }
    }

    /**
     * The last answer, unless it already streamed. A chain that failed before its streamed step prints every call
     * that ran instead, each under a header as a parallel run's sections (the failed one with what arrived of it and
     * an {@code error:} line): the answers were paid for, and stdout is where a person looks for them.
     */
    void finish(ChainRunner.Outcome outcome) {
        if (!json && outcome.succeeded() && !printedStream) {
            out.print(context.stdoutText(outcome.output()));
            endsWithNewline = outcome.output().endsWith("\n");
            printedStream = !outcome.output().isEmpty();
        } else if (!json && !outcome.succeeded() && !printedStream) {
            sections(outcome);
        }
        if (printedStream && !endsWithNewline) {
            out.println();
        }
        out.flush();
        if (outcome.succeeded() && !outcome.calls().isEmpty()) {
            extras.sources(out, outcome.calls().get(outcome.calls().size() - 1).result().answer());
        }
    }

    private void sections(ChainRunner.Outcome outcome) {
        // a failure that was no call (a template that reads a field the answer lacks) is the error line's alone
        List<ChainRunner.StepCall> calls = outcome.calls();
        boolean terminal = context.environment().stdoutIsTerminal();
        for (int i = 0; i < calls.size(); i++) {
            RunResult result = calls.get(i).result();
            String step = calls.get(i).step();
            if (i > 0) {
                out.println();
            }
            out.println(AnswerSections.header(TerminalText.forTerminal(step + " " + result.model().id() + (calls.get(i).iteration() > 1 ? " #" + calls.get(i).iteration() : ""),
                    terminal), false));
            String text = TerminalText.forTerminal(result.text(), terminal);
            if (!text.isEmpty()) {
                out.print(text.endsWith("\n") ? text : text + "\n");
            }
            if (!result.succeeded()) {
                out.println(AnswerSections.errorLine(result, false, terminal));
            }
        }
    }

    private static String quoted(String text) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
    }
}
