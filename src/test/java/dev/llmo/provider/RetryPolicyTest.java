package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.FailureException;
import dev.llmo.provider.http.AttemptFailure;
import dev.llmo.provider.http.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final AttemptFailure RETRYABLE = AttemptFailure.retryable(new FailureException("x", null));

    @Test
    void backoffDoublesUpToEightSecondsWithUpToAQuarterOfJitter() {
        RetryPolicy noJitter = new RetryPolicy(10, d -> { }, () -> 0.0);
        assertThat(noJitter.nextDelay(0, RETRYABLE)).contains(Duration.ofMillis(500));
        assertThat(noJitter.nextDelay(1, RETRYABLE)).contains(Duration.ofSeconds(1));
        assertThat(noJitter.nextDelay(2, RETRYABLE)).contains(Duration.ofSeconds(2));
        assertThat(noJitter.nextDelay(4, RETRYABLE)).contains(Duration.ofSeconds(8));
        assertThat(noJitter.nextDelay(9, RETRYABLE)).contains(Duration.ofSeconds(8));

        RetryPolicy fullJitter = new RetryPolicy(10, d -> { }, () -> 1.0);
        assertThat(fullJitter.nextDelay(0, RETRYABLE)).contains(Duration.ofMillis(375));
        assertThat(fullJitter.nextDelay(1, RETRYABLE)).contains(Duration.ofMillis(750));
    }

    @Test
    void stopsAfterMaxRetriesAndForFatalFailures() {
        RetryPolicy policy = new RetryPolicy(2, d -> { }, () -> 0.0);
        assertThat(policy.nextDelay(2, RETRYABLE)).isEmpty();
        assertThat(policy.nextDelay(0, AttemptFailure.fatal(new FailureException("x", null)))).isEmpty();
        assertThat(new RetryPolicy(0, d -> { }, () -> 0.0).nextDelay(0, RETRYABLE)).isEmpty();
    }

    @Test
    void serverHintWinsUpToSixtySeconds() {
        RetryPolicy policy = new RetryPolicy(2, d -> { }, () -> 0.0);
        FailureException error = new FailureException("x", null);
        assertThat(policy.nextDelay(0, new AttemptFailure(error, true, Duration.ofMillis(6))))
                .contains(Duration.ofMillis(6));
        assertThat(policy.nextDelay(0, new AttemptFailure(error, true, Duration.ofSeconds(60))))
                .contains(Duration.ofSeconds(60));
        assertThat(policy.nextDelay(1, new AttemptFailure(error, true, Duration.ofSeconds(61))))
                .as("a longer hint falls back to the schedule").isEqualTo(Optional.of(Duration.ofSeconds(1)));
    }

    @Test
    void negativeRetriesAreRejected() {
        assertThatThrownBy(() -> new RetryPolicy(-1, d -> { }, () -> 0.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
