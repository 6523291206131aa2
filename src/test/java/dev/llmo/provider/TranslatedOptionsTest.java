package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.secret.ApiKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.anthropic.AnthropicClient;
import dev.llmo.provider.gemini.GeminiClient;
import dev.llmo.provider.openai.OpenAiClient;
import dev.llmo.provider.openai.OpenAiOptions;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The canonical options ({@code max_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop},
 * {@code reasoning_effort}, {@code reasoning_budget}) as each wire format's body carries them, byte for byte, against
 * the providers' documented request schemas (wire-formats.md sections 1, 3, 4; tools-batch-reasoning.md section 3):
 * OpenAI {@code CompletionCreateParams}, Anthropic {@code MessageCreateParams}, Gemini {@code GenerationConfig}.
 */
class TranslatedOptionsTest {
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ProviderClient client(ProviderType type) {
        ProviderConfig provider = ProviderTestSupport.provider(type.id(), type, server, type == ProviderType.OPENAI
                ? "/v1" : "/", "KEY");
        ApiKey key = ProviderTestSupport.key("KEY");
        var transport = ProviderTestSupport.transport(new ProviderTestSupport.RecordingSleeper(), 0);
        return switch (type) {
            case OPENAI -> new OpenAiClient(provider, key, transport);
            case ANTHROPIC -> new AnthropicClient(provider, key, transport);
            case GEMINI -> new GeminiClient(provider, key, transport);
        };
    }

