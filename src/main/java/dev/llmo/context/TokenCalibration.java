package dev.llmo.context;

import java.util.HashMap;
import java.util.Map;

/**
 * What llmo has learned about each provider's tokenizer: the ratio of the input tokens a provider reported to
 * the raw count llmo made of the same request (cl100k_base with OpenAI's framing). Kept in memory for the life
 * of the process; a chat session gets better estimates from its second turn on. Thread-safe.
 *
 * <p>Each report moves the ratio a third of the way towards what was observed (an exponentially weighted mean),
 * so one odd request does not swing it; the first report replaces the built-in guess outright.
 */
public final class TokenCalibration {
    /** Requests smaller than this are mostly framing and say little about the tokenizer: ignored. */
    static final long MIN_SAMPLE_TOKENS = 32;
    private static final double WEIGHT = 1.0 / 3.0;
    // a reported count outside these bounds of the estimate is a provider quirk (cached prompts, tools), not a ratio
    private static final double MIN_RATIO = 0.25;
    private static final double MAX_RATIO = 4.0;

    /**
     * The ratio used for one provider.
     *
     * @param samples how many reports it was learned from; 0 for the built-in guess
     */
    public record Ratio(double value, int samples) {
    }

    private final Map<String, Ratio> ratios = new HashMap<>();

    /** The ratio for {@code provider}, or {@code fallback} (with 0 samples) when nothing was learned yet. */
    public synchronized Ratio ratio(String provider, double fallback) {
        return ratios.getOrDefault(provider, new Ratio(fallback, 0));
    }

    /**
     * Records that a request llmo counted as {@code rawEstimate} was billed as {@code reportedInputTokens}.
     *
     * @return true when the report was used
     */
    public synchronized boolean record(String provider, long rawEstimate, long reportedInputTokens) {
        if (rawEstimate < MIN_SAMPLE_TOKENS || reportedInputTokens <= 0) {
            return false;
        }
        double observed = (double) reportedInputTokens / rawEstimate;
        if (observed < MIN_RATIO || observed > MAX_RATIO) {
            return false;
        }
        Ratio old = ratios.get(provider);
        double value = old == null ? observed : old.value() + WEIGHT * (observed - old.value());
        ratios.put(provider, new Ratio(value, old == null ? 1 : old.samples() + 1));
        return true;
    }
}
