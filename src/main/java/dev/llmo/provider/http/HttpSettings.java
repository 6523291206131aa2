package dev.llmo.provider.http;

import java.time.Duration;

/**
 * Timeouts and the retry budget of provider calls.
 *
 * @param connectTimeout the longest wait for a connection
 * @param readTimeout    the longest silence while waiting for bytes (also the first token); not a total limit, so a
 *                       long answer that keeps streaming never times out
 */
public record HttpSettings(Duration connectTimeout, Duration readTimeout, int maxRetries) {
    public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(600),
            RetryPolicy.DEFAULT_MAX_RETRIES);

    public HttpSettings {
        if (connectTimeout.isNegative() || readTimeout.isNegative() || maxRetries < 0) {
            throw new IllegalArgumentException("timeouts and retries cannot be negative");
        }
    }
}