    /** The body {@code client} sends for a one-message, non-streamed request with {@code options}, as sent. */
    private String sentBody(ProviderType type, String model, Map<String, Object> options) throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setBody("{}")); // the body is what matters here
        ChatRequest request = new ChatRequest(model, null, List.of(ChatMessage.user("Hi")), options, 64000L, false);
        try {
            client(type).complete(request);
        } catch (RuntimeException e) {
            // the 400 above
        }
        return server.takeRequest().getBody().readUtf8();
    }

    private static Map<String, Object> options(Object... pairs) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            options.put((String) pairs[i], pairs[i + 1]);
        }
        return options;
    }

    private static final Map<String, Object> CANONICAL = options("max_tokens", 500L, "reasoning_effort", "low",
            "seed", 7L, "stop", "END", "temperature", new BigDecimal("0.2"), "top_p", new BigDecimal("0.9"));

    @Test
    void openAiReasoningModelsTakeMaxCompletionTokensAndTheEffortAsIs() throws Exception {
        assertThat(sentBody(ProviderType.OPENAI, "o4-mini", CANONICAL)).isEqualTo("{\"model\":\"o4-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_completion_tokens\":500,"
                + "\"reasoning_effort\":\"low\",\"seed\":7,\"stop\":\"END\",\"temperature\":0.2,\"top_p\":0.9}");
    }

    @Test
    void otherModelsOnACompatibleServerKeepMaxTokensAndUnknownOptionsPassUnchanged() throws Exception {
        assertThat(sentBody(ProviderType.OPENAI, "llama3.2", options("max_tokens", 500L, "stop", List.of("a", "b"),
                "repeat_penalty", new BigDecimal("1.1"), "logit_bias", Map.of("50256", -100L))))
                .isEqualTo("{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                        + "\"max_tokens\":500,\"stop\":[\"a\",\"b\"],\"repeat_penalty\":1.1,"
                        + "\"logit_bias\":{\"50256\":-100}}");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            https://api.openai.com/v1       | gpt-4o-mini                   | max_completion_tokens
            https://api.openai.com/v1       | o3                            | max_completion_tokens
            https://openrouter.ai/api/v1    | openai/gpt-5-mini             | max_completion_tokens
            https://openrouter.ai/api/v1    | openai/gpt-4o-mini            | max_tokens
            http://localhost:8000/v1        | o1                            | max_completion_tokens
            http://localhost:8000/v1        | o3-pro-2025-06-10             | max_completion_tokens
            http://localhost:8000/v1        | gpt-5.1                       | max_completion_tokens
            http://localhost:8000/v1        | gpt-5                         | max_completion_tokens
            http://localhost:8000/v1        | gpt-50                        | max_tokens
            http://localhost:8000/v1        | o10                           | max_tokens
            https://api.groq.com/openai/v1  | openai/gpt-oss-120b           | max_tokens
            http://localhost:11434/v1       | qwen3:o3                      | max_tokens
            """, delimiter = '|')
    void theOpenAiAnswerLimitDependsOnTheEndpointAndTheModelFamily(String baseUrl, String model, String field) {
        ProviderConfig provider = new ProviderConfig("p", ProviderType.OPENAI, baseUrl, null, null, model,
                List.<ModelSpec>of(), null, Origin.of("test", "test"));
        ChatRequest request = new ChatRequest(model, null, List.of(ChatMessage.user("Hi")),
                options("max_tokens", 100L), null, false);
        assertThat(OpenAiOptions.fields(request, provider).toString()).isEqualTo("{\"" + field + "\":100}");
    }

    @Test
    void anthropicTakesStopSequencesAndAThinkingBudgetBelowMaxTokens() throws Exception {
        Map<String, Object> options = options("max_tokens", 4000L, "reasoning_budget", 2048L, "stop", "END",
                "temperature", 1L, "top_k", 5L, "top_p", new BigDecimal("0.9"));
        assertThat(sentBody(ProviderType.ANTHROPIC, "claude-sonnet-4-5", options)).isEqualTo(
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4000,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                        + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"stop_sequences\":[\"END\"],"
                        + "\"temperature\":1,\"top_k\":5,\"top_p\":0.9}");
    }

    @Test
    void anthropicEffortLevelsAreBudgetsAndNoneTurnsThinkingOff() throws Exception {
        assertThat(sentBody(ProviderType.ANTHROPIC, "claude-haiku-4-5", options("max_tokens", 10000L,
                "reasoning_effort", "medium"))).isEqualTo("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":8192}}");
        assertThat(sentBody(ProviderType.ANTHROPIC, "claude-haiku-4-5", options("reasoning_effort", "none")))
                .isEqualTo("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64000,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"thinking\":{\"type\":\"disabled\"}}");
    }

    @Test
    void geminiPutsEveryOptionInGenerationConfigUnderItsOwnNames() throws Exception {
        Map<String, Object> options = new LinkedHashMap<>(CANONICAL);
        options.put("response_mime_type", "text/plain");
        assertThat(sentBody(ProviderType.GEMINI, "gemini-2.5-flash", options)).isEqualTo(
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],\"generationConfig\":{"
                        + "\"maxOutputTokens\":500,\"thinkingConfig\":{\"thinkingBudget\":2048,\"includeThoughts\":true},"
                        + "\"seed\":7,\"stopSequences\":[\"END\"],\"temperature\":0.2,\"topP\":0.9,"
                        + "\"responseMimeType\":\"text/plain\"}}");
        assertThat(sentBody(ProviderType.GEMINI, "gemini-2.5-flash", options("reasoning_budget", 0L)))
                .isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                        + "\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":0}}}");
    }

    @Test
    void geminiSafetySettingsAreAFieldOfTheBodyNotOfGenerationConfig() throws Exception {
        // generateContent reads safetySettings beside contents; in generationConfig it is refused as unknown
        assertThat(sentBody(ProviderType.GEMINI, "gemini-2.5-flash", options("temperature", new BigDecimal("0.2"),
                "safety_settings", List.of(options("category", "HARM_CATEGORY_HARASSMENT",
                        "threshold", "BLOCK_ONLY_HIGH")))))
                .isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                        + "\"safetySettings\":[{\"category\":\"HARM_CATEGORY_HARASSMENT\","
                        + "\"threshold\":\"BLOCK_ONLY_HIGH\"}],\"generationConfig\":{\"temperature\":0.2}}");
    }

    @Test
    void geminiToolDefinitionsAreFieldsOfTheBodyNotOfGenerationConfig() throws Exception {
        // tools-batch-reasoning.md section 2.3: tools and toolConfig sit beside contents
        Map<String, Object> tools = Map.of("functionDeclarations", List.of(options("name", "get_sum",
                "parametersJsonSchema", Map.of("type", "object"))));
        assertThat(sentBody(ProviderType.GEMINI, "gemini-2.5-flash", options("temperature", new BigDecimal("0.2"),
                "tools", List.of(tools), "tool_config", Map.of("functionCallingConfig", Map.of("mode", "ANY")))))
                .isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                        + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_sum\","
                        + "\"parametersJsonSchema\":{\"type\":\"object\"}}]}],"
                        + "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}},"
                        + "\"generationConfig\":{\"temperature\":0.2}}");
    }

    /** OpenAI and Gemini document a temperature up to 2: only Anthropic's narrower range is refused. */
    @ParameterizedTest
    @CsvSource({"OPENAI, gpt-4o", "GEMINI, gemini-2.5-flash"})
    void aTemperatureAboveOneIsSentWhereTheProviderTakesIt(ProviderType type, String model) throws Exception {
        ChatRequest request = new ChatRequest(model, null, List.of(ChatMessage.user("Hi")),
                Map.of("temperature", new BigDecimal("1.5")), null, false);
        assertThat(new String(client(type).requestBody(request), java.nio.charset.StandardCharsets.UTF_8)).contains("\"temperature\":1.5");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            OPENAI    | o3               | reasoning_budget=1000                   | option 'reasoning_budget' cannot be sent to openai/o3: the openai format takes an effort level, not a token budget
            OPENAI    | o3               | max_tokens=10,max_completion_tokens=20  | options 'max_tokens' and 'max_completion_tokens' both set 'max_completion_tokens' of the openai request
            ANTHROPIC | claude-haiku-4-5 | max_tokens=2048,reasoning_budget=2048   | a reasoning budget of 2048 tokens needs max_tokens above it for anthropic (thinking counts toward max_tokens, here 2048)
            ANTHROPIC | claude-haiku-4-5 | reasoning_effort=xhigh                  | reasoning_effort 'xhigh' is not a level llmo can translate for the anthropic format
            ANTHROPIC | claude-haiku-4-5 | reasoning_budget=1024,thinking=x        | options 'reasoning_budget' and 'thinking' both set 'thinking' of the anthropic request
            ANTHROPIC | claude-haiku-4-5 | stop=x,stop_sequences=y                 | options 'stop' and 'stop_sequences' both set 'stop_sequences' of the anthropic request
            GEMINI    | gemini-2.5-flash | max_tokens=10,max_output_tokens=20      | options 'max_tokens' and 'max_output_tokens' both set 'maxOutputTokens' of the gemini request
            GEMINI    | gemini-2.5-flash | tool_config=AUTO,toolConfig=ANY         | options 'tool_config' and 'toolConfig' both set 'toolConfig' of the gemini request
            GEMINI    | gemini-2.5-flash | reasoning_effort=low,reasoning_budget=5 | options reasoning_effort and reasoning_budget both set the reasoning
            GEMINI    | gemini-2.5-flash | reasoning_budget=-5                     | reasoning_budget must be a number of tokens (0 or more), not -5
            GEMINI    | gemini-2.5-flash | reasoning_budget=1.5                    | reasoning_budget must be a number of tokens (0 or more), not 1.5
            OPENAI    | gpt-4o           | max_tokens=abc                          | option max_tokens is 'abc', but it takes a whole number of tokens above 0
            OPENAI    | gpt-4o           | max_tokens=-5                           | option max_tokens is -5, but it takes a whole number of tokens above 0
            ANTHROPIC | claude-haiku-4-5 | max_tokens=0                            | option max_tokens is 0, but it takes a whole number of tokens above 0
            OPENAI    | gpt-4o           | temperature=hot                         | option temperature is 'hot', but it takes a number from 0 to 2
            GEMINI    | gemini-2.5-flash | temperature=-1                          | option temperature is -1, but it takes a number from 0 to 2
            ANTHROPIC | claude-haiku-4-5 | top_p=1.5                               | option top_p is 1.5, but it takes a number from 0 to 1
            ANTHROPIC | claude-haiku-4-5 | temperature=1.5                         | option temperature is 1.5, but anthropic takes a number from 0 to 1
            GEMINI    | gemini-2.5-flash | seed=1.5                                | option seed is 1.5, but it takes a whole number
            OPENAI    | gpt-4o           | stop=5                                  | option stop is 5, but it takes a string or a list of strings
            """, delimiter = '|')
    void whatCannotBeTranslatedIsAUsageErrorAndNothingIsSent(ProviderType type, String model, String given,
                                                            String message) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (String pair : given.split(",")) {
            String value = pair.substring(pair.indexOf('=') + 1);
            options.put(pair.substring(0, pair.indexOf('=')), value.matches("-?\\d+") ? (Object) Long.valueOf(value)
                    : value.matches("\\d+\\.\\d+") ? new BigDecimal(value) : value);
        }
        ChatRequest request = new ChatRequest(model, null, List.of(ChatMessage.user("Hi")), options, null, false);
        assertThatThrownBy(() -> client(type).requestBody(request))
                .isInstanceOfSatisfying(UsageException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessage(message);
        assertThat(server.getRequestCount()).isZero();
    }
}
