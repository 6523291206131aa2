package dev.llmo.provider.http;

import java.time.Duration;

/**
 * Timeouts, the retry budget and the response limits of provider calls.
 *
 * @param connectTimeout the longest wait for a connection
 * @param readTimeout    the longest silence while waiting for bytes (also the first token); not a total limit, so a
 *                       long answer that keeps streaming never times out by it
 * @param callTimeout    the deadline of one call as a whole: every attempt, the waits between them and the whole
 *                       streamed body (so a server that trickles a byte every few seconds cannot hold a run forever);
 *                       {@link Duration#ZERO} for none
 * @param limits         how much of an answer is read and kept
 */
public record HttpSettings(Duration connectTimeout, Duration readTimeout, int maxRetries, Duration callTimeout,
                           ResponseLimits limits) {
    /** The default deadline of one call ({@code --timeout}, {@code LLMO_TIMEOUT}). */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(600);
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(600),
            RetryPolicy.DEFAULT_MAX_RETRIES);

    public HttpSettings {
        if (connectTimeout.isNegative() || readTimeout.isNegative() || callTimeout.isNegative() || maxRetries < 0) {
            throw new IllegalArgumentException("timeouts and retries cannot be negative");
        }
        java.util.Objects.requireNonNull(limits, "limits");
    }

    /** The default deadline and limits. */
    public HttpSettings(Duration connectTimeout, Duration readTimeout, int maxRetries) {
        this(connectTimeout, readTimeout, maxRetries, DEFAULT_CALL_TIMEOUT, ResponseLimits.DEFAULT);
    }

    /** @param callTimeout the deadline of one call, {@link Duration#ZERO} for none */
    public HttpSettings withCallTimeout(Duration callTimeout) {
        return new HttpSettings(connectTimeout, readTimeout, maxRetries, callTimeout, limits);
    }

    public HttpSettings withLimits(ResponseLimits limits) {
        return new HttpSettings(connectTimeout, readTimeout, maxRetries, callTimeout, limits);
    }

    /** Whether calls have a deadline. */
    public boolean hasCallTimeout() {
        return !callTimeout.isZero();
    }
}
