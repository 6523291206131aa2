package dev.llmo.config;

import java.math.BigDecimal;

/** Spending limits in USD; a null limit is no limit. */
public record Budget(BigDecimal perRunUsd, BigDecimal dailyUsd) {
    public static final Budget NONE = new Budget(null, null);
}
