package dev.llmo.cost;

import dev.llmo.config.Pricing;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** The price of a call: tokens times the per-million prices of models.yaml, in exact decimals. */
public final class UsageCost {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private UsageCost() {
    }

    /** USD, or null when the price or the usage is unknown. */
    public static BigDecimal usd(Pricing pricing, Usage usage) {
        if (pricing == null || usage == null) {
            return null;
        }
        BigDecimal cost = pricing.inputPerMtok().multiply(BigDecimal.valueOf(usage.inputTokens()))
                .add(pricing.outputPerMtok().multiply(BigDecimal.valueOf(usage.outputTokens())));
        // 12 decimals: a micro-dollar has 6, and per-token prices need the rest
        BigDecimal result = cost.divide(MILLION, 12, RoundingMode.HALF_UP).stripTrailingZeros();
        return result.signum() == 0 ? BigDecimal.ZERO : result;
    }
}
