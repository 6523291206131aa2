package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun;
import dev.llmo.config.Pricing;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of token at its own price. The decoders normalise each provider's counts into {@link Usage} (cache
 * reads and writes are part of the input, reasoning part of the output), so the price adds each kind once.
 */
class UsageCostTest {
    private static final Pricing SONNET = new Pricing(new BigDecimal("3.00"), new BigDecimal("15.00"),
            new BigDecimal("0.30"), new BigDecimal("3.75"));

    private static BigDecimal usd(String value) {
        return new BigDecimal(value);
    }

    @Test
    void cacheReadsAndWritesCostTheirOwnPricesAndTheRestOfTheInputThePlainOne() {
        // 1,000 input tokens: 100 plain, 600 read from the cache, 300 written to it; 50 output tokens
        Usage usage = new Usage(1000, 50, 0, 600, 300);
        // 100 x 3 + 600 x 0.30 + 300 x 3.75 + 50 x 15 = 2,355 per million
        assertThat(UsageCost.usd(SONNET, usage)).isEqualByComparingTo(usd("0.002355"));
    }

    @Test
    void withoutCachedPricesCachedInputCostsThePlainInputPrice() {
        Pricing plain = new Pricing(new BigDecimal("3.00"), new BigDecimal("15.00"));
        assertThat(UsageCost.usd(plain, new Usage(1000, 50, 0, 600, 300)))
                .isEqualByComparingTo(UsageCost.usd(plain, Usage.of(1000, 50))).isEqualByComparingTo(usd("0.00375"));
    }

    @Test
    void reasoningTokensArePartOfTheOutputAndCountedOnce() {
        Pricing gpt5 = new Pricing(new BigDecimal("1.25"), new BigDecimal("10.00"), new BigDecimal("0.125"), null);
        // OpenAI: prompt_tokens 1,000 of which 800 cached; completion_tokens 500 of which 200 reasoning
        Usage usage = new Usage(1000, 500, 200, 800, 0);
        // 200 x 1.25 + 800 x 0.125 + 500 x 10 = 5,350 per million
        assertThat(UsageCost.usd(gpt5, usage)).isEqualByComparingTo(usd("0.00535"));
        assertThat(UsageCost.usd(gpt5, usage)).isEqualByComparingTo(UsageCost.usd(gpt5, new Usage(1000, 500, 0, 800, 0)));
    }

    @Test
    void theWorstCaseCountsEveryInputTokenAtTheHighestInputPrice() {
        // whether the cache is written is known only after the call: 1,000 x 3.75 + 8,192 x 15 per million
        assertThat(CostEstimate.of(SONNET, 1000, 8192L).usd()).isEqualByComparingTo(usd("0.12663"));
        assertThat(CostEstimate.of(new Pricing(new BigDecimal("3.00"), new BigDecimal("15.00")), 1000, 8192L).usd())
                .isEqualByComparingTo(usd("0.12588"));
        assertThat(CostEstimate.of(SONNET, 1000, null).known()).isFalse();
    }

    @Test
    void theBuiltInAnthropicModelsCarryTheirPublishedCachePricesAndOthersNone(@TempDir Path home) {
        CliRun.Result models = CliRun.in(home).run("models", "--json");

        assertThat(models.exitCode()).isZero();
        assertThat(models.out().lines().filter(line -> line.contains("\"id\":\"anthropic/claude-sonnet-4-5\"")))
                .singleElement().asString().contains("\"pricing\":{\"input_per_mtok\":3.00,\"output_per_mtok\":15.00,"
                        + "\"cached_input_per_mtok\":0.30,\"cache_write_per_mtok\":3.75}");
        assertThat(models.out().lines().filter(line -> line.contains("\"id\":\"openai/gpt-4o-mini\"")))
                .singleElement().asString().contains("\"cached_input_per_mtok\":null,\"cache_write_per_mtok\":null");
    }
}
