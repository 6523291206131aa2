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
import dev.llmo.core.ToolNames;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.ChatMessage;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolOutput;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One model call that may use tools, run as rounds: the model answers; when it calls tools, each call passes the
 * {@link ToolGate}, runs (or is refused), and the results go back in the next round, until the model answers without
 * calling a tool or the round limit is reached. Each round is a call of its own through the {@link CallExecutor}, so
 * each passes the budget preflight and is recorded as a request and a response; the tool decisions, calls and results
 * are recorded between them. To the engine it is one call: one {@link RunningCall}, one slot of the scheduler, one
 * result, whose answer holds every round's parts and the tool results in order, and whose usage and cost are the
 * whole loop's.
 */
final class ToolLoop {
    private final CallExecutor executor;
    private final ToolKit kit;

    ToolLoop(CallExecutor executor, ToolKit kit) {
        this.executor = executor;
        this.kit = kit;
    }

    RunningCall start(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
        Rounds rounds = new Rounds(id, request, listener, recorder);
        Thread thread = new Thread(rounds::run, "llmo-tools-" + id.index());
        thread.setDaemon(true);
        rounds.thread = thread;
        thread.start();
        return RunningCall.of(rounds::stop, rounds.result);
    }

    /**
     * The call's recorder, which also keeps the id of the request of the round in progress: the tool results of a
     * round name the request whose answer called them.
     */
    private static final class RoundRecorder implements CallRecorder {
        private final CallRecorder recorder;
        private volatile long request = -1;

        RoundRecorder(CallRecorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public long requestSent(dev.llmo.config.ModelRef model, dev.llmo.provider.ChatRequest chat, byte[] body) {
            request = recorder.requestSent(model, chat, body);
            return request;
        }

        @Override
        public void retried(long id, int attempt, java.time.Duration delay, LlmoException reason) {
            recorder.retried(id, attempt, delay, reason);
        }

        @Override
        public void answered(long id, RunResult outcome) {
            recorder.answered(id, outcome);
        }
    }

    /** The state of one call's loop; its thread runs the rounds and the tools, one after another. */
    private final class Rounds {
        private final CallId id;
        private final RunRequest request;
        private final RunListener listener;
        private final CallRecorder recorder;
        private final CompletableFuture<RunResult> result = new CompletableFuture<>();
        private final RoundRecorder rounds;
        private volatile Thread thread;
        private RunningCall current;
        private boolean stopped;
        private LlmoException stopReason;
        // the whole loop so far
        private final List<Part> parts = new ArrayList<>();
        private Usage usage;
        private BigDecimal cost;
        private boolean costKnown = true;
        private long latencyMs;
        private Long ttftMs;
        private int requests;

        Rounds(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
            this.id = id;
            this.request = request;
            this.listener = listener;
            this.recorder = recorder;
            this.rounds = new RoundRecorder(recorder);
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
            Thread runner = thread;
            if (runner != null && runner != Thread.currentThread()) {
                runner.interrupt(); // a tool running, or a person being asked
            }
        }

        private synchronized boolean stopped() {
            return stopped;
        }

        void run() {
            RunResult outcome;
            try {
                outcome = loop();
            } catch (LlmoException e) {
                outcome = whole(null, e);
            } catch (RuntimeException e) {
                outcome = whole(null, CallExecutor.unexpected("running the tools", e));
            }
            Thread.interrupted(); // an interrupt meant for a tool or a question that had ended
            result.complete(outcome);
        }

