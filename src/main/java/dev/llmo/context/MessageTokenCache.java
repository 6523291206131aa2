package dev.llmo.context;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Token counts of texts already seen, per encoding: a chat history is counted again before every turn, and only
 * the new messages should cost tokenising. Least recently used entries go first once it is full. Thread-safe.
 *
 * <p>Keyed by the text itself: a hit costs one hash (cached inside {@link String}) and, for a different but equal
 * string, one comparison, both far cheaper than byte-pair encoding.
 */
final class MessageTokenCache {
    /** Enough for a 100,000-message history and the system prompts around it. */
    static final int DEFAULT_CAPACITY = 1 << 18;

    private final Map<String, Long> counts;

    MessageTokenCache(int capacity) {
        this.counts = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    long count(String text, ToLongFunction<String> tokenise) {
        synchronized (counts) {
            Long cached = counts.get(text);
            if (cached != null) {
                return cached;
            }
        }
        // tokenised outside the lock: two threads may count the same text once each, which is harmless
        long count = tokenise.applyAsLong(text);
        synchronized (counts) {
            counts.put(text, count);
        }
        return count;
    }

    int size() {
        synchronized (counts) {
            return counts.size();
        }
    }
}
