package dev.llmo.provider.http;

import dev.llmo.failure.LlmoException;
import java.time.Duration;

/**
 * How one attempt failed, and whether another attempt may succeed.
 *
 * @param error      what the user sees if this is the last attempt
 * @param retryable  whether the failure is worth another attempt (before any text reached the user)
 * @param retryAfter the wait the server asked for, or null when it gave none
 */
public record AttemptFailure(LlmoException error, boolean retryable, Duration retryAfter) {

    public static AttemptFailure fatal(LlmoException error) {
        return new AttemptFailure(error, false, null);
    }

    public static AttemptFailure retryable(LlmoException error) {
        return new AttemptFailure(error, true, null);
    }
}
