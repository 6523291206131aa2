package dev.llmo.core;

import dev.llmo.provider.CallHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A model call in flight: wait for it, or cancel it (from any thread, e.g. a Ctrl-C handler). */
public final class RunningCall {
    private final CallHandle handle;
    private final CompletableFuture<RunResult> result;

    RunningCall(CallHandle handle, CompletableFuture<RunResult> result) {
        this.handle = handle;
        this.result = result;
    }

    /** Stops the call; {@link #await()} then returns a result whose error is an {@link InterruptedRunException}. */
    public void cancel() {
        handle.cancel();
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
