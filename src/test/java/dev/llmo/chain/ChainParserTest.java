package dev.llmo.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.Settings;
import dev.llmo.config.YamlFiles;
import dev.llmo.failure.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainParserTest {
    @TempDir
    Path tmp;

    private static ChainDefinition parse(String yaml) {
        MapNode root = YamlFiles.parse(yaml, "config.yaml", "user");
        MapNode chains = (MapNode) root.get("chains");
        String name = chains.entries().keySet().iterator().next();
        return ChainParser.parse(name, chains.get(name));
    }

    @Test
    void compactFormFromTheSeed() {
        ChainDefinition chain = parse("chains:\n  my_chain:\n    - \"GenerateCode>/Developer)-gemini\"\n"
                + "    - \"Critique>/Tester)-anthropic\"\n");

        assertThat(chain.steps()).extracting(ChainStep::name).containsExactly("GenerateCode", "Critique");
        assertThat(chain.steps()).extracting(ChainStep::role).containsExactly("Developer", "Tester");
        assertThat(chain.steps().get(0).models()).containsExactly("gemini");
        assertThat(chain.steps().get(0).prompt().render(Map.of("input", "a parser"))).isEqualTo("GenerateCode\n\na parser");
        assertThat(chain.steps().get(1).prompt().variables()).containsExactly("previous");
    }

    @Test
    void yamlFormWithTemplatesParallelWhenAndRepeat() {
        ChainDefinition chain = parse(String.join("\n",
                "chains:",
                "  review:",
                "    description: Draft, review by two models, fix until approved",
                "    steps:",
                "      - name: draft",
                "        model: openai",
                "        role: Developer",
                "        prompt: \"Write {{ input }}\"",
                "      - name: critique",
                "        parallel: [anthropic, gemini]",
                "        prompt: \"Review:\\n{{draft}}\"",
                "      - name: fix",
                "        when: \"critique contains 'bug' or critique matches '(?i)error'\"",
                "        prompt: \"Fix {{draft}} given {{critique}}; last try: {{output}}\"",
                "        repeat: { until: \"output contains 'LGTM'\", max: 3 }",
                ""));

        assertThat(chain.description()).startsWith("Draft, review");
        ChainStep critique = chain.steps().get(1);
        assertThat(critique.parallel()).isTrue();
        assertThat(critique.models()).containsExactly("anthropic", "gemini");
        ChainStep fix = chain.steps().get(2);
        assertThat(fix.models()).isEmpty();
        assertThat(fix.when().test(Map.of("critique", "an Error here"))).isTrue();
        assertThat(fix.repeat().max()).isEqualTo(3);
        assertThat(fix.prompt().render(Map.of("draft", "d", "critique", "c", "output", "o")))
                .isEqualTo("Fix d given c; last try: o");
    }

    @Test
    void unknownTemplateVariableNamesChainStepAndSuggests() {
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - { name: a, prompt: \"{{input}}\" }\n"
                + "      - { name: b, prompt: \"{{aa}}\" }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config.yaml:5:")
                .hasMessageContaining("chain 'c', step 'b': the prompt uses unknown variable 'aa' (did you mean 'a'?)");
    }

    @Test
    void laterStepsAndOutputOutsideALoopAreUnknown() {
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - { name: a, prompt: \"{{b}}\" }\n"
                + "      - { name: b }\n")).hasMessageContaining("step 'a': the prompt uses unknown variable 'b'");
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - { name: a, prompt: \"{{output}}\" }\n"))
                .hasMessageContaining("unknown variable 'output'");
    }

    @Test
    void aChainWithAnEmptyListOfStepsSaysItHasNone() {
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps: []\n"))
                .hasMessageContaining("chain 'c': has no steps: give at least one");
    }

    @Test
    void loopsMustBeBounded() {
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - name: a\n"
                + "        repeat: { until: \"output contains 'ok'\" }\n"))
                .hasMessageContaining("chain 'c', step 'a': 'repeat' has no 'max': a loop must be bounded");
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - name: a\n"
                + "        repeat: { until: \"output contains 'ok'\", max: 0 }\n"))
                .hasMessageContaining("'repeat.max' must be a whole number from 1 to 100");
    }

    @Test
    void malformedCompactStepAndShapes() {
        assertThatThrownBy(() -> parse("chains:\n  c:\n    - \"Go-Developer)-x\"\n"))
                .hasMessageStartingWith("config.yaml:3:7: chain 'c': malformed compact step");
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - { name: a, modle: x }\n"))
                .hasMessageContaining("unknown key 'modle' (did you mean 'model'");
        assertThatThrownBy(() -> parse("chains:\n  c:\n    steps:\n      - { name: a, parallel: [x] }\n"))
                .hasMessageContaining("'parallel' must list at least two models");
        assertThatThrownBy(() -> parse("chains:\n  c:\n    - \"A>/R)-m\"\n    - \"A>/R)-m\"\n"))
                .hasMessageContaining("two steps are named 'A'");
        assertThatThrownBy(() -> parse("chains:\n  c: 5\n")).hasMessageContaining("must be a list of steps");
    }

    @Test
    void validatorChecksModelsAndRolesAgainstTheConfiguration() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("user"));
        Files.writeString(user.resolve("config.yaml"), "chains:\n  bad_model:\n    - \"A>/Developer)-gpt5o\"\n"
                + "  bad_role:\n    - \"A>/Developr)-openai\"\n");
        Settings settings = ConfigLoader.load(new AppDirs(user, tmp.resolve("data"), tmp.resolve("etc")), tmp, Map.of());

        assertThatThrownBy(() -> ChainValidator.load(settings, "bad_model")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("chain 'bad_model', step 'A': unknown model 'gpt5o'");
        assertThatThrownBy(() -> ChainValidator.load(settings, "bad_role"))
                .hasMessageContaining("chain 'bad_role', step 'A': unknown role 'Developr' (did you mean 'Developer'?)");
        assertThat(ChainValidator.load(settings, "code_review").steps()).hasSize(2);
    }

    /**
     * The configuration's trust check reads a chain's models without this package; every model a parsed chain would
     * send to, in either form, must be one it flagged when it leads to a provider only an untrusted project defines.
     */
    @Test
    void everyChainModelOfAProjectOnlyProviderIsAViolationWhenLoaded() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("user"));
        Path dotLlmo = Files.createDirectories(tmp.resolve("repo/.llmo"));
        Files.writeString(dotLlmo.resolve("models.yaml"),
                "theirs: { type: openai, base_url: \"http://theirs.example/v1\", default_model: big }\n");
        Files.writeString(dotLlmo.resolve("config.yaml"), """
                chains:
                  compact: ["A>/)- theirs/big ", "B)-x>/Developer)-theirs", "C>/)-theirs/y)-z", "D>/)-openai"]
                  steps:
                    steps:
                      - { name: one, model: theirs }
                      - { name: two, parallel: [openai, theirs/a, theirs/b] }
                      - { name: three, model: gemini }
                """);
        Settings settings = ConfigLoader.load(new AppDirs(user, tmp.resolve("data"), tmp.resolve("etc")),
                tmp.resolve("repo"), Map.of());

        long sent = 0;
        for (String chain : java.util.List.of("compact", "steps")) {
            for (ChainStep step : ChainValidator.load(settings, chain).steps()) {
                sent += step.models().stream()
                        .filter(m -> settings.catalog().resolve(m).provider().name().equals("theirs")).count();
            }
        }
        assertThat(sent).isEqualTo(6);
        assertThat(settings.untrusted()).extracting(v -> v.what())
                .filteredOn(what -> what.contains(" of chain '") && what.contains("to provider 'theirs'"))
                .hasSize(6);
    }
}
