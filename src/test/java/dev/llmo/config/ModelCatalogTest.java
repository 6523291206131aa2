package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {
    private final ModelCatalog catalog = ConfigLoader.load(
            new AppDirs(Path.of("/nonexistent/u"), Path.of("/nonexistent/d"), Path.of("/nonexistent/etc")),
            Path.of("/nonexistent/w"), Map.of()).catalog();

    @Test
    void providerSlashModel() {
        assertThat(catalog.resolve("openai/gpt-4o-mini").id()).isEqualTo("openai/gpt-4o-mini");
    }

    @Test
    void providerAloneIsItsDefaultModel() {
        assertThat(catalog.resolve("anthropic").id()).isEqualTo("anthropic/claude-sonnet-4-5");
    }

    @Test
    void aliasAndUniqueBareName() {
        assertThat(catalog.resolve("4o-mini").id()).isEqualTo("openai/gpt-4o-mini");
        assertThat(catalog.resolve("claude-haiku-4-5").id()).isEqualTo("anthropic/claude-haiku-4-5");
    }

    @Test
    void namesMayContainSlashesColonsAndDots() {
        assertThat(catalog.resolve("openrouter/meta-llama/llama-3.3-70b-instruct:free").modelName())
                .isEqualTo("meta-llama/llama-3.3-70b-instruct:free");
        assertThat(catalog.resolve("groq/openai/gpt-oss-120b").provider().name()).isEqualTo("groq");
        // a bare name listed under exactly one provider, even when its prefix is another provider's name
        assertThat(catalog.resolve("openai/gpt-oss-20b").id()).isEqualTo("groq/openai/gpt-oss-20b");
        assertThat(catalog.resolve("ollama/llama3.2:3b-instruct-q4_K_M+x@v1").modelName())
                .isEqualTo("llama3.2:3b-instruct-q4_K_M+x@v1");
    }

    @Test
    void unlistedModelOfAKnownProviderIsSentAsIs() {
        ModelRef ref = catalog.resolve("openai/gpt-6-preview");
        assertThat(ref.id()).isEqualTo("openai/gpt-6-preview");
        assertThat(ref.spec().pricing()).isNull();
        assertThat(ref.spec().contextWindow()).isNull();
    }

    @Test
    void nativeProviderWinsOverAReseller() {
        // openai/gpt-4o-mini is also an OpenRouter model name; the provider prefix reading comes first
        assertThat(catalog.resolve("openai/gpt-4o-mini").provider().name()).isEqualTo("openai");
        assertThat(catalog.resolve("openrouter/openai/gpt-4o-mini").provider().name()).isEqualTo("openrouter");
    }

    @Test
    void unknownModelSuggestsFullReferences() {
        assertThatThrownBy(() -> catalog.resolve("gpt4o")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown model 'gpt4o' (did you mean 'openai/gpt-4o'");
        assertThatThrownBy(() -> catalog.resolve("sonet")).as("an alias is named, with what it stands for")
                .hasMessage("unknown model 'sonet' (did you mean 'sonnet' (anthropic/claude-sonnet-4-5)?)");
        assertThatThrownBy(() -> catalog.resolve("bogus")).as("'opus' is two edits away: no guess")
                .hasMessage("unknown model 'bogus'");
        ModelCatalog withShortAlias = new ModelCatalog(Map.of("fake", new ProviderConfig("fake", ProviderType.OPENAI,
                "http://localhost/v1", null, null, "m1", java.util.List.of(new ModelSpec("m1", java.util.List.of("one"), null, null, null,
                null, Map.of(), Origin.of("test", "test"))), null, Origin.of("test", "test"))));
        assertThatThrownBy(() -> withShortAlias.resolve("sonet")).as("'one' is inside 'sonet', nothing more")
                .hasMessage("unknown model 'sonet'");
        assertThatThrownBy(() -> catalog.resolve("opneai/gpt-4o"))
                .hasMessageStartingWith("unknown model 'opneai/gpt-4o'")
                .extracting(e -> ((ConfigException) e).fix()).asString()
                .contains("'opneai' is not a configured provider");
    }

    @Test
    void ambiguousBareNameAsksForTheProvider() {
        ModelCatalog twoProviders = new ModelCatalog(Map.of(
                "a", provider("a", "shared"), "b", provider("b", "shared")));

        assertThatThrownBy(() -> twoProviders.resolve("shared")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listed under several providers");
    }

    @Test
    void emptyReferenceIsAUsageError() {
        assertThatThrownBy(() -> catalog.resolve(" ")).isInstanceOf(UsageException.class);
    }

    private static ProviderConfig provider(String name, String model) {
        Origin origin = Origin.of("user", "models.yaml");
        return new ProviderConfig(name, ProviderType.OPENAI, "http://localhost", null, null, model,
                java.util.List.of(ModelSpec.unlisted(model, origin)), null, origin);
    }
}
