package dev.llmo.config;

import java.math.BigDecimal;

/** USD per million tokens, as models.yaml writes it. Exact decimals: money is never a double. */
public record Pricing(BigDecimal inputPerMtok, BigDecimal outputPerMtok) {
}
