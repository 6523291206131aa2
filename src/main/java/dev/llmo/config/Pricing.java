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
 * @param batch              the prices of a request sent through the provider's batch service (models.yaml
 *                           {@code pricing.batch}, or {@code batch_discount} of the model or its provider applied to
 *                           these); null when neither is set, and then a batch request costs these prices
 */
public record Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok, BigDecimal cachedInputPerMtok,
                      BigDecimal cacheWritePerMtok, Pricing batch) {

    public Pricing {
        if (batch != null && batch.batch() != null) {
            throw new IllegalArgumentException("batch prices have no batch prices of their own");
        }
    }

    /** Prices without batch prices: a batch request costs these. */
    public Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok, BigDecimal cachedInputPerMtok,
                   BigDecimal cacheWritePerMtok) {
        this(inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, null);
    }

    /** Input and output prices only: cached input costs the plain input price. */
    public Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok) {
        this(inputPerMtok, outputPerMtok, null, null);
    }

    /** The prices of a request answered by the provider's batch service. */
    public Pricing batchRate() {
        return batch != null ? batch : this;
    }

    /**
     * These prices with batch prices {@code discount} below them, every kind of token alike: {@code 0.5} is half
     * price (what OpenAI, Anthropic and Gemini charge for batches), {@code 0} the full price.
     */
    public Pricing withBatchDiscount(BigDecimal discount) {
        BigDecimal factor = BigDecimal.ONE.subtract(discount);
        return new Pricing(inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok,
                new Pricing(inputPerMtok.multiply(factor), outputPerMtok.multiply(factor),
                        cachedInputPerMtok == null ? null : cachedInputPerMtok.multiply(factor),
                        cacheWritePerMtok == null ? null : cacheWritePerMtok.multiply(factor)));
    }

    /** These prices with explicit batch prices. */
    public Pricing withBatch(Pricing batchPrices) {
        return new Pricing(inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, batchPrices);
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
