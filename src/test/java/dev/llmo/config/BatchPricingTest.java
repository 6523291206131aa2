package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.cost.UsageCost;
import dev.llmo.failure.ConfigException;
import dev.llmo.message.Usage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** models.yaml's batch prices: {@code batch_discount} of a provider or a model, or {@code pricing.batch}. */
class BatchPricingTest {
    @TempDir
    Path tmp;
    Path user;
    Path project;
    AppDirs dirs;

    @BeforeEach
    void setUp() throws IOException {
        user = Files.createDirectories(tmp.resolve("home/.config/llmo"));
        project = Files.createDirectories(tmp.resolve("work/repo"));
        dirs = new AppDirs(user, tmp.resolve("data"), Files.createDirectories(tmp.resolve("etc")));
    }

    private Settings load() {
        return ConfigLoader.load(dirs, project, Map.of());
    }

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    @Test
    void theBuiltInProvidersBatchAtHalfPriceAndLocalServersHaveNoBatchPrice() {
        Settings settings = load();
        for (String model : new String[] {"openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5",
                "gemini/gemini-2.5-flash"}) {
            Pricing pricing = settings.catalog().resolve(model).spec().pricing();
            assertThat(pricing.batchRate().inputPerMtok()).as(model)
                    .isEqualByComparingTo(pricing.inputPerMtok().divide(d("2")));
            assertThat(pricing.batchRate().outputPerMtok()).as(model)
                    .isEqualByComparingTo(pricing.outputPerMtok().divide(d("2")));
        }
        Pricing sonnet = settings.catalog().resolve("anthropic/claude-sonnet-4-5").spec().pricing();
        assertThat(sonnet.batchRate().cacheReadRate()).isEqualByComparingTo(sonnet.cacheReadRate().divide(d("2")));
    }

    @Test
    void aModelsOwnDiscountOrExplicitBatchPricesWinOverTheProviders() throws IOException {
        Files.writeString(user.resolve("models.yaml"), """
                paid:
                  type: openai
                  base_url: https://paid.example/v1
                  api_key_name: PAID_API_KEY
                  batch_discount: 0.5
                  models:
                    - { name: plain, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }
                    - { name: own, batch_discount: 0.25, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }
                    - { name: explicit, pricing: { input_per_mtok: 2, output_per_mtok: 8, batch: { input_per_mtok: 1.5, output_per_mtok: 7 } } }
                    - { name: unpriced, batch_discount: 0.5 }
                other:
                  type: openai
                  base_url: https://other.example/v1
                  models: [{ name: m, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }]
                """);
        Settings settings = load();

        Pricing plain = settings.catalog().resolve("paid/plain").spec().pricing();
        assertThat(plain.batchRate().inputPerMtok()).isEqualByComparingTo("1");
        assertThat(plain.batchRate().outputPerMtok()).isEqualByComparingTo("4");
        Pricing own = settings.catalog().resolve("paid/own").spec().pricing();
        assertThat(own.batchRate().inputPerMtok()).isEqualByComparingTo("1.5");
        assertThat(own.batchRate().outputPerMtok()).isEqualByComparingTo("6");
        Pricing explicit = settings.catalog().resolve("paid/explicit").spec().pricing();
        assertThat(explicit.batchRate().inputPerMtok()).isEqualByComparingTo("1.5");
        assertThat(explicit.batchRate().outputPerMtok()).isEqualByComparingTo("7");
        assertThat(settings.catalog().resolve("paid/unpriced").spec().pricing()).isNull();
        assertThat(settings.catalog().resolve("paid/unpriced").spec().options()).doesNotContainKey("batch_discount");
        Pricing other = settings.catalog().resolve("other/m").spec().pricing();
        assertThat(other.batchRate()).isSameAs(other);

        Usage usage = Usage.reported(1_000_000, 500_000, 0, 0, 0);
        assertThat(UsageCost.usd(plain, usage)).isEqualByComparingTo("6");
        assertThat(UsageCost.batchUsd(plain, usage)).isEqualByComparingTo("3");
        assertThat(UsageCost.batchUsd(other, usage)).isEqualByComparingTo("6");
        assertThat(UsageCost.batchUsd(null, usage)).isNull();
    }

    @Test
    void aDiscountAboveOneIsAConfigurationErrorWithItsPlace() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  batch_discount: 1.5\n");
        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("models.yaml:2:19: 'batch_discount' of provider 'openai' must be between 0 "
                        + "and 1");
        Files.writeString(user.resolve("models.yaml"), "openai:\n  models:\n    - { name: x, pricing: { input_per_mtok: 1, "
                + "output_per_mtok: 1, batch: { input_per_mtok: 1 } } }\n");
        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'pricing.batch' of model 'openai/x' needs both input_per_mtok and "
                        + "output_per_mtok");
    }

    @Test
    void anUntrustedProjectMayNotLowerTheBatchPriceOfAKeyedProvider() throws IOException {
        Path dotLlmo = Files.createDirectories(project.resolve(".llmo"));
        Files.writeString(user.resolve("models.yaml"), """
                paid:
                  type: openai
                  base_url: https://paid.example/v1
                  api_key_name: PAID_API_KEY
                  batch_discount: 0.5
                  models:
                    - { name: big, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }
                """);
        Files.writeString(dotLlmo.resolve("models.yaml"), """
                paid:
                  batch_discount: 0.9
                  models:
                    - { name: big, pricing: { input_per_mtok: 2, output_per_mtok: 8, batch: { input_per_mtok: 0.1, output_per_mtok: 8 } } }
                """);
        String models = dotLlmo.resolve("models.yaml").toString();

        assertThat(load().untrusted()).extracting(v -> v.origin().where() + ": " + v.what()).containsExactly(
                models + ":2:19: batch_discount of provider 'paid' to 0.9, above the trusted 0.5 (batch requests "
                        + "would be priced below what the trusted layers say)",
                models + ":4:20: pricing of model 'paid/big' to $2 in / $8 out (batch $0.1 in / $8 out), below "
                        + "the trusted $2 in / $8 out (batch $1 in / $4 out) per million tokens");

        Files.writeString(dotLlmo.resolve("models.yaml"), """
                paid:
                  batch_discount: 0.5
                  models:
                    - { name: big, pricing: { input_per_mtok: 2, output_per_mtok: 8 } }
                """);
        assertThat(load().untrusted()).isEmpty();
    }
}
