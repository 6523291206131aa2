package dev.llmo.message;

/**
 * Tokens of one call, normalised across providers, each kind priced at its own rate.
 *
 * @param inputTokens      everything the model read, cached or not (OpenAI {@code prompt_tokens}; Anthropic's
 *                         {@code input_tokens} plus both cache counts)
 * @param outputTokens     everything it wrote, reasoning included
 * @param reasoningTokens  the part of {@code outputTokens} spent on reasoning (0 when unknown)
 * @param cacheReadTokens  the part of {@code inputTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code inputTokens} written to the provider's prompt cache
 */
public record Usage(long inputTokens, long outputTokens, long reasoningTokens, long cacheReadTokens,
                    long cacheWriteTokens) {

    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || reasoningTokens < 0 || cacheReadTokens < 0
                || cacheWriteTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
        if (reasoningTokens > outputTokens) {
            throw new IllegalArgumentException("reasoning tokens are part of the output tokens");
        }
        if (cacheReadTokens + cacheWriteTokens > inputTokens) {
            throw new IllegalArgumentException("cached tokens are part of the input tokens");
        }
    }

    /** Input and output only, as providers that report nothing else give them. */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0, 0);
    }

    /**
     * The counts as a provider reported them, which do not always add up (a server that leaves reasoning out of its
     * output count, a cache count above the input count, a negative number): each is kept and the totals are raised to
     * hold their parts, so that a miscounting server never breaks an answer.
     */
    public static Usage reported(long inputTokens, long outputTokens, long reasoningTokens, long cacheReadTokens,
                                 long cacheWriteTokens) {
        long reasoning = Math.max(0, reasoningTokens);
        long cacheRead = Math.max(0, cacheReadTokens);
        long cacheWrite = Math.max(0, cacheWriteTokens);
        return new Usage(Math.max(Math.max(0, inputTokens), cacheRead + cacheWrite),
                Math.max(Math.max(0, outputTokens), reasoning), reasoning, cacheRead, cacheWrite);
    }

    /** The tokens of two calls together (the rounds of a tool loop); null counts as nothing reported. */
    public static Usage sum(Usage a, Usage b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return new Usage(a.inputTokens + b.inputTokens, a.outputTokens + b.outputTokens,
                a.reasoningTokens + b.reasoningTokens, a.cacheReadTokens + b.cacheReadTokens,
                a.cacheWriteTokens + b.cacheWriteTokens);
    }

    /** The input tokens neither read from nor written to a cache: those priced at the plain input rate. */
    public long uncachedInputTokens() {
        return inputTokens - cacheReadTokens - cacheWriteTokens;
    }
}
