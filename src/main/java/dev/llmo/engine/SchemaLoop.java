package dev.llmo.engine;

import dev.llmo.core.AnswerTurn;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.CallId;
import dev.llmo.core.CallRecorder;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.core.RunningCall;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.SchemaBrokenException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.ChatMessage;
import dev.llmo.schema.AnswerSchema;
import dev.llmo.schema.Violation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One model call whose answer must follow a JSON Schema: the answer is checked locally when it has come; one that does
 * not follow the schema is answered with its first violation and asked for again, up to the request's
 * {@code schemaRetries} times. Each attempt is a call of its own (through the {@link CallExecutor}, or the
 * {@link ToolLoop} when it offers tools), so each passes the budget preflight and is recorded; the violation is
 * recorded as a user message between them, so a replay rebuilds the next request.
 *
 * <p>The answer's text is not shown as it streams: the first attempt may not be the one kept. What is shown, once,
 * is the JSON of the answer that follows the schema (for a list, the list), as one text event; a call that ends without
 * one fails with the violation (exit 1), its last answer's text in its result for the output to show. To the engine it is one call, whose usage and cost are all
 * the attempts'.
 */
final class SchemaLoop {
    /** Starts one attempt (a plain call or a tool loop). */
    @FunctionalInterface
    interface Attempt {
        RunningCall start(CallId id, RunRequest request, RunListener listener, CallRecorder recorder);
    }

    private final Attempt attempt;

    SchemaLoop(Attempt attempt) {
        this.attempt = attempt;
    }

    RunningCall start(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
        Attempts attempts = new Attempts(id, request, listener, recorder);
        Thread thread = new Thread(attempts::run, "llmo-schema-" + id.index());
        thread.setDaemon(true);
        thread.start();
        return RunningCall.of(attempts::stop, attempts.result);
    }

    /** The message that asks for a corrected answer. */
    static String feedback(Violation violation) {
        return "Your answer does not follow the JSON Schema it must follow: at " + violation + ". Answer again with "
                + "only the JSON, following the schema.";
    }

    /** The state of one call's attempts, run one after another on its own thread. */
    private final class Attempts {
        private final CallId id;
        private final RunRequest request;
        private final RunListener listener;
        private final CallRecorder recorder;
        private final CompletableFuture<RunResult> result = new CompletableFuture<>();
        private RunningCall current;
        private boolean stopped;
        private LlmoException stopReason;
        private Usage usage;
        private BigDecimal cost;
        private boolean costKnown = true;
        private long latencyMs;
        private int requests;
        private Long ttftMs;

        Attempts(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
            this.id = id;
            this.request = request;
            this.listener = listener;
            this.recorder = recorder;
        }

        void stop(LlmoException reason) {
            RunningCall running;
            synchronized (this) {
                if (stopReason == null) {
                    stopReason = reason;
                }
                stopped = true;
                running = current;
            }
            if (running != null) {
                running.cancel(reason);
            }
        }

        void run() {
            RunResult outcome;
            try {
                outcome = loop();
            } catch (LlmoException e) {
                outcome = whole(null, null, e);
            } catch (RuntimeException e) {
                outcome = whole(null, null, CallExecutor.unexpected("checking the answer against its schema", e));
            }
            result.complete(outcome);
        }

        private RunResult loop() {
            AnswerSchema schema = request.schema();
            List<ChatMessage> messages = new ArrayList<>(request.messages());
            // the text is held back: an attempt that breaks the schema is not the answer
            RunListener hidingText = event -> {
                if (!(event instanceof RunEvent.Text)) {
                    listener.onEvent(event);
                }
            };
            for (int retry = 0; ; retry++) {
                RunningCall call;
                synchronized (this) {
                    if (stopped) {
                        return whole(null, null, stoppedError());
                    }
                    call = attempt.start(id, request.withMessages(messages), hidingText, recorder);
                    current = call;
                }
                RunResult answer = call.await();
                add(answer);
                if (!answer.succeeded()) {
                    return whole(answer, null, answer.error());
                }
                AnswerSchema.Checked checked = schema.check(answer.text());
                if (checked instanceof AnswerSchema.Checked.Valid valid) {
                    listener.onEvent(new RunEvent.Text(id, valid.printed()));
                    return whole(answer, valid, null);
                }
                Violation violation = ((AnswerSchema.Checked.Invalid) checked).violation();
                if (retry == request.schemaRetries()) {
                    return whole(answer, null, new SchemaBrokenException("the answer of " + request.model().id()
                            + " does not follow the schema" + (retry == 0 ? "" : " after " + retry
                            + (retry == 1 ? " retry" : " retries")) + ": at " + violation, retry));
                }
                synchronized (this) {
                    if (stopped) {
                        return whole(answer, null, stoppedError());
                    }
                }
                ChatMessage turn = AnswerTurn.of(answer.answer().parts(), true);
                if (turn != null) {
                    // the answer, then what is wrong with it; an empty answer is simply asked for again
                    String text = feedback(violation);
                    recorder.feedback(text);
                    messages.add(turn);
                    messages.add(ChatMessage.user(text));
                }
            }
        }

        private void add(RunResult attempt) {
            usage = Usage.sum(usage, attempt.usage());
            if (attempt.costUsd() == null) {
                costKnown = costKnown && attempt.usage() == null;
            } else {
                cost = cost == null ? attempt.costUsd() : cost.add(attempt.costUsd());
            }
            latencyMs += attempt.latencyMs();
            requests += attempt.requests();
            if (ttftMs == null && attempt.ttftMs() != null) {
                ttftMs = latencyMs - attempt.latencyMs() + attempt.ttftMs();
            }
        }

        /**
         * The call's one result: the last attempt's parts, its text replaced by the JSON printed when it followed the
         * schema; the usage and cost of every attempt.
         */
        private RunResult whole(RunResult last, AnswerSchema.Checked.Valid valid, LlmoException error) {
            List<Part> parts = new ArrayList<>();
            if (last != null) {
                for (Part part : last.answer().parts()) {
                    if (!(part instanceof Part.Text) || valid == null) {
                        parts.add(part);
                    }
                }
            }
            if (valid != null) {
                parts.add(new Part.Text(valid.printed()));
            }
            return new RunResult(request.model(), new Message(Role.ASSISTANT, parts),
                    last != null && (error == null || error == last.error()) ? last.stopReason() : null, usage,
                    costKnown ? cost : null,
                    latencyMs, ttftMs, error, valid == null ? null : dev.llmo.provider.http.Json.write(valid.value()),
                    requests);
        }

        private synchronized LlmoException stoppedError() {
            return stopReason != null ? stopReason : InterruptedRunException.of(ExitCode.INTERRUPTED,
                    "the call to " + request.model().id() + " was stopped");
        }
    }
}
