package dev.llmo.provider.http;

import java.time.Duration;

/** Waits between attempts; tests substitute one that records the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    /** Waits; throws when the calling thread is interrupted (the call was cancelled). */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}. */
    Sleeper REAL = new Sleeper() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis());
        }
    };
}
