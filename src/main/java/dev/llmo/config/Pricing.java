package dev.llmo.config;

import java.math.BigDecimal;

/**
 * USD per million tokens, as models.yaml writes it. Exact decimals: money is never a double. Reasoning tokens are
 * output tokens and cost the output price.
 *
 * @param cachedInputPerMtok input tokens read from the provider's prompt cache; null when unknown, and then they
 *                           cost the plain input price
 * @param cacheWritePerMtok  input tokens written to the provider's prompt cache; null when unknown, and then they
 *                           cost the plain input price
 */
public record Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok, BigDecimal cachedInputPerMtok,
                      BigDecimal cacheWritePerMtok) {

    /** Input and output prices only: cached input costs the plain input price. */
    public Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok) {
        this(inputPerMtok, outputPerMtok, null, null);
    }

    /** The price of an input token read from the cache. */
    public BigDecimal cacheReadRate() {
        return cachedInputPerMtok != null ? cachedInputPerMtok : inputPerMtok;
    }

    /** The price of an input token written to the cache. */
    public BigDecimal cacheWriteRate() {
        return cacheWritePerMtok != null ? cacheWritePerMtok : inputPerMtok;
    }

    /**
     * The most one input token can cost, cached or not: what a worst case counts every input token at, since whether
     * the provider reads or writes its cache is known only after the call.
     */
    public BigDecimal highestInputRate() {
        return inputPerMtok.max(cacheReadRate()).max(cacheWriteRate());
    }
}
