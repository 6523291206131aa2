package dev.llmo.cost;

import dev.llmo.config.Pricing;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The price of a call: each kind of token times its per-million price of models.yaml, in exact decimals. The input
 * tokens read from and written to the provider's cache are counted at their own prices, the rest of the input at the
 * input price; reasoning tokens are part of the output tokens (the decoders make every provider's counts so, see
 * {@link Usage}) and cost the output price, once.
 */
public final class UsageCost {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private UsageCost() {
    }

    /** USD, or null when the price or the usage is unknown. */
    public static BigDecimal usd(Pricing pricing, Usage usage) {
        if (pricing == null || usage == null) {
            return null;
        }
        BigDecimal cost = pricing.inputPerMtok().multiply(BigDecimal.valueOf(usage.uncachedInputTokens()))
                .add(pricing.cacheReadRate().multiply(BigDecimal.valueOf(usage.cacheReadTokens())))
                .add(pricing.cacheWriteRate().multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .add(pricing.outputPerMtok().multiply(BigDecimal.valueOf(usage.outputTokens())));
        return perMillion(cost);
    }

    /**
     * USD of an answer from the provider's batch service: at the model's batch prices ({@link Pricing#batchRate()}),
     * else its live prices; null when the price or the usage is unknown.
     */
    public static BigDecimal batchUsd(Pricing pricing, Usage usage) {
        return usd(pricing == null ? null : pricing.batchRate(), usage);
    }

    /**
     * The most {@code inputTokens} and {@code outputTokens} can cost: every input token at the highest input price
     * (plain, cache read or cache write), every output token at the output price. Null when the price is unknown.
     */
    public static BigDecimal worstCase(Pricing pricing, long inputTokens, long outputTokens) {
        if (pricing == null) {
            return null;
        }
        return perMillion(pricing.highestInputRate().multiply(BigDecimal.valueOf(inputTokens))
                .add(pricing.outputPerMtok().multiply(BigDecimal.valueOf(outputTokens))));
    }

    private static BigDecimal perMillion(BigDecimal cost) {
        // 12 decimals: a micro-dollar has 6, and per-token prices need the rest
        BigDecimal result = cost.divide(MILLION, 12, RoundingMode.HALF_UP).stripTrailingZeros();
        return result.signum() == 0 ? BigDecimal.ZERO : result;
    }
}
