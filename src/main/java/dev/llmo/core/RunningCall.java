package dev.llmo.core;

import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.CallHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** A model call in flight: wait for it, or cancel it (from any thread, e.g. a Ctrl-C handler). */
public final class RunningCall {
    private final Consumer<LlmoException> stop;
    private final CompletableFuture<RunResult> result;

    RunningCall(CallHandle handle, CompletableFuture<RunResult> result) {
        this(reason -> handle.cancel(), result);
    }

    /** @param stop cancels the call; its argument is the error the call then ends with, or null for Ctrl-C's */
    RunningCall(Consumer<LlmoException> stop, CompletableFuture<RunResult> result) {
        this.stop = stop;
        this.result = result;
    }

    /**
     * A call made of other calls (the rounds of a tool loop): {@code stop} stops whichever part is running, and
     * {@code result} completes, never exceptionally, once the whole has ended and was recorded.
     */
    public static RunningCall of(Consumer<LlmoException> stop, CompletableFuture<RunResult> result) {
        return new RunningCall(stop, result);
    }

    /** Stops the call; {@link #await()} then returns a result whose error is an {@link InterruptedRunException}. */
    public void cancel() {
        stop.accept(null);
    }

    /**
     * Stops the call, which then ends with {@code reason} as its error (recorded so): a SIGTERM, a closed stdout. The
     * first reason given wins; a call that already ended keeps its outcome.
     */
    public void cancel(LlmoException reason) {
        stop.accept(reason);
    }

    /** Runs {@code action} with the result once the call has ended (and was recorded), on the thread that ends it. */
    public void whenEnded(Consumer<RunResult> action) {
        result.thenAccept(action);
    }

    /** Waits for the outcome. An interrupt of the waiting thread cancels the call. */
    public RunResult await() {
        while (true) {
            try {
                return result.get();
            } catch (InterruptedException e) {
                cancel();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a run result future never fails", e.getCause());
            }
        }
    }

    /** Waits at most {@code millis}; true when the call has ended. */
    public boolean awaitEnd(long millis) {
        try {
            result.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result.isDone();
        } catch (ExecutionException e) {
            return true;
        }
    }
}
