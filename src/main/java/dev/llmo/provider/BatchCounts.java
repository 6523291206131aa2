package dev.llmo.provider;

/**
 * The rows of a remote batch by where they are. A provider that reports fewer kinds leaves the others at 0 (OpenAI
 * counts expired and cancelled rows only in its results; Anthropic counts nothing but {@code processing} until the
 * end).
 */
public record BatchCounts(long total, long succeeded, long failed, long expired, long cancelled) {
    public static final BatchCounts NONE = new BatchCounts(0, 0, 0, 0, 0);

    /** Rows with an outcome. */
    public long done() {
        return succeeded + failed + expired + cancelled;
    }

    /** Rows still waiting or running. */
    public long pending() {
        return Math.max(0, total - done());
    }
}
