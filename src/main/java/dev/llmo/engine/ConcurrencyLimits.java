package dev.llmo.engine;

import dev.llmo.config.ProviderConfig;
import dev.llmo.core.NanoClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How many calls may be in flight: at most {@code --concurrency} in all, and at most a provider's
 * {@code max_concurrency} (models.yaml) to that provider. A slot is taken before a call starts and given back when
 * it ends; nothing waits here, the caller starts what fits and retries the rest when a slot comes back. Thread-safe.
 *
 * <p>A provider's limit is also learned (AIMD, as TCP does with its window): a call told "429, too many requests"
 * halves the provider's limit (never below 1, at most once per back-off, so that the many calls in flight that hit the
 * same 429 together count as one signal) and no call to it starts until its {@code retry-after} has passed; then each
 * call that succeeds adds {@code 1/limit}, about one more slot per round of calls, until the configured limit is back.
 */
public final class ConcurrencyLimits {
    /** Decreases closer together than this are one signal, however many calls report it. */
    private static final long MIN_BACKOFF_NANOS = Duration.ofMillis(500).toNanos();

    private final int total;
    private final LongSupplier nanoTime;
    private final Map<String, Integer> byProvider = new HashMap<>();
    private final Map<String, Learned> learned = new HashMap<>();
    private int inFlight;

    /** What was learned of one provider since its last 429. */
    private static final class Learned {
        double limit;
        long pausedUntil;
        long lastDecrease;

        Learned(double limit, long now) {
            this.limit = limit;
            this.pausedUntil = now;
            this.lastDecrease = now - 2 * MIN_BACKOFF_NANOS;
        }
    }

    /** @param total at most this many calls at once, or null for no bound but the providers' */
    public ConcurrencyLimits(Integer total) {
        this(total, NanoClock.SYSTEM);
    }

    /** @param nanoTime the clock of the back-off pauses */
    public ConcurrencyLimits(Integer total, LongSupplier nanoTime) {
        if (total != null && total < 1) {
            throw new IllegalArgumentException("total must be at least 1");
        }
        this.total = total == null ? Integer.MAX_VALUE : total;
        this.nanoTime = nanoTime;
    }

    /** Takes a slot for a call to {@code provider} if both limits allow it; false (and nothing taken) otherwise. */
    public synchronized boolean tryAcquire(ProviderConfig provider) {
        int current = byProvider.getOrDefault(provider.name(), 0);
        if (inFlight >= total || current >= limit(provider)) {
            return false;
        }
        Learned state = learned.get(provider.name());
        if (state != null && nanoTime.getAsLong() - state.pausedUntil < 0) {
            return false;
        }
        inFlight++;
        byProvider.put(provider.name(), current + 1);
        return true;
    }

    /** Gives back the slot of a call to {@code provider} that ended. */
    public synchronized void release(ProviderConfig provider) {
        int current = byProvider.getOrDefault(provider.name(), 0);
        if (current <= 0 || inFlight <= 0) {
            throw new IllegalStateException("no call to " + provider.name() + " is in flight");
        }
        inFlight--;
        byProvider.put(provider.name(), current - 1);
    }

    /**
     * {@code provider} answered 429: its limit halves (from what is in flight, when that is less) and no call to it
     * starts for {@code retryAfter}.
     */
    public synchronized void rateLimited(ProviderConfig provider, Duration retryAfter) {
        long now = nanoTime.getAsLong();
        int current = byProvider.getOrDefault(provider.name(), 0);
        Learned state = learned.get(provider.name());
        if (state == null) {
            state = new Learned(Math.min(configured(provider), Math.max(1, current)), now);
            learned.put(provider.name(), state);
        } else if (now - state.lastDecrease < MIN_BACKOFF_NANOS) {
            state.pausedUntil = later(state.pausedUntil, now + retryAfter.toNanos());
            return;
        }
        state.limit = Math.max(1, Math.floor(Math.min(state.limit, Math.max(1, current)) / 2));
        state.lastDecrease = now;
        state.pausedUntil = later(state.pausedUntil, now + retryAfter.toNanos());
    }

    /** A call to {@code provider} succeeded: a learned limit grows by about one slot per round of calls. */
    public synchronized void succeeded(ProviderConfig provider) {
        Learned state = learned.get(provider.name());
        if (state == null) {
            return;
        }
        state.limit += 1 / state.limit;
        if (state.limit >= configured(provider)) {
            learned.remove(provider.name()); // back where the configuration put it
        }
    }

    /** How long until a paused provider may start calls again, in nanoseconds; 0 when none is paused. */
    public synchronized long pausedNanos() {
        long now = nanoTime.getAsLong();
        long soonest = 0;
        for (Learned state : learned.values()) {
            long left = state.pausedUntil - now;
            if (left > 0 && (soonest == 0 || left < soonest)) {
                soonest = left;
            }
        }
        return soonest;
    }

    /** The limit of {@code provider} now: the configured one, or less while it is learning. */
    public synchronized int limit(ProviderConfig provider) {
        Learned state = learned.get(provider.name());
        int configured = configured(provider);
        return state == null ? configured : (int) Math.min(configured, Math.floor(state.limit));
    }

    /** Calls in flight now. */
    public synchronized int inFlight() {
        return inFlight;
    }

    private int configured(ProviderConfig provider) {
        Integer limit = provider.maxConcurrency();
        return Math.min(total, limit == null ? Integer.MAX_VALUE : limit);
    }

    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }
}
