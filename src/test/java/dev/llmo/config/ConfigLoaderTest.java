package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;
    Path system;
    Path user;
    Path project;
    AppDirs dirs;

    @BeforeEach
    void setUp() throws IOException {
        system = Files.createDirectories(tmp.resolve("etc"));
        user = Files.createDirectories(tmp.resolve("home/.config/llmo"));
        project = Files.createDirectories(tmp.resolve("work/repo/sub/dir"));
        dirs = new AppDirs(user, tmp.resolve("data"), system);
    }

    private Settings load(Map<String, String> env) {
        return ConfigLoader.load(dirs, project, env);
    }

    @Test
    void builtInDefaultsHaveTheSixProviders() {
        Settings settings = load(Map.of());

        assertThat(settings.catalog().providers()).extracting(ProviderConfig::name)
                .containsExactly("openai", "anthropic", "gemini", "ollama", "openrouter", "groq");
        ProviderConfig ollama = settings.catalog().resolve("ollama").provider();
        assertThat(ollama.type()).isEqualTo(ProviderType.OPENAI);
        assertThat(ollama.apiKeyName()).isNull();
        assertThat(ollama.baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(settings.defaultModel().id()).isEqualTo("gemini/gemini-2.5-flash");
        assertThat(settings.roles()).containsKeys("Developer", "Tester", "Research", "Creative", "Technical", "Debug");
        assertThat(settings.budget()).isEqualTo(Budget.NONE);
    }

    @Test
    void layersApplyInOrderAndMapsMergeKeyByKey() throws IOException {
        Files.writeString(system.resolve("models.yaml"), "openai:\n  base_url: https://proxy.example/v1\n");
        Files.writeString(user.resolve("models.yaml"), "openai:\n  default_model: gpt-4.1\n");
        Path dotLlmo = Files.createDirectories(tmp.resolve("work/repo/.llmo"));
        Files.writeString(dotLlmo.resolve("config.yaml"), "main_llm: openai\n");

        Settings settings = load(Map.of());

        ModelRef ref = settings.defaultModel();
        assertThat(ref.id()).isEqualTo("openai/gpt-4.1");
        assertThat(ref.provider().baseUrl()).isEqualTo("https://proxy.example/v1");
        assertThat(ref.provider().apiKeyName()).isEqualTo("OPENAI_API_KEY");
        assertThat(settings.files()).contains(system.resolve("models.yaml").toString(),
                dotLlmo.resolve("config.yaml").toString());
    }

    @Test
    void listsReplaceAndTheModelShowsItsSourceLayer() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "ollama:\n  models:\n    - name: mistral:7b-instruct\n");

        Settings settings = load(Map.of());

        ProviderConfig ollama = settings.catalog().resolve("ollama/mistral:7b-instruct").provider();
        assertThat(ollama.models()).extracting(ModelSpec::name).containsExactly("mistral:7b-instruct");
        assertThat(ollama.models().get(0).origin().layer()).isEqualTo(ConfigLayer.USER);
        assertThat(settings.catalog().resolve("openai/gpt-4o").spec().origin().layer()).isEqualTo(ConfigLayer.BUILT_IN);
    }

    @Test
    void nullRemovesAProvider() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "groq: ~\n");

        assertThat(load(Map.of()).catalog().providers()).extracting(ProviderConfig::name).doesNotContain("groq");
    }

    @Test
    void environmentOverridesTheDefaultModel() {
        assertThat(load(Map.of("LLMO_MODEL", "sonnet")).defaultModel().id())
                .isEqualTo("anthropic/claude-sonnet-4-5");
    }

    @Test
    void nearestProjectDirWins() throws IOException {
        Files.createDirectories(tmp.resolve("work/.llmo"));
        Path nearer = Files.createDirectories(tmp.resolve("work/repo/.llmo"));

        assertThat(ConfigLoader.nearestProjectDir(project)).isEqualTo(nearer);
    }

    @Test
    void badYamlReportsPathLineColumn() throws IOException {
        Path file = user.resolve("models.yaml");
        Files.writeString(file, "openai:\n  models: [\n");

        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":3:");
    }

    @Test
    void wrongTypeOfValueReportsItsPosition() throws IOException {
        Path file = user.resolve("models.yaml");
        Files.writeString(file, "local:\n  type: openai\n  base_url: http://localhost:8000/v1\n  models:\n"
                + "    - name: qwen\n      context_window: lots\n");

        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":6:23: 'context_window' of model 'local/qwen' must be a whole number above 0, "
                        + "got text \"lots\"");
    }

    @Test
    void unknownProviderTypeSuggestsTheClosest() throws IOException {
        Path file = user.resolve("models.yaml");
        Files.writeString(file, "vllm:\n  type: opena\n  base_url: http://localhost:8000/v1\n");

        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":2:9: unknown provider type 'opena' (did you mean 'openai'?)")
                .extracting(e -> ((ConfigException) e).fix()).asString().contains("openai, anthropic, gemini");
    }

    @Test
    void aMisspelledModelKeyIsAnErrorWhereOtherKeysAreRequestOptions() throws IOException {
        Path file = user.resolve("models.yaml");
        String provider = "local:\n  type: openai\n  base_url: http://localhost:8000/v1\n  models:\n";
        Map<String, String> typos = Map.of(
                "    - name: m1\n      context_windw: 5\n", ":6:7: unknown key 'context_windw' in model 'local/m1' "
                        + "(did you mean 'context_window'?)",
                "    - name: m1\n      max_output_token: 100\n", ":6:7: unknown key 'max_output_token' in model "
                        + "'local/m1' (did you mean 'max_output_tokens'?)",
                "    - name: m1\n      prcing: { input_per_mtok: 1, output_per_mtok: 2 }\n", ":6:7: unknown key "
                        + "'prcing' in model 'local/m1' (did you mean 'pricing'?)",
                "    - name: m1\n      aliasses: [q]\n", ":6:7: unknown key 'aliasses' in model 'local/m1' (did you "
                        + "mean 'aliases'?)",
                "    - { nmae: m1 }\n", ":5:9: unknown key 'nmae' in a model of provider 'local' (did you mean "
                        + "'name'?)");
        for (Map.Entry<String, String> typo : typos.entrySet()) {
            Files.writeString(file, provider + typo.getKey());
            assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessage(file + typo.getValue());
        }

        Files.writeString(file, provider + "    - name: m1\n      max_tokens: 100\n      top_p: 0.9\n"
                + "      reasoning_effort: low\n      seed: 1\n");
        assertThat(load(Map.of()).catalog().resolve("local/m1").spec().options()).as("request options, not typos")
                .containsOnlyKeys("max_tokens", "top_p", "reasoning_effort", "seed");
    }

    /**
     * The built-in providers no layer changed bind their models when first read; they are the models binding every
     * one at once gives (the check of the built-in file a run no longer makes at start), config.yaml's default answer
     * limit included; a provider a layer touches is bound, and checked, at load.
     */
    @Test
    void builtInModelsBoundWhenFirstReadAreThoseBoundAtOnceAndAChangedProviderIsCheckedAtLoad() throws IOException {
        String defaults = "defaults:\n  max_tokens: 1234\n";
        Files.writeString(user.resolve("config.yaml"), defaults);
        Files.writeString(user.resolve("models.yaml"), "groq:\n  api_key_name: MY_GROQ_KEY\n");
        ModelCatalog catalog = load(Map.of()).catalog();
        ProviderConfig groq = catalog.resolve("groq").provider();
        assertThat(groq.models()).isNotInstanceOf(SettingsBinder.ModelsBoundLater.class);
        assertThat(groq.apiKeyName()).isEqualTo("MY_GROQ_KEY");

        MapNode config = YamlFiles.parse(defaults, "config.yaml", ConfigLayer.USER);
        Map<String, byte[]> files = ConfigLoader.builtIn();
        Map<String, MapNode> snapshot = ConfigSnapshot.builtIn(files);
        MapNode builtIn = snapshot != null ? snapshot.get(ConfigLoader.MODELS_FILE) : YamlFiles.parse(new String(
                files.get(ConfigLoader.MODELS_FILE), java.nio.charset.StandardCharsets.UTF_8),
                ConfigLoader.builtInName(ConfigLoader.MODELS_FILE), ConfigLayer.BUILT_IN);
        SettingsBinder.bind(new MapNode(Map.of(), Origin.of(ConfigLayer.BUILT_IN, "config.yaml")), builtIn,
                Map.of(), java.util.List.of(), new ConfigDigest(), null, java.util.List.of()); // the file binds whole
        for (ProviderConfig provider : catalog.providers()) {
            if (provider == groq) {
                continue;
            }
            assertThat(provider.models()).as(provider.name()).isInstanceOf(SettingsBinder.ModelsBoundLater.class);
            MapNode alone = new MapNode(Map.of(provider.name(), builtIn.get(provider.name())), builtIn.origin());
            ProviderConfig atOnce = SettingsBinder.bind(config, alone, Map.of(), java.util.List.of(),
                    new ConfigDigest(), null, java.util.List.of()).catalog().providers().iterator().next();
            assertThat(provider).as(provider.name()).isEqualTo(atOnce);
            assertThat(provider.models()).isNotEmpty().allMatch(m -> m.defaultMaxTokens() != null);
        }
    }

    @Test
    void aNameOrAliasTwiceUnderOneProviderIsReportedAtLoad() throws IOException {
        Path file = user.resolve("models.yaml");
        String provider = "local:\n  type: openai\n  base_url: http://localhost:8000/v1\n";

        Files.writeString(file, provider + "  models: [m1, m1]\n");
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:16: model 'm1' is listed twice under provider 'local' (the first at 4:12)");
        Files.writeString(file, provider + "  models:\n    - { name: m1, aliases: [q] }\n"
                + "    - { name: m2, aliases: [q] }\n");
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":6:7: 'q' names two models of provider 'local': local/m1 and local/m2 (the first "
                        + "at 5:7)");
        Files.writeString(file, provider + "  models:\n    - { name: m1, aliases: [q, q, m1] }\n"
                + "other:\n  type: openai\n  base_url: http://localhost:8001/v1\n  models: [m1]\n");
        assertThat(load(Map.of()).catalog().resolve("q").id()).as("twice in one entry, or under two providers")
                .isEqualTo("local/m1");
    }

    @Test
    void providerWithoutTypeNeedsOne() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "vllm:\n  base_url: http://localhost:8000/v1\n");

        assertThatThrownBy(() -> load(Map.of())).hasMessageContaining("provider 'vllm' needs a type");
    }

    @Test
    void unknownKeySuggestsTheClosest() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_ur: http://x\n");

        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("unknown key 'base_ur' in provider 'openai' (did you mean 'base_url'?)");
    }

    @Test
    void badBaseUrlIsRejected() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_url: api.openai.com\n");

        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageEndingWith("base_url 'api.openai.com' is not an http:// or https:// URL");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"99999", "0", "65536"})
    void aBaseUrlWithAPortOkHttpRefusesIsAConfigErrorAtItsPlace(String port) throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_url: \"http://127.0.0.1:" + port + "/v1\"\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.exitCode().code()).isEqualTo(3))
                .hasMessage(user.resolve("models.yaml") + ":2:13: base_url 'http://127.0.0.1:" + port
                        + "/v1' has an invalid port; a port is a number from 1 to 65535");
        assertThat(okhttp3.HttpUrl.parse("http://127.0.0.1:" + port + "/v1")).as("what OkHttp would refuse").isNull();
    }

    @Test
    void aBadBaseUrlIsShownWithoutItsPassword() throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_url: ftp://me:hunter2@x.org/v1\n");

        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageEndingWith("base_url 'ftp://***@x.org/v1' is not an http:// or https:// URL");
    }

    /** java.net.URI and OkHttp take "tok" for the host here: the API key would go there, and messages show it. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"https://tok/en@proxy.example/v1",
        "https://user:1234#56@proxy.example/v1", "https://user:12/x@proxy.example/v1"})
    void aBaseUrlWhosePasswordAParserWouldTakeForTheHostIsRefusedWithoutShowingIt(String url) throws IOException {
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_url: \"" + url + "\"\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.exitCode().code()).isEqualTo(3))
                .hasMessageEndingWith("base_url 'https://***@proxy.example/v1' has a user name or password with an "
                        + "unescaped '/', '?', '#' or '@', which a URL parser reads as part of the host or path")
                // the message less its file's path: a random temporary directory may hold "12/" or "1234"
                .satisfies(e -> assertThat(e.getMessage().replace(user.toString(), "<dir>"))
                        .doesNotContain("tok", "1234", "12/"));
        Files.writeString(user.resolve("models.yaml"), "openai:\n  base_url: \"https://tok%2Fen@proxy.example/v1\"\n");
        assertThat(load(Map.of())).isNotNull();
    }

    @Test
    void unknownRoleAndChainSuggestTheClosest() {
        Settings settings = load(Map.of());

        assertThatThrownBy(() -> settings.role("Develper")).isInstanceOf(ConfigException.class)
                .hasMessage("unknown role 'Develper' (did you mean 'Developer'?)");
        assertThatThrownBy(() -> settings.chain("code-review")).isInstanceOf(ConfigException.class)
                .hasMessage("unknown chain 'code-review' (did you mean 'code_review'?)");
    }

    @Test
    void rolesInheritSystemPromptAndOptions() throws IOException {
        Files.writeString(user.resolve("config.yaml"), "roles:\n  Reviewer:\n    system: Review it.\n"
                + "    inherits: developer\n    options: { temperature: 0.2 }\n");

        Role reviewer = load(Map.of()).role("reviewer");

        assertThat(reviewer.system()).startsWith("You are a senior software engineer.").endsWith("\n\nReview it.");
        assertThat(reviewer.options()).containsEntry("temperature", new java.math.BigDecimal("0.2"));
    }

    @Test
    void anUnknownParentIsReportedAtItsInheritsLineAndTheRoleItselfIsNeverSuggested() throws IOException {
        Path file = user.resolve("config.yaml");
        Files.writeString(file, "roles:\n  Dev:\n    system: hi\n    inherits: Developr\n");

        assertThatThrownBy(() -> load(Map.of()).role("Dev"))
                .hasMessage(file + ":4:15: role 'Dev' inherits unknown role 'Developr' (did you mean 'Developer'?)");
    }

    @Test
    void inheritanceCycleIsAnError() throws IOException {
        Files.writeString(user.resolve("config.yaml"), "roles:\n  A: { system: a, inherits: B }\n"
                + "  B: { system: b, inherits: A }\n");

        assertThatThrownBy(() -> load(Map.of()).role("A")).hasMessageContaining("roles inherit in a circle: A -> B -> A");
    }

    @Test
    void mainLlmPointingAtAnUnknownModelNamesItsLine() throws IOException {
        Path file = user.resolve("config.yaml");
        Files.writeString(file, "budget: { daily_usd: 5 }\nmain_llm: { provider: gemini, model: gemini-1.5-flash-latest }\n");

        Settings settings = load(Map.of());
        // A model not listed under its provider is sent as is: the seed's old default still resolves.
        assertThat(settings.defaultModel().id()).isEqualTo("gemini/gemini-1.5-flash-latest");
        assertThat(settings.defaultModel().spec().contextWindow()).isNull();
        assertThat(settings.budget().dailyUsd()).isEqualByComparingTo("5");

        Files.writeString(file, "main_llm: gemnii\n");
        assertThatThrownBy(() -> load(Map.of()).defaultModel())
                .hasMessageStartingWith(file + ":1:11: main_llm: unknown model 'gemnii' (did you mean 'gemini'");
    }

    @Test
    void appDirsFollowLlmoHomeThenXdg() {
        Path home = Path.of("/home/u");
        assertThat(AppDirs.fromEnvironment(Map.of("LLMO_HOME", "/opt/l"), home))
                .isEqualTo(new AppDirs(Path.of("/opt/l"), Path.of("/opt/l"), Path.of("/etc/llmo")));
        AppDirs xdg = AppDirs.fromEnvironment(Map.of("XDG_CONFIG_HOME", "/c", "XDG_DATA_HOME", "relative/ignored"), home);
        assertThat(xdg.configDir()).isEqualTo(Path.of("/c/llmo"));
        assertThat(xdg.dataDir()).isEqualTo(Path.of("/home/u/.local/share/llmo"));
        assertThat(xdg.conversationsDir()).isEqualTo(Path.of("/home/u/.local/share/llmo/conversations"));
    }
}
