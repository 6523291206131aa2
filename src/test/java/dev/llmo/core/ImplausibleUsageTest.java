package dev.llmo.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.FailureException;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * The executor's last check before recording, whatever a decoder let through: counts and costs the event log
 * cannot hold (integers up to 2^53 - 1) end the call as a failure that keeps its text, instead of a lost response.
 */
class ImplausibleUsageTest {
    @Test
    void countsFromTwoToThe53AreRefused() {
        assertThat(CallExecutor.implausible(Usage.of(3, (1L << 53) - 1), null)).isNull();
        assertThat(CallExecutor.implausible(Usage.of(3, 1L << 53), null)).isInstanceOf(FailureException.class)
                .hasMessageContaining("9007199254740992 output tokens");
        assertThat(CallExecutor.implausible(Usage.of(Long.MAX_VALUE, 1), null)).isNotNull();
    }

    @Test
    void aCostBeyondWhatTheLogHoldsIsRefused() {
        Usage usage = Usage.of(1_000_000_000_000L, 0);
        assertThat(CallExecutor.implausible(usage, new BigDecimal("9007199254.740991"))).isNull();
        assertThat(CallExecutor.implausible(usage, new BigDecimal("9007199254.740992")))
                .hasMessageContaining("more than llmo can record");
        assertThat(CallExecutor.implausible(null, null)).isNull();
    }
}
