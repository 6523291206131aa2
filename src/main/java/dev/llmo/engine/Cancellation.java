package dev.llmo.engine;

import dev.llmo.core.RunningCall;
import dev.llmo.failure.LlmoException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way to stop a run: a Ctrl-C, a signal, a closed stdout or the user's {@code /cancel} calls {@link #cancel}
 * from any thread, and every call of the run in flight stops, while a call not yet started is never sent. One handle
 * may span several plans (the steps of a chain, one after another). Thread-safe.
 */
public final class Cancellation {
    private final List<RunningCall> running = new ArrayList<>();
    private boolean cancelled;
    private LlmoException reason;

    /** Stops the run as Ctrl-C does. */
    public void cancel() {
        cancel(null);
    }

    /**
     * Stops the run; every call in flight ends with {@code reason} as its error, so that the log says why (a SIGTERM, a
     * closed stdout); null for Ctrl-C's. The first reason given wins. Safe more than once.
     */
    public void cancel(LlmoException reason) {
        List<RunningCall> stopping;
        LlmoException why;
        synchronized (this) {
            if (reason != null && this.reason == null) {
                this.reason = reason;
            }
            cancelled = true;
            why = this.reason;
            stopping = List.copyOf(running);
        }
        stopping.forEach(call -> call.cancel(why));
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** Why the run was stopped, when a reason was given; null for Ctrl-C or when it was not stopped. */
    public synchronized LlmoException reason() {
        return reason;
    }

    /**
     * Waits at most {@code millis} for every call in flight to end (and be recorded): a process about to exit gives the
     * calls it stopped the time to say so.
     *
     * @return whether every call has ended
     */
    public boolean awaitEnd(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (RunningCall call : inFlight()) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            if (!call.awaitEnd(left)) {
                return false;
            }
        }
        return true;
    }

    private synchronized List<RunningCall> inFlight() {
        return List.copyOf(running);
    }

    /** A call joins the run; one that joins after {@link #cancel} is stopped at once. */
    void joined(RunningCall call) {
        LlmoException why;
        synchronized (this) {
            running.add(call);
            if (!cancelled) {
                return;
            }
            why = reason;
        }
        call.cancel(why);
    }

    /** A call ended. */
    synchronized void left(RunningCall call) {
        running.remove(call);
    }
}
