package dev.llmo.engine;

import dev.llmo.config.ProviderConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * How many calls may be in flight: at most {@code --concurrency} in all, and at most a provider's
 * {@code max_concurrency} (models.yaml) to that provider. A slot is taken before a call starts and given back when
 * it ends; nothing waits here, the caller starts what fits and retries the rest when a slot comes back. Thread-safe.
 */
public final class ConcurrencyLimits {
    private final int total;
    private final Map<String, Integer> byProvider = new HashMap<>();
    private int inFlight;

    /** @param total at most this many calls at once, or null for no bound but the providers' */
    public ConcurrencyLimits(Integer total) {
        if (total != null && total < 1) {
            throw new IllegalArgumentException("total must be at least 1");
        }
        this.total = total == null ? Integer.MAX_VALUE : total;
    }

    /** Takes a slot for a call to {@code provider} if both limits allow it; false (and nothing taken) otherwise. */
    public synchronized boolean tryAcquire(ProviderConfig provider) {
        int current = byProvider.getOrDefault(provider.name(), 0);
        Integer limit = provider.maxConcurrency();
        if (inFlight >= total || limit != null && current >= limit) {
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

    /** Calls in flight now. */
    public synchronized int inFlight() {
        return inFlight;
    }
}
