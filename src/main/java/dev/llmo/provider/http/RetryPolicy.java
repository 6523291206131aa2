package dev.llmo.provider.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When to try again (design.md "Reliability rules"): at most {@code maxRetries} retries of a retryable failure;
 * the server's hint when it gave one (up to {@link HttpErrorMapper#MAX_RETRY_AFTER}), else
 * {@code min(0.5·2ⁿ, 8) s × (1 − 0.25·random)} where n is the number of retries made so far (the Stainless SDKs'
 * schedule: 0.375–0.5 s, then 0.75–1 s).
 *
 * @param random uniform in [0, 1); injectable so tests know the delays
 */
public record RetryPolicy(int maxRetries, Sleeper sleeper, DoubleSupplier random) {
    public static final int DEFAULT_MAX_RETRIES = 2;
    private static final double INITIAL_SECONDS = 0.5;
    private static final double MAX_SECONDS = 8.0;

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
    }

    /** The default schedule with real sleeping. */
    public static RetryPolicy standard(int maxRetries) {
        return new RetryPolicy(maxRetries, Sleeper.REAL, new DoubleSupplier() {
            @Override
            public double getAsDouble() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
                return ThreadLocalRandom.current().nextDouble();
            }
        });
    }

    /** The wait before the next attempt, or empty when the failure must be reported now. */
    public Optional<Duration> nextDelay(int retriesSoFar, AttemptFailure failure) {
        if (!failure.retryable() || retriesSoFar >= maxRetries) {
            return Optional.empty();
        }
        Duration hint = failure.retryAfter();
        if (hint != null && !hint.isNegative() && hint.compareTo(HttpErrorMapper.MAX_RETRY_AFTER) <= 0) {
            return Optional.of(hint);
        }
        double seconds = Math.min(INITIAL_SECONDS * Math.pow(2, retriesSoFar), MAX_SECONDS)
                * (1 - 0.25 * random.getAsDouble());
        return Optional.of(Duration.ofNanos((long) (seconds * 1e9)));
    }
}
