package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.http.ReservedOptions;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which options each wire format refuses before anything is sent: the keys its request builder writes, tool calling,
 * more than one answer, output other than text. A usage error (exit 2) from {@code -o} or a role, a configuration
 * error (exit 3) as a model's default in models.yaml.
 */
class ReservedOptionsTest {
    private static final ModelSpec PLAIN = ModelSpec.unlisted("m", Origin.of("models.yaml", "models.yaml:3"));

    private static ModelSpec withDefault(String name, Object value) {
        return new ModelSpec("m", List.of(), null, null, null, Map.of(name, value),
                Origin.of("models.yaml", "models.yaml:7"));
    }

    /** The value as {@code -o KEY=VALUE} gives it: numbers as numbers, JSON lists and objects as lists and maps. */
    private static Object value(String text) {
        if (text.matches("-?\\d+")) {
            return Long.valueOf(text);
        }
        if (text.matches("-?\\d+\\.\\d+")) {
            return new BigDecimal(text);
        }
        if (text.startsWith("[")) {
            return List.of(text.substring(1, text.length() - 1).split(","));
        }
        if (text.startsWith("{")) {
            return Map.of("type", "function");
        }
        return text;
    }

    @ParameterizedTest(name = "{0} -o {1}={2}")
    @CsvSource(delimiter = '|', textBlock = """
            OPENAI    | model               | gpt-4-evil      | llmo writes 'model' of the openai request
            OPENAI    | stream_options      | {}              | llmo writes 'stream_options' of the openai request
            OPENAI    | n                   | 128             | more than one answer
            OPENAI    | n                   | 2               | more than one answer
            OPENAI    | n                   | 1.5             | more than one answer
            OPENAI    | n                   | many            | more than one answer
            OPENAI    | functions           | [x]             | deprecated form of OpenAI tool calling
            OPENAI    | function_call       | auto            | deprecated form of OpenAI tool calling
            OPENAI    | modalities          | [text,audio]    | output other than text
            OPENAI    | audio               | {}              | output other than text
            ANTHROPIC | system              | be evil         | llmo writes 'system' of the anthropic request
            ANTHROPIC | messages            | []              | llmo writes 'messages' of the anthropic request
            GEMINI    | generationConfig    | {}              | llmo writes 'generationConfig' of the gemini request
            GEMINI    | system_instruction  | be evil         | llmo writes 'system_instruction' of the gemini request
            GEMINI    | contents            | []              | llmo writes 'contents' of the gemini request
            GEMINI    | candidateCount      | 4               | more than one answer
            GEMINI    | candidate_count     | 2               | more than one answer
            GEMINI    | responseModalities  | [TEXT,IMAGE]    | output other than text
            GEMINI    | response_modalities | [AUDIO]         | output other than text
            """)
    void structuralOptionsAreUsageErrorsBeforeAnythingIsSent(ProviderType type, String name, String raw,
                                                            String why) {
        UsageException error = catchThrowableOfType(() -> ReservedOptions.check(type, "p", PLAIN,
                Map.of(name, value(raw))), UsageException.class);
        assertThat(error).as("-o %s=%s refused for %s", name, raw, type).isNotNull();
        assertThat(error.exitCode().code()).isEqualTo(2);
        assertThat(error.getMessage()).startsWith("option '" + name + "' cannot be set (-o " + name + "=")
                .contains(why).doesNotContain("\n");
        assertThat(error.fix()).contains(why.startsWith("llmo writes") ? "" : "drop -o " + name);
    }

    @ParameterizedTest(name = "{0} -o {1}={2}")
    @CsvSource(delimiter = '|', textBlock = """
            OPENAI    | n                  | 1
            OPENAI    | n                  | 1.0
            OPENAI    | modalities         | [text]
            OPENAI    | max_tokens         | 500
            OPENAI    | seed               | 7
            OPENAI    | system             | x
            ANTHROPIC | max_tokens         | 500
            ANTHROPIC | thinking           | {}
            OPENAI    | tools              | [x]
            OPENAI    | tool_choice        | required
            OPENAI    | parallel_tool_calls | true
            ANTHROPIC | tools              | [x]
            ANTHROPIC | tool_choice        | {}
            GEMINI    | tools              | [x]
            GEMINI    | toolConfig         | {}
            GEMINI    | tool_config        | {}
            GEMINI    | candidateCount     | 1
            GEMINI    | candidate_count    | 1
            GEMINI    | responseModalities | [TEXT]
            GEMINI    | max_tokens         | 500
            GEMINI    | temperature        | 0.2
            """)
    void optionsThatKeepOneTextAnswerPass(ProviderType type, String name, String raw) {
        assertThatCode(() -> ReservedOptions.check(type, "p", PLAIN, Map.of(name, value(raw))))
                .doesNotThrowAnyException();
        assertThatCode(() -> ReservedOptions.check(type, "p", withDefault(name, value(raw)), Map.of()))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            OPENAI    | n              | 3   | sets option 'n' to 3: it asks provider 'p' for more than one answer
            OPENAI    | functions      | [x] | sets option 'functions' to ["x"]: 'functions' is the deprecated form of OpenAI tool calling
            OPENAI    | stream         | x   | sets option 'stream', which llmo writes itself in requests of type openai
            GEMINI    | responseModalities | [IMAGE] | sets option 'responseModalities' to ["IMAGE"]: it asks provider 'p' for output other than text
            GEMINI    | candidateCount | 2   | sets option 'candidateCount' to 2: it asks provider 'p' for more than one answer
            """)
    void asAModelDefaultTheyAreConfigurationErrorsNamingTheLine(ProviderType type, String name, String raw,
                                                                String message) {
        ConfigException error = catchThrowableOfType(() -> ReservedOptions.check(type, "p",
                withDefault(name, value(raw)), Map.of()), ConfigException.class);
        assertThat(error).isNotNull();
        assertThat(error.exitCode().code()).isEqualTo(3);
        assertThat(error.getMessage()).startsWith("models.yaml:7: model 'm' ").contains(message);
        assertThat(error.fix()).isEqualTo("remove '" + name + "' from the model's entry in models.yaml");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            temperature      | 7    | option temperature is 7, but it takes a number from 0 to 2
            top_p            | -1   | option top_p is -1, but it takes a number from 0 to 1
            max_tokens       | 0    | option max_tokens is 0, but it takes a whole number of tokens above 0
            reasoning_budget | 1.5  | reasoning_budget must be a number of tokens (0 or more), not 1.5
            """)
    void aBadValueOfLlmosOwnOptionsAsAModelDefaultIsAConfigurationErrorNamingTheLine(String name, String raw,
                                                                                 String message) {
        ConfigException error = catchThrowableOfType(() -> ReservedOptions.check(ProviderType.OPENAI, "p",
                withDefault(name, value(raw)), Map.of()), ConfigException.class);
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).isEqualTo("models.yaml:7: model 'm': " + message);
        assertThat(error.fix()).isEqualTo("change it in the model's entry in models.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            OPENAI,    model
            OPENAI,    messages
            ANTHROPIC, system
            GEMINI,    generation_config
            """)
    void theBuilderDropsOnlyTheKeysItWritesItself(ProviderType type, String name) {
        assertThat(ReservedOptions.isReserved(type, name)).isTrue();
        // refused before a call, but not the builder's: a body rebuilt from an old log for replay keeps them
        assertThat(ReservedOptions.isReserved(type, "tools")).isFalse();
        assertThat(ReservedOptions.isReserved(type, "n")).isFalse();
    }
}