        private RunResult loop() {
            Map<String, Tool> byWireName = ToolNames.byWireName(request.tools());
            List<EventData.OfferedTool> offered = new ArrayList<>();
            byWireName.forEach((wire, tool) -> offered.add(new EventData.OfferedTool(tool.name(), wire,
                    tool.source(), tool.description(), tool.schemaJson(), tool.schemaSha256())));
            recorder.toolsOffered(offered);
            List<ChatMessage> messages = new ArrayList<>(request.messages());
            for (int round = 0; ; round++) {
                RunningCall call;
                synchronized (this) {
                    if (stopped) {
                        return whole(null, stoppedError());
                    }
                    call = executor.start(id, request.withMessages(messages), listener, rounds);
                    current = call;
                }
                RunResult answer = call.await();
                add(answer);
                if (!answer.succeeded()) {
                    return whole(answer, answer.error());
                }
                List<Part.ToolCall> calls = answer.answer().parts(Part.ToolCall.class);
                if (calls.isEmpty()) {
                    return whole(answer, null);
                }
                if (round == kit.maxRounds()) {
                    return whole(answer, new FailureException("the model asked for tools again after "
                            + kit.maxRounds() + (kit.maxRounds() == 1 ? " round" : " rounds")
                            + " of tool calls; those calls were not run",
                            "raise the limit with --max-tool-rounds N, or ask for an answer without tools"));
                }
                List<Part.ToolResult> results = new ArrayList<>();
                for (Part.ToolCall toolCall : calls) {
                    if (stopped()) {
                        return whole(answer, stoppedError());
                    }
                    Part.ToolResult done = runOne(toolCall, byWireName.get(toolCall.name()));
                    results.add(done);
                    parts.add(done);
                }
                // the tools stopped by the JVM's end (Ctrl-C) before the run heard of it: no round is sent after them
                if (stopped() || kit.runner().stopped()) {
                    return whole(answer, stoppedError());
                }
                messages.add(AnswerTurn.of(answer.answer().parts(), true));
                messages.add(ChatMessage.toolResults(results));
            }
        }

        /** Decides, runs and records one tool call; what the model gets back, also when it did not run. */
        private Part.ToolResult runOne(Part.ToolCall call, Tool tool) {
            if (tool == null) {
                Part.ToolResult unknown = new Part.ToolResult(call.id(), "there is no tool named " + call.name()
                        + " in this conversation", true);
                recorder.toolEnded(new EventData.ToolResult(rounds.request, call.name(), unknown, 0));
                show(new RunEvent.ToolDone(id, call, call.name(), unknown, null, false, 0));
                return unknown;
            }
            ToolGate.Approval approval = kit.gate().decide(id, tool, call.arguments());
            recorder.toolDecided(new EventData.ToolApproval(call.id(), tool.name(), approval.allowed(),
                    approval.decidedBy()));
            Part.ToolResult result;
            long durationMs = 0;
            if (!approval.allowed()) {
                // the person only when asked: a policy rule, or no terminal to ask on, is said as what it is
                String who = approval.byPerson() ? "the user did not allow this call of " + tool.name()
                        : "this call of " + tool.name() + " is not allowed (decided by " + approval.decidedBy() + ")";
                result = new Part.ToolResult(call.id(), who + "; do not call it again with these arguments", true);
            } else {
                recorder.toolStarted(new EventData.ToolCall(call.id(), tool.name(), tool.source(),
                        tool.schemaSha256()));
                show(new RunEvent.ToolRunning(id, call, tool.name()));
                long started = System.nanoTime();
                ToolOutput output = kit.runner().call(tool, call.arguments(),
                        line -> show(new RunEvent.ToolProgress(id, call, tool.name(), line)));
                durationMs = (System.nanoTime() - started) / 1_000_000;
                result = new Part.ToolResult(call.id(), output.text(), output.isError());
            }
            recorder.toolEnded(new EventData.ToolResult(rounds.request, tool.name(), result, durationMs));
            show(new RunEvent.ToolDone(id, call, tool.name(), result, approval.decidedBy(), approval.allowed(),
                    durationMs));
            return result;
        }

        private void show(RunEvent event) {
            listener.onEvent(event);
        }

        private void add(RunResult round) {
            parts.addAll(round.answer().parts());
            usage = Usage.sum(usage, round.usage());
            if (round.costUsd() == null) {
                // a round that failed before any usage cost nothing; one with usage but no price makes the whole unknown
                costKnown = costKnown && round.usage() == null;
            } else {
                cost = cost == null ? round.costUsd() : cost.add(round.costUsd());
            }
            latencyMs += round.latencyMs();
            requests += round.requests(); // a round the budget refused was never sent
            if (ttftMs == null && round.ttftMs() != null) {
                ttftMs = latencyMs - round.latencyMs() + round.ttftMs();
            }
        }

        /** The loop's one result: every round's parts and the tool results, the summed usage and cost. */
        private RunResult whole(RunResult last, LlmoException error) {
            return new RunResult(request.model(), new Message(Role.ASSISTANT, parts),
                    last != null && (error == null || error == last.error()) ? last.stopReason() : null, usage,
                    costKnown ? cost : null, latencyMs, ttftMs, error, null, requests);
        }

        private synchronized LlmoException stoppedError() {
            return stopReason != null ? stopReason : InterruptedRunException.of(ExitCode.INTERRUPTED,
                    "the tool loop of " + request.model().id() + " was stopped");
        }
    }
}
