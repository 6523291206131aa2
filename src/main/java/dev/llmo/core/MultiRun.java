package dev.llmo.core;

import dev.llmo.config.ModelRef;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a {@link RunPlan} of several models: a fan-out (every model gets the same request, as many at once as the
 * {@link ConcurrencyLimits} allow, started in plan order) or a pipeline (each model gets the previous answer).
 *
 * <p>One thread, the one calling {@link #run()}, does all the scheduling: it starts what fits, then waits for a call
 * to end (each call reports its end through its recorder, on the call's own thread, into a queue), gives back its
 * slot and starts what fits again. Nothing blocks on a limit, so a slow provider at its limit never holds up the
 * calls to another. {@link #cancel()} may come from any thread (a Ctrl-C hook): it cancels every call in flight, and
 * calls not yet started are never sent. It never prints and never throws for a failed call.
 */
public final class MultiRun {
    private final CallExecutor executor;
    private final RunPlan plan;
    private final RunRequest request;
    private final Listener listener;
    private final Recording recording;
    private final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    private final Map<Integer, RunningCall> running = new ConcurrentHashMap<>();
    private final ConcurrencyLimits limits;
    private volatile boolean cancelled;
    private volatile LlmoException cancelReason;

    /**
     * What a multi-model run reports as it goes, so that the command line can show it: each call's events (their
     * {@link CallId#index()} is the call's plan position), from that call's thread, and when each call starts and
     * ends.
     */
    public interface Listener extends RunListener {
        /** The call of plan position {@code index} was sent (it may have waited for a slot). */
        default void started(int index, ModelRef model) {
        }

        @Override
        default void onEvent(RunEvent event) {
        }

        /** Call {@code index} ended (recorded already); called from the thread of {@link #run()}, in end order. */
        default void finished(int index, RunResult result) {
        }
    }

    /** Where the calls are recorded: one conversation for the whole run. */
    public interface Recording {
        /** Records nothing. */
        Recording NONE = new Recording() {
            @Override
            public CallRecorder parallelCall() {
                return CallRecorder.NONE;
            }

            @Override
            public CallRecorder pipelineStep(String input) {
                return CallRecorder.NONE;
            }
        };

        /** The recorder of one call of a fan-out, which sends the history as it is before any call answers. */
        CallRecorder parallelCall();

        /**
         * The recorder of one step of a pipeline.
         *
         * @param input the previous step's answer, which this step sends as its user message; null for the first
         *              step, which sends the request as given
         */
        CallRecorder pipelineStep(String input);

        /**
         * Records in {@code conversation}: every call of a fan-out with the same context (the answers do not join the
         * history: there is no one answer to continue from); every pipeline step as a user message (the previous
         * answer) and its call, whose answer joins the history.
         */
        static Recording of(Conversation conversation) {
            return new Recording() {
                @Override
                public CallRecorder parallelCall() {
                    return conversation.fork(Integer.MAX_VALUE, false);
                }

                @Override
                public CallRecorder pipelineStep(String input) {
                    if (input == null) {
                        return conversation.fork(Integer.MAX_VALUE, true);
                    }
                    conversation.user(input);
                    return conversation.fork(1, true);
                }
            };
        }
    }

    /** One call's end, as its recorder heard it. */
    private record Ended(int index, RunResult result) {
    }

    /**
     * @param request the request as the first model would get it; every model gets it with its own model (a fan-out),
     *                or the pipeline's first step gets it and each later step the previous answer alone
     */
    public MultiRun(CallExecutor executor, RunPlan plan, RunRequest request, Listener listener,
                    Recording recording) {
        this.executor = executor;
        this.plan = plan;
        this.request = request;
        this.listener = listener;
        this.recording = recording;
        this.limits = new ConcurrencyLimits(plan.mode() == RunPlan.Mode.SEQUENTIAL ? null : plan.concurrency());
    }

    /**
     * Runs the plan to its end. A fan-out returns one result per model, in plan order (a call cancelled before it was
     * sent has an {@link InterruptedRunException}); a pipeline returns the steps that ran, in order, and stops at the
     * first that failed. An interrupt of the calling thread cancels the run.
     */
    public List<RunResult> run() {
        return plan.mode() == RunPlan.Mode.SEQUENTIAL ? pipeline() : fanOut();
    }

    /** Cancels every call in flight; calls not yet started are never sent. Safe from any thread, more than once. */
    public void cancel() {
        cancel(null);
    }

    /**
     * {@link #cancel()}, every call in flight ending with {@code reason} as its error (a SIGTERM, a closed stdout);
     * null for Ctrl-C's. The first reason given wins.
     */
    public void cancel(LlmoException reason) {
        if (reason != null && cancelReason == null) {
            cancelReason = reason;
        }
        cancelled = true;
        LlmoException why = cancelReason;
        running.values().forEach(call -> call.cancel(why));
    }

    /** Why the run was cancelled, when it was given; null for Ctrl-C or when it was not cancelled. */
    public LlmoException cancelReason() {
        return cancelReason;
    }

    /** Whether {@link #cancel()} was called (or the running thread interrupted). */
    public boolean cancelled() {
        return cancelled;
    }

    private List<RunResult> fanOut() {
        int n = plan.size();
        RunResult[] results = new RunResult[n];
        Deque<Integer> waiting = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            waiting.add(i);
        }
        int finished = 0;
        boolean interrupted = false;
        while (true) {
            if (cancelled) {
                for (int index : waiting) {
                    results[index] = notSent(plan.models().get(index));
                    // recorded too: the log shows every model of the plan and what became of it
                    recording.parallelCall().answered(-1, results[index]);
                    finished++;
                    listener.finished(index, results[index]);
                }
                waiting.clear();
            } else {
                startWhatFits(waiting);
            }
            if (finished == n) {
                break;
            }
            Ended end;
            try {
                end = ended.take();
            } catch (InterruptedException e) {
                interrupted = true;
                cancel();
                continue;
            }
            running.remove(end.index());
            limits.release(plan.models().get(end.index()).provider());
            results[end.index()] = end.result();
            finished++;
            listener.finished(end.index(), end.result());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return Arrays.asList(results);
    }

    /** Starts, in plan order, every waiting call that both limits allow. */
    private void startWhatFits(Deque<Integer> waiting) {
        for (Iterator<Integer> it = waiting.iterator(); it.hasNext(); ) {
            int index = it.next();
            ModelRef model = plan.models().get(index);
            if (limits.tryAcquire(model.provider())) {
                it.remove();
                start(index, request.withModel(model), recording.parallelCall());
            }
        }
    }

    private List<RunResult> pipeline() {
        List<RunResult> results = new ArrayList<>();
        boolean interrupted = false;
        String input = null;
        for (int index = 0; index < plan.size() && !cancelled; index++) {
            ModelRef model = plan.models().get(index);
            RunRequest step = input == null ? request.withModel(model)
                    : new RunRequest(model, request.system(), List.of(ChatMessage.user(input)), request.options(),
                    request.stream());
            start(index, step, recording.pipelineStep(input));
            Ended end = null;
            while (end == null) {
                try {
                    end = ended.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel();
                }
            }
            running.remove(index);
            results.add(end.result());
            listener.finished(index, end.result());
            if (!end.result().succeeded()) {
                break;
            }
            input = end.result().text();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return results;
    }

    private void start(int index, RunRequest call, CallRecorder recorder) {
        listener.started(index, call.model());
        RunningCall started = executor.start(new CallId(call.model(), null, index), call, this::show, recorder);
        running.put(index, started);
        // the result as recorded, also when recording failed (then it is a failure): the scheduler hears of every end
        started.whenEnded(result -> ended.add(new Ended(index, result)));
        // cancel() may have gone through the running calls just before this one joined them
        LlmoException reason = cancelReason;
        if (cancelled) {
            started.cancel(reason);
        }
    }

    private RunResult notSent(ModelRef model) {
        LlmoException reason = cancelReason;
        return RunResult.failedBeforeAnswer(model, 0, InterruptedRunException.of(
                reason == null ? ExitCode.INTERRUPTED : reason.exitCode(),
                "the request to " + model.provider().name() + " was not sent"));
    }

    /**
     * Passes one call's event to the run's listener. A view that cannot show an answer (stdout closed or full) stops
     * every call, not only this one.
     */
    private void show(RunEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LlmoException reason = CallExecutor.unexpected("showing the answers", e);
            cancel(reason);
            throw reason;
        }
    }
}
