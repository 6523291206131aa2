package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.Pricing;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class UsdTest {
    private static final Pricing GPT_4O_MINI = new Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"));

    @Test
    void reportedUsageTimesThePriceIsExact() {
        // 12 × 0.15 + 5 × 0.60 = 4.8 micro-USD
        BigDecimal usd = UsageCost.usd(GPT_4O_MINI, Usage.of(12, 5));
        assertThat(usd).isEqualByComparingTo("0.0000048");
        assertThat(Usd.toMicro(usd)).isEqualTo(5L);
        assertThat(Usd.toMicro(new BigDecimal("0.0000044"))).isEqualTo(4L);
        assertThat(Usd.toMicro(new BigDecimal("12.5"))).isEqualTo(12_500_000L);
        assertThat(Usd.ofMicro(48)).isEqualByComparingTo("0.000048");
        // a million input and output tokens of gpt-4o-mini: 0.15 + 0.60
        assertThat(UsageCost.usd(GPT_4O_MINI, Usage.of(1_000_000, 1_000_000))).isEqualByComparingTo("0.75");
    }

    @Test
    void aTotalWithUnknownPartsSaysSoTheSameWayEverywhere() {
        assertThat(Usd.formatTotal(48, 0, 1)).isEqualTo("$0.000048");
        assertThat(Usd.formatTotal(48, 1, 2)).isEqualTo("$0.000048 + 1 unknown");
        assertThat(Usd.formatTotal(0, 2, 2)).isEqualTo("unknown");
        assertThat(Usd.formatTotal(0, 0, 0)).isEqualTo("$0.00");
        assertThat(Usd.formatCall(null)).isEqualTo("cost unknown");
        assertThat(Usd.formatCall(12_500_000L)).isEqualTo("$12.50");
    }

    @Test
    void unknownPriceStaysUnknownNeverZero() {
        assertThat(UsageCost.usd(null, Usage.of(10, 10))).isNull();
        assertThat(Usd.toMicro(null)).isNull();
        assertThat(Usd.format(null)).isEqualTo("unknown");
        assertThat(CostEstimate.of(null, 10, 10L).usd()).isNull();
        assertThat(CostEstimate.of(GPT_4O_MINI, 10, null).known()).isFalse();
        assertThat(Usd.forJson(null)).isNull();
    }

    @Test
    void estimatesAreInputAtItsPriceAndTheAnswerAtItsLimit() {
        CostEstimate estimate = CostEstimate.of(GPT_4O_MINI, 1_234, 16_384L);
        assertThat(estimate.usd()).isEqualByComparingTo("0.0100155");
        assertThat(CostEstimate.of(new Pricing(BigDecimal.ZERO, BigDecimal.ZERO), 1_000, 1_000L).usd())
                .isEqualByComparingTo("0"); // a free local model is known to be free
    }

    @Test
    void formatsForPeople() {
        assertThat(Usd.format(new BigDecimal("4.99"))).isEqualTo("$4.99");
        assertThat(Usd.format(new BigDecimal("5"))).isEqualTo("$5.00");
        assertThat(Usd.format(new BigDecimal("1234.5678"))).isEqualTo("$1234.57");
        assertThat(Usd.format(new BigDecimal("0.0123"))).isEqualTo("$0.0123");
        assertThat(Usd.format(new BigDecimal("0.0100155"))).isEqualTo("$0.0100");
        assertThat(Usd.format(new BigDecimal("0.01"))).isEqualTo("$0.01");
        assertThat(Usd.format(new BigDecimal("0.5"))).isEqualTo("$0.50");
        assertThat(Usd.format(new BigDecimal("0.0000048"))).isEqualTo("$0.0000048");
        assertThat(Usd.format(BigDecimal.ZERO)).isEqualTo("$0.00");
        assertThat(Usd.formatMicro(48)).isEqualTo("$0.000048");
        assertThat(Usd.formatMicro(12_500_000)).isEqualTo("$12.50");
        assertThat(Usd.formatMicro(0)).isEqualTo("$0.00");
    }

    @Test
    void jsonAmountsArePlainDecimals() {
        assertThat(Usd.forJson(new BigDecimal("1000")).toString()).isEqualTo("1000");
        assertThat(Usd.forJson(new BigDecimal("0.00000048")).toString()).isEqualTo("0.000001");
        assertThat(Usd.forJson(new BigDecimal("0.0100155")).toString()).isEqualTo("0.010016");
        assertThat(Usd.forJson(BigDecimal.ZERO).toString()).isEqualTo("0");
    }

    @Test
    void countsAreGroupedAsTheFormattersGroupingIs() {
        long[] edges = {0, 7, -7, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -123_456_789, Long.MAX_VALUE,
            Long.MIN_VALUE};
        for (long value : edges) {
            assertThat(Usd.count(value)).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", value));
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            assertThat(Usd.count(value)).as("%d", value).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", value));
        }
        assertThat(Usd.count(1_234_567)).isEqualTo("1,234,567");
    }
}
