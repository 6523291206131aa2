package dev.llmo.provider.http;

import java.time.Duration;

/** Waits between attempts; tests substitute one that records the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    /** Waits; throws when the calling thread is interrupted (the call was cancelled). */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}. */
    Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
}
