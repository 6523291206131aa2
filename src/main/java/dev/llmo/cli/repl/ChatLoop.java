package dev.llmo.cli.repl;

import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.engine.Cancellation;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * What chat does with each input, whichever way it was typed: a message becomes a turn (streamed to the
 * {@link ChatView}, then a status line), a {@code /command} runs. A failure is shown in one line and the session
 * goes on; the first one is remembered for the exit code of a scripted session.
 */
final class ChatLoop {
    private final ChatSession session;
    private final ChatView view;
    private final SlashCommands commands;
    private final AtomicReference<Cancellation> current = new AtomicReference<>();
    // completed by Ctrl-C while a /command runs (a slow /attach)
    private final AtomicReference<java.util.concurrent.CompletableFuture<Void>> commandStop =
            new AtomicReference<>();
    private volatile ExitCode firstFailure;

    ChatLoop(ChatSession session, ChatView view) {
        this.session = session;
        this.view = view;
        this.commands = new SlashCommands(session, view, () -> {
            java.util.concurrent.CompletableFuture<Void> stop = commandStop.get();
            return stop != null ? stop : new java.util.concurrent.CompletableFuture<>();
        });
    }

    /**
     * Handles one whole input (multi-line input already joined).
     *
     * @return false when the session should end
     */
    boolean handle(String input) {
        if (input.isBlank()) {
            return true;
        }
        if (SlashCommands.isCommand(input.stripLeading())) {
            SlashCommands.Outcome outcome;
            commandStop.set(new java.util.concurrent.CompletableFuture<>());
            try {
                outcome = commands.run(input.stripLeading());
            } catch (LlmoException e) {
                failed(e);
                view.error(e);
                return true;
            } finally {
                commandStop.set(null);
            }
            if (outcome == SlashCommands.Outcome.EXIT) {
                return false;
            }
            if (outcome == SlashCommands.Outcome.RETRY) {
                turn(session::retry);
            }
            return true;
        }
        // "//text" is the way to send a message that starts with a slash.
        String text = input.startsWith("//") ? input.substring(1) : input;
        try {
            int added = session.catchUp();
            if (added > 0) {
                view.note("another llmo added " + added + (added == 1 ? " message" : " messages")
                        + " to this conversation; " + (added == 1 ? "it is" : "they are") + " part of the history now");
            }
        } catch (LlmoException e) {
            failed(e);
            view.error(e);
            return true;
        }
        turn((listener, cancellation) -> session.send(text, listener, cancellation));
        return true;
    }

    private void turn(BiFunction<RunListener, Cancellation, RunResult> call) {
        ChatView.Answer answer = view.answer();
        RunResult result;
        Cancellation cancellation = new Cancellation();
        current.set(cancellation);
        try {
            result = call.apply(answer, cancellation);
        } catch (LlmoException e) {
            failed(e);
            view.error(e);
            return;
        } finally {
            current.set(null);
        }
        answer.end(result);
        session.finished(result);
        if (!result.succeeded() && !(result.error() instanceof InterruptedRunException)) {
            failed(result.error());
            view.error(result.error());
        }
        if (result.succeeded() || result.usage() != null) {
            view.status(StatusLine.of(result, session.sessionUsd()));
        }
    }

    /**
     * Cancels the answer being streamed (Ctrl-C); its partial text stays in the conversation, marked incomplete.
     *
     * @return whether a call was running
     */
    boolean cancelCurrent() {
        Cancellation cancellation = current.get();
        if (cancellation == null) {
            java.util.concurrent.CompletableFuture<Void> stop = commandStop.get();
            return stop != null && stop.complete(null);
        }
        cancellation.cancel();
        return true;
    }

    /** Cancels the running call, if any, and waits at most {@code millis} for its end to be recorded. */
    void cancelAndWait(long millis) {
        cancelAndWait(millis, null);
    }

    /** {@link #cancelAndWait(long)}, the call ending with {@code reason} (null: as for Ctrl-C). */
    void cancelAndWait(long millis, LlmoException reason) {
        Cancellation cancellation = current.get();
        if (cancellation != null) {
            cancellation.cancel(reason);
            cancellation.awaitEnd(millis);
        }
    }

    /** The exit code of the first failure, or null when nothing failed. */
    ExitCode firstFailure() {
        return firstFailure;
    }

    private void failed(LlmoException e) {
        if (firstFailure == null) {
            firstFailure = e.exitCode();
        }
    }
}
