package dev.llmo.engine;

import dev.llmo.config.ModelRef;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.CallId;
import dev.llmo.core.CallRecorder;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.core.RunningCall;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one engine: runs every {@link Plan} (one call, a fan-out, a pipeline, a chain step) through one scheduler, one
 * listener and one cancel handle, each call through the {@link CallExecutor} (preflight, key, client, recorder).
 *
 * <p>The thread calling {@link #run} does all the scheduling: it starts what the {@link ConcurrencyLimits} allow (at
 * most {@code --concurrency} in all, at most each provider's {@code max_concurrency}), in plan order, then waits for a
 * call to end (each call reports its end, on its own thread, into a queue), gives back its slot and starts what fits
 * again. Nothing blocks on a limit, so a slow provider at its limit never holds up the calls to another. It never
 * prints and never throws for a failed call: the failure is in that call's {@link RunResult}.
 */
public final class Orchestrator {
    private final CallExecutor executor;
    private final ConcurrencyLimits limits;
    private final ToolLoop toolLoop;

    /**
     * @param concurrency at most this many calls at once in all (across every plan this engine runs), or null for no
     *                    bound beyond the providers' own {@code max_concurrency}
     */
    public Orchestrator(CallExecutor executor, Integer concurrency) {
        this(executor, concurrency, null);
    }

    /** @param tools what a call that offers tools runs them with; null when no call of this engine offers any */
    public Orchestrator(CallExecutor executor, Integer concurrency, ToolKit tools) {
        this.executor = executor;
        this.limits = new ConcurrencyLimits(concurrency);
        this.toolLoop = tools == null ? null : new ToolLoop(executor, tools);
    }

    /**
     * Runs {@code plan} to its end on this thread. Returns one result per model in plan order (a call stopped before
     * it was sent has an {@link InterruptedRunException}), except a pipeline, which returns the steps that ran, in
     * order, and stops at the first that failed. {@code listener} hears every call's events; one that throws stops
     * the whole run ({@code cancellation} then gives the reason). An interrupt of this thread cancels the run.
     */
    public List<RunResult> run(Plan plan, RunListener listener, Recording recording, Cancellation cancellation) {
        Run run = new Run(plan, listener, recording, cancellation);
        if (plan instanceof Plan.Pipeline pipeline) {
            return run.pipeline(pipeline);
        }
        if (plan instanceof Plan.Batch batch) {
            run.batch(batch);
            return List.of();
        }
        String step = plan instanceof Plan.ChainStep chainStep ? chainStep.step() : null;
        RunRequest request = plan instanceof Plan.Single single ? single.request()
                : plan instanceof Plan.FanOut fanOut ? fanOut.request() : ((Plan.ChainStep) plan).request();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < plan.models().size(); i++) {
            ModelRef model = plan.models().get(i);
            calls.add(new Call(new CallId(model, step, i), request.withModel(model), null, i, null));
        }
        return run.schedule(calls);
    }

    /** How many calls of a batch wait, taken from its source, beyond those running. */
    private static final int BATCH_LOOKAHEAD = 64;

    private static boolean rateLimited(LlmoException error) {
        return error instanceof dev.llmo.failure.CallError call && call.kind() == dev.llmo.failure.ErrorKind.RATE_LIMITED;
    }

    private ToolLoop tools() {
        if (toolLoop == null) {
            throw new IllegalStateException("a call offers tools, but this engine was made without a ToolKit");
        }
        return toolLoop;
    }

    /**
     * One call of a plan: its identity, its request, for a later pipeline step its input, and its position among the
     * calls scheduled together (where its result goes).
     */
    private record Call(CallId id, RunRequest request, String input, int position, BatchCalls.Call batchCall) {
        int index() {
            return id.index();
        }
    }

    /** One call's end, as its recorder heard it. */
    private record Ended(Call call, RunResult result) {
    }

    /** The state of one {@link #run}. */
    private final class Run {
        private final Plan plan;
        private final RunListener listener;
        private final Recording recording;
        private final Cancellation cancellation;
        private final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
        private boolean interrupted;

        Run(Plan plan, RunListener listener, Recording recording, Cancellation cancellation) {
            this.plan = plan;
            this.listener = listener;
            this.recording = recording;
            this.cancellation = cancellation;
        }

        List<RunResult> pipeline(Plan.Pipeline pipeline) {
            List<RunResult> results = new ArrayList<>();
            String input = null;
            RunRequest first = pipeline.request();
            for (int index = 0; index < pipeline.models().size() && !cancellation.cancelled(); index++) {
                ModelRef model = pipeline.models().get(index);
                RunRequest request = input == null ? first.withModel(model)
                        : new RunRequest(model, first.system(), List.of(ChatMessage.user(input)), first.options(),
                        first.stream()).withSchema(first.schema(), first.schemaRetries());
                RunResult result = schedule(List.of(new Call(new CallId(model, null, index), request, input, 0, null)))
                        .get(0);
                results.add(result);
                if (!result.succeeded()) {
                    break;
                }
                input = result.text();
            }
            return results;
        }

        List<RunResult> schedule(List<Call> calls) {
            RunResult[] results = new RunResult[calls.size()];
            Deque<Call> waiting = new ArrayDeque<>(calls);
            int finished = 0;
            while (true) {
                if (cancellation.cancelled()) {
                    for (Call call : waiting) {
                        results[call.position()] = notSent(call);
                        finished++;
                    }
                    waiting.clear();
                } else {
                    startWhatFits(waiting);
                }
                if (finished == calls.size()) {
                    break;
                }
                Ended end;
                try {
                    end = ended.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancellation.cancel();
                    continue;
                }
                release(end);
                results[end.call().position()] = end.result();
                finished++;
                tell(new RunEvent.CallEnded(end.call().id(), end.result()));
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return Arrays.asList(results);
        }

        /**
         * A batch: calls taken from its source as there is room (a few more than can run, so that a provider at its
         * limit never holds up the calls to another), each end handed back to it. A call not started when the run is
         * cancelled is dropped unrecorded: the batch's record shows it as not done, and a resume runs it.
         */
        void batch(Plan.Batch batch) {
            Deque<Call> waiting = new ArrayDeque<>();
            int running = 0;
            boolean exhausted = false;
            while (true) {
                if (cancellation.cancelled()) {
                    waiting.clear();
                    exhausted = true;
                } else {
                    // a slot given back takes a call already waiting before the source is asked for more: reading
                    // and filling the next rows is not in the way of the calls
                    running += startWhatFits(waiting);
                    while (!exhausted && waiting.size() < BATCH_LOOKAHEAD
                            && (running == 0 && waiting.isEmpty() || !batch.calls().holding())) {
                        BatchCalls.Call next = batch.calls().next();
                        if (next == null) {
                            exhausted = true;
                        } else {
                            waiting.add(new Call(next.id(), next.request(), null, 0, next));
                        }
                    }
                    running += startWhatFits(waiting);
                }
                if (running == 0 && waiting.isEmpty() && exhausted) {
                    break;
                }
                Ended end;
                try {
                    long paused = limits.pausedNanos();
                    // a provider backing off after a 429 gets its calls started when its pause ends, not only when
                    // another call ends
                    end = paused > 0 ? ended.poll(paused, java.util.concurrent.TimeUnit.NANOSECONDS) : ended.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancellation.cancel();
                    continue;
                }
                if (end == null) {
                    continue;
                }
                release(end);
                running--;
                batch.calls().ended(end.call().batchCall(), end.result());
                tell(new RunEvent.CallEnded(end.call().id(), end.result()));
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Gives back the slot of a call that ended, and tells the limits how its provider is doing. */
        private void release(Ended end) {
            dev.llmo.config.ProviderConfig provider = end.call().request().model().provider();
            limits.release(provider);
            RunResult result = end.result();
            if (result.succeeded()) {
                limits.succeeded(provider);
            } else if (rateLimited(result.error())) {
                limits.rateLimited(provider, java.time.Duration.ZERO);
            }
        }

        /** Starts, in plan order, every waiting call that the limits allow; returns how many it started. */
        private int startWhatFits(Deque<Call> waiting) {
            int started = 0;
            for (Iterator<Call> it = waiting.iterator(); it.hasNext(); ) {
                Call call = it.next();
                if (limits.tryAcquire(call.request().model().provider())) {
                    it.remove();
                    start(call);
                    started++;
                }
            }
            return started;
        }

        private void start(Call call) {
            tell(new RunEvent.CallStarted(call.id()));
            CallRecorder recorder = call.batchCall() != null ? call.batchCall().recorder()
                    : recording.call(plan, call.index(), call.input());
            // an answer that must follow a schema is checked, and asked for again when it does not
            RunningCall running = call.request().schema() == null
                    ? attemptOnce(call.id(), call.request(), shown, recorder)
                    : new SchemaLoop(attempt).start(call.id(), call.request(), shown, recorder);
            cancellation.joined(running);
            // the result as recorded, also when recording failed (then it is a failure): the scheduler hears of every end
            running.whenEnded(new EndOf(call, running));
        }

        private RunningCall attemptOnce(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
            return request.tools().isEmpty() ? executor.start(id, request, listener, recorder)
                    : tools().start(id, request, listener, recorder);
        }

        // Classes, not lambdas, here and below: each lambda a run links costs its start-up ~0.3 ms of CPU (ADR-003,
        // "Eighteenth round").
        private final SchemaLoop.Attempt attempt = new SchemaLoop.Attempt() {
            @Override
            public RunningCall start(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
                return attemptOnce(id, request, listener, recorder);
            }
        };

        private final RunListener shown = new RunListener() {
            @Override
            public void onEvent(RunEvent event) {
                show(event);
            }
        };

        private final class EndOf implements java.util.function.Consumer<RunResult> {
            private final Call call;
            private final RunningCall running;

            EndOf(Call call, RunningCall running) {
                this.call = call;
                this.running = running;
            }

            @Override
            public void accept(RunResult result) {
                cancellation.left(running);
                ended.add(new Ended(call, result));
            }
        }

        /** A call the run was stopped before sending: recorded too, so the log shows what became of every model. */
        private RunResult notSent(Call call) {
            LlmoException reason = cancellation.reason();
            ModelRef model = call.request().model();
            // stopped from outside (Ctrl-C, a signal, a closed stdout), or by a failure that is then its error
            LlmoException error = reason != null && !reason.exitCode().stoppedFromOutside() ? reason
                    : InterruptedRunException.of(reason == null ? ExitCode.INTERRUPTED : reason.exitCode(),
                    "the request to " + model.provider().name() + " was not sent");
            RunResult result = RunResult.failedBeforeAnswer(model, 0, error);
            recording.call(plan, call.index(), call.input()).answered(-1, result);
            tell(new RunEvent.CallEnded(call.id(), result));
            return result;
        }

        /** A call's event from its own thread. A view that cannot show an answer (stdout closed) stops every call. */
        private void show(RunEvent event) {
            if (event instanceof RunEvent.Retrying retrying && rateLimited(retrying.reason())) {
                // the call itself waits out retry-after; no other call to that provider starts meanwhile
                limits.rateLimited(retrying.call().model().provider(), retrying.delay());
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LlmoException reason = CallExecutor.unexpected("showing the answers", e);
                cancellation.cancel(reason);
                throw reason;
            }
        }

        /** An event of the run from this thread; a listener that fails stops the run with its failure. */
        private void tell(RunEvent event) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                cancellation.cancel(CallExecutor.unexpected("showing the answers", e));
            }
        }
    }
}
