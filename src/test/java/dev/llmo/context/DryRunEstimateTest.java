package dev.llmo.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.Pricing;
import dev.llmo.provider.ChatMessage;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryRunEstimateTest {
    private static final Pricing GPT_4O_MINI = new Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"));

    private static ContextReport report(long inputTokens, int dropped, boolean exact) {
        return new ContextReport(null, List.of(ChatMessage.user("hi")), inputTokens, exact, 100_000L, dropped, 1,
                dropped / 2, 0);
    }

    @Test
    void jsonHasTheNumbersOfOneModel() throws Exception {
        ModelCaps caps = new ModelCaps("openai/gpt-4o-mini", 128_000L, 16_384L);
        DryRunEstimate estimate = DryRunEstimate.of(caps, GPT_4O_MINI, report(1_234, 4, true));

        // 1,234 × 0.15 + 16,384 × 0.60 = 185.1 + 9,830.4 = 10,015.5 micro-USD
        assertThat(estimate.estimatedCostUsd()).isEqualByComparingTo("0.0100155");
        String json = new ObjectMapper().writeValueAsString(estimate.toJson());
        assertThat(json).isEqualTo("{\"model\":\"openai/gpt-4o-mini\",\"input_tokens\":1234,\"input_tokens_exact\":true,"
                + "\"context_window\":128000,\"max_output_tokens\":16384,\"dropped_messages\":4,"
                + "\"estimated_cost_usd\":0.010016}");
        assertThat(estimate.human()).isEqualTo("openai/gpt-4o-mini: 1,234 input tokens (exact) of a 128,000-token "
                + "window, up to 16,384 output tokens; 4 old messages dropped to fit; at most $0.0100");
    }

    @Test
    void unknownPriceAndWindowAreNullNeverZero() throws Exception {
        ModelCaps caps = new ModelCaps("ollama/llama3.2", null, null);
        DryRunEstimate estimate = DryRunEstimate.of(caps, null, report(50, 0, false));
        String json = new ObjectMapper().writeValueAsString(estimate.toJson());
        assertThat(json).contains("\"context_window\":null", "\"max_output_tokens\":null",
                "\"estimated_cost_usd\":null", "\"input_tokens_exact\":false");
        assertThat(estimate.human()).isEqualTo("ollama/llama3.2: 50 input tokens (estimated) of an unknown window, "
                + "output limit unknown; nothing dropped; cost unknown (no price or output limit in models.yaml)");
    }

    @Test
    void withoutAnOutputLimitTheCostBoundIsWhatTheWindowLeaves() {
        ModelCaps caps = new ModelCaps("x/y", 1_000L, null);
        DryRunEstimate estimate = DryRunEstimate.of(caps, GPT_4O_MINI, report(400, 0, true));
        assertThat(estimate.maxOutputTokens()).isEqualTo(600);
        assertThat(estimate.estimatedCostUsd()).isEqualByComparingTo("0.00042"); // 400 × 0.15 + 600 × 0.60 µ$
    }

    @Test
    void tinyCostsStayPlainDecimalsInJson() throws Exception {
        Pricing cheap = new Pricing(new BigDecimal("0.01"), new BigDecimal("0.01"));
        DryRunEstimate estimate = DryRunEstimate.of(new ModelCaps("x/y", 100L, 10L), cheap, report(20, 0, true));
        // 30 tokens × $0.01 per million = 3e-7 USD: rounded up to a micro-dollar, never "3E-7"
        assertThat(new ObjectMapper().writeValueAsString(estimate.toJson())).contains("\"estimated_cost_usd\":0.000001");
    }
}
