package dev.llmo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitsTest {
    private static ProviderConfig provider(String name, Integer max) {
        return new ProviderConfig(name, ProviderType.OPENAI, "http://localhost/v1", null, null, null, List.of(), max,
                Origin.of("test", "test"));
    }

    @Test
    void theTotalBoundsEveryProviderTogether() {
        ConcurrencyLimits limits = new ConcurrencyLimits(2);
        ProviderConfig a = provider("a", null);
        ProviderConfig b = provider("b", null);

        assertThat(limits.tryAcquire(a)).isTrue();
        assertThat(limits.tryAcquire(b)).isTrue();
        assertThat(limits.tryAcquire(a)).isFalse();
        limits.release(b);
        assertThat(limits.tryAcquire(a)).isTrue();
        assertThat(limits.inFlight()).isEqualTo(2);
    }

    @Test
    void aProvidersLimitHoldsOnlyThatProvider() {
        ConcurrencyLimits limits = new ConcurrencyLimits(null);
        ProviderConfig one = provider("one", 1);
        ProviderConfig free = provider("free", null);

        assertThat(limits.tryAcquire(one)).isTrue();
        assertThat(limits.tryAcquire(one)).isFalse();
        for (int i = 0; i < 100; i++) {
            assertThat(limits.tryAcquire(free)).isTrue();
        }
        limits.release(one);
        assertThat(limits.tryAcquire(one)).isTrue();
    }

    @Test
    void releasingWhatWasNotTakenIsABug() {
        ConcurrencyLimits limits = new ConcurrencyLimits(1);
        assertThatThrownBy(() -> limits.release(provider("a", null))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new ConcurrencyLimits(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void planKinds() {
        ProviderConfig p = provider("p", null);
        var m = new dev.llmo.config.ModelRef(p, dev.llmo.config.ModelSpec.unlisted("x", Origin.of("test", "test")));
        var request = dev.llmo.core.RunRequest.of(m, null, "hi", java.util.Map.of(), true);
        assertThat(Plan.of(request, List.of(m), true)).isInstanceOf(Plan.Single.class);
        assertThat(Plan.of(request, List.of(m, m), false)).isInstanceOf(Plan.FanOut.class);
        assertThat(Plan.of(request, List.of(m, m), true)).isInstanceOf(Plan.Pipeline.class);
        assertThatThrownBy(() -> new Plan.FanOut(request, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a429HalvesTheProvidersLimitPausesItAndSuccessesBringItBack() {
        long[] now = {1_000_000_000L};
        ConcurrencyLimits limits = new ConcurrencyLimits(8, () -> now[0]);
        ProviderConfig busy = provider("busy", null);
        ProviderConfig other = provider("other", null);
        for (int i = 0; i < 8; i++) {
            assertThat(limits.tryAcquire(busy)).isTrue();
        }
        limits.rateLimited(busy, java.time.Duration.ofSeconds(2));
        // the other calls in flight that hit the same 429 are one signal, not eight halvings
        limits.rateLimited(busy, java.time.Duration.ofSeconds(2));
        assertThat(limits.limit(busy)).isEqualTo(4);
        for (int i = 0; i < 8; i++) {
            limits.release(busy);
        }
        assertThat(limits.tryAcquire(busy)).as("paused for retry-after").isFalse();
        assertThat(limits.pausedNanos()).isEqualTo(2_000_000_000L);
        assertThat(limits.tryAcquire(other)).as("another provider is not held up").isTrue();
        limits.release(other);
        now[0] += 2_000_000_000L;
        for (int i = 0; i < 4; i++) {
            assertThat(limits.tryAcquire(busy)).isTrue();
        }
        assertThat(limits.tryAcquire(busy)).as("at the learned limit").isFalse();
        for (int round = 0; round < 40; round++) {
            limits.succeeded(busy);
        }
        assertThat(limits.limit(busy)).as("recovered to the configured limit").isEqualTo(8);
        now[0] += 1_000_000_000L;
        limits.rateLimited(busy, java.time.Duration.ZERO);
        assertThat(limits.limit(busy)).as("halved from what is in flight").isEqualTo(2);
    }
}
