package dev.llmo.provider;

/** A call in flight. */
@FunctionalInterface
public interface CallHandle {
    /**
     * Stops the call as soon as possible: the listener then receives
     * {@link dev.llmo.failure.InterruptedRunException} unless the call already ended. Safe to call more than once and
     * from any thread.
     */
    void cancel();
}
