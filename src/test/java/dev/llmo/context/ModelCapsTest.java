package dev.llmo.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answer's limit the budgets price a request at. */
class ModelCapsTest {
    private static ModelRef model(Long maxOutputTokens) {
        Origin origin = Origin.of("user", "models.yaml");
        ModelSpec spec = new ModelSpec("m", List.of(), 128_000L, maxOutputTokens, null, Map.of(), origin);
        return new ModelRef(new ProviderConfig("p", ProviderType.OPENAI, "https://p.example/v1", "P_KEY", null, "m",
                List.of(spec), null, origin), spec);
    }

    @Test
    void aLimitOptionReplacesTheModelsLimit() {
        assertThat(ModelCaps.of(model(16_384L), Map.of()).maxOutputTokens()).isEqualTo(16_384L);
        assertThat(ModelCaps.of(model(16_384L), Map.of("max_tokens", 200)).maxOutputTokens()).isEqualTo(200L);
        assertThat(ModelCaps.of(model(null), Map.of("max_completion_tokens", "300")).maxOutputTokens()).isEqualTo(300L);
    }

    @Test
    void ofSeveralLimitOptionsTheLargestCountsWhicheverTheServerObeys() {
        Map<String, Object> openAi = new LinkedHashMap<>();
        openAi.put("max_tokens", 1);
        openAi.put("max_completion_tokens", 100_000);
        Map<String, Object> gemini = new LinkedHashMap<>();
        gemini.put("max_tokens", 1);
        gemini.put("maxOutputTokens", 65_536);

        assertThat(ModelCaps.of(model(16_384L), openAi).maxOutputTokens()).isEqualTo(100_000L);
        assertThat(ModelCaps.of(model(16_384L), gemini).outputBound(10)).isEqualTo(65_536L);
    }

    private static ModelSpec spec(Long window, Long maxOutputTokens, Long defaultMaxTokens) {
        return new ModelSpec("m", List.of(), window, maxOutputTokens, defaultMaxTokens, null, Map.of(),
                Origin.of("user", "models.yaml"));
    }

    @Test
    void theDefaultLimitIsTheConfiguredCapNeverAboveTheModelsLimitNorAQuarterOfAnUnknownLimitsWindow() {
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 64_000L, 8192L), Map.of())).isEqualTo(8192L);
        assertThat(ModelCaps.defaultLimit(spec(1_048_576L, 8192L, 8192L), Map.of())).isEqualTo(8192L);
        // the record itself keeps a model's default below its limit
        assertThat(spec(128_000L, 4096L, 8192L).defaultMaxTokens()).isEqualTo(4096L);
        assertThat(ModelCaps.defaultLimit(spec(128_000L, 4096L, 8192L), Map.of())).isEqualTo(4096L);
        assertThat(ModelCaps.defaultLimit(spec(8192L, null, 8192L), Map.of())).isEqualTo(2048L);
        assertThat(ModelCaps.defaultLimit(spec(null, null, 8192L), Map.of())).isEqualTo(8192L);
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 64_000L, null), Map.of())).isNull();
    }

    @Test
    void reasoningAddsItsThinkingTokensToTheDefaultLimitSoThatThinkingCannotEatTheAnswer() {
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 64_000L, 8192L), Map.of("reasoning_budget", 10_000L)))
                .isEqualTo(18_192L);
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 64_000L, 8192L), Map.of("reasoning_effort", "low")))
                .isEqualTo(8192L + 2048L);
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 64_000L, 8192L), Map.of("reasoning_effort", "none")))
                .isEqualTo(8192L);
        // a level only OpenAI models know counts as the highest the table has
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 100_000L, 8192L), Map.of("reasoning_effort", "xhigh")))
                .isEqualTo(8192L + 24_576L);
        assertThat(ModelCaps.defaultLimit(spec(200_000L, 16_000L, 8192L), Map.of("reasoning_budget", 10_000L)))
                .isEqualTo(16_000L);
    }

    @Test
    void theBudgetsCountTheDefaultLimitWhenNoOptionSetsOneAndTheModelsLimitWhenAMalformedOneDoes() {
        ModelSpec sonnet = spec(200_000L, 64_000L, 8192L);
        ModelRef model = new ModelRef(model(null).provider(), sonnet);

        assertThat(ModelCaps.of(model, Map.of()).outputBound(5)).isEqualTo(8192L);
        assertThat(ModelCaps.of(model, Map.of("max_tokens", 500L)).outputBound(5)).isEqualTo(500L);
        assertThat(ModelCaps.setsLimit(Map.of("maxOutputTokens", "lots"))).isTrue();
        assertThat(ModelCaps.of(model, Map.of("maxOutputTokens", "lots")).outputBound(5)).isEqualTo(64_000L);
        assertThat(ModelCaps.setsLimit(Map.of("temperature", 1))).isFalse();
    }
}
