package dev.llmo.cost;

import dev.llmo.config.Pricing;
import java.math.BigDecimal;

/**
 * The most a request can cost before it is sent: every input token, and the answer at its limit.
 *
 * @param inputTokens      the request's input tokens
 * @param maxOutputTokens  the answer's limit; null when unknown
 * @param usd              {@code inputTokens × the highest input price + maxOutputTokens × output price}
 *                         ({@link UsageCost#worstCase}); null when the price or the answer's limit is unknown (never
 *                         0 for unknown)
 */
public record CostEstimate(long inputTokens, Long maxOutputTokens, BigDecimal usd) {
    /** The upper bound for a request to a model priced {@code pricing} (null: unknown price). */
    public static CostEstimate of(Pricing pricing, long inputTokens, Long maxOutputTokens) {
        BigDecimal usd = maxOutputTokens == null ? null : UsageCost.worstCase(pricing, inputTokens, maxOutputTokens);
        return new CostEstimate(inputTokens, maxOutputTokens, usd);
    }

    /** True when the price and the answer's limit are known. */
    public boolean known() {
        return usd != null;
    }
}
