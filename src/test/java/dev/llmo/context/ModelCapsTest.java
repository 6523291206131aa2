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
}
