package dev.llmo.batch;

import dev.llmo.core.RunResult;
import dev.llmo.engine.BatchCalls;
import dev.llmo.engine.Cancellation;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ContextWindowException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;

/**
 * What the calls of a batch's phases (the answers, the judges' verdicts) share once a call ends: a success or a failure
 * counted, a call the budget refused stopping the whole plan (nothing was sent or recorded: it stays missing, for a
 * resume; a prompt too large for the model's window is that call's failure instead, as no budget would let it through),
 * a call stopped from outside ({@link #stopped}) counted as neither. On the engine's thread, like every {@link BatchCalls}.
 */
abstract class CallSource implements BatchCalls {
    private final Cancellation cancellation;
    private long succeeded;
    private long failed;
    private LlmoException stopped;

    CallSource(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    @Override
    public void ended(Call call, RunResult result) {
        if (result.succeeded()) {
            succeeded++;
        } else if (stops(result.error())) {
            if (stopped == null) {
                stopped = result.error();
            }
            cancellation.cancel(result.error());
        } else if (!stopped(cancellation, result.error())) {
            failed++;
        }
    }

    /**
     * Whether {@code error} stops the whole batch, unsent or unrecorded: a budget's refusal (every later call would be
     * refused too), or the provider refusing the key (every later call would fail the same way, and be paid for in
     * requests and time; the fixed key then finishes the batch with a plain resume). A prompt too large for the window
     * is its row's own failure.
     */
    static boolean stops(LlmoException error) {
        return error instanceof BudgetException && !(error instanceof ContextWindowException)
                || error instanceof ModelAuthException;
    }

    /**
     * Whether a call ended with {@code error} because the batch was stopped, not by failing itself: Ctrl-C or a signal,
     * or the reason the plan was cancelled with (a budget's refusal of another call, a stdout or {@code --out} that
     * could not be written), which every call in flight ends with. Such a call is not finished: a resume sends it again.
     */
    static boolean stopped(Cancellation cancellation, LlmoException error) {
        return error instanceof InterruptedRunException || error != null && error == cancellation.reason();
    }

    final Cancellation cancellation() {
        return cancellation;
    }

    final long succeeded() {
        return succeeded;
    }

    final long failed() {
        return failed;
    }

    /** What stopped the plan ({@link #stops}: the budget's refusal, the key refused), or null. */
    final LlmoException stopped() {
        return stopped;
    }
}
