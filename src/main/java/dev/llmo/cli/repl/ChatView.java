package dev.llmo.cli.repl;

import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.cli.terminal.AnswerExtras;
import java.io.PrintWriter;
import dev.llmo.core.RunResult;

/**
 * Where a chat session shows things: a terminal (prompts, colours, Markdown) or plain streams (scripted chat).
 * The loop and the slash commands only talk to this, so both modes behave alike.
 */
interface ChatView {
    /** Output the user asked for (/help, /history, /tokens...): stdout in a script. */
    void show(String text);

    /** A confirmation or notice (model switched, conversation saved): stderr in a script. */
    void note(String text);

    /** A failure, one line; the session goes on. */
    void error(LlmoException error);

    /** Starts showing an answer; the returned listener receives its text. */
    Answer answer();

    /** The status line after an answer. */
    void status(String line);

    /** One answer being shown. */
    interface Answer extends RunListener {
        /** The call ended: finish the text, and mark it when it was cancelled or cut. */
        void end(RunResult result);

        /**
         * An answer rendered by {@code text}, each piece passed through {@code shown} first; its reasoning, refusal,
         * tool calls and sources shown by {@code extras} (the sources to {@code sources}); {@code markCancelled}
         * runs when the call was cancelled.
         */
        static Answer rendered(MarkdownRenderer text, Runnable markCancelled,
                               java.util.function.UnaryOperator<String> shown, AnswerExtras extras,
                               PrintWriter sources) {
            return new Answer() {
                @Override
                public void onEvent(RunEvent event) {
                    if (event instanceof RunEvent.Reasoning reasoning) {
                        extras.reasoning(reasoning.text());
                    } else if (event instanceof RunEvent.Text piece) {
                        extras.endReasoning();
                        text.append(shown.apply(piece.text()));
                    } else if (event instanceof RunEvent.Idle) {
                        extras.idle();
                        text.flush();
                    } else if (event instanceof RunEvent.ToolRunning running) {
                        text.flush();
                        extras.toolRunning(running.tool(), running.request());
                    } else if (event instanceof RunEvent.ToolProgress progress) {
                        extras.toolProgress(progress.tool(), progress.line());
                    } else if (event instanceof RunEvent.ToolDone done) {
                        extras.toolDone(done);
                    }
                }

                @Override
                public void end(RunResult result) {
                    extras.endReasoning();
                    text.finish();
                    extras.sources(sources, result.answer());
                    extras.afterAnswer(null, result.answer(), !result.succeeded());
                    extras.printStopNote(null, result); // a cut answer must not pass for a whole one
                    if (result.error() instanceof InterruptedRunException) {
                        markCancelled.run();
                    }
                }
            };
        }
    }
}
