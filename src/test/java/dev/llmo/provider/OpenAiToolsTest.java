package dev.llmo.provider;

import static dev.llmo.provider.ProviderTestSupport.nextRound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tool round trip in OpenAI Chat Completions (wire-formats.md section 1 "Tool calling",
 * tools-batch-reasoning.md section 2.1): tools declared as functions, the assistant turn sent back with its
 * {@code tool_calls}, one {@code tool} message per result.
 */
class OpenAiToolsTest {
    static final List<ToolDeclaration> TOOLS = List.of(
            new ToolDeclaration("get_weather", "Current weather in a city",
                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"),
            new ToolDeclaration("get_stock_price", "", "{\"type\":\"object\",\"properties\":{\"ticker\":"
                    + "{\"type\":\"string\"},\"limit\":{\"type\":\"number\",\"maximum\":1.50}}}"));
    static final String DECLARED = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Current weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}},{\"type\":\"function\",\"function\":"
            + "{\"name\":\"get_stock_price\",\"parameters\":{\"type\":\"object\",\"properties\":{\"ticker\":"
            + "{\"type\":\"string\"},\"limit\":{\"type\":\"number\",\"maximum\":1.50}}}}}]";

    @RegisterExtension
    final MockProvider openai = new MockProvider(ProviderType.OPENAI);

    private static ChatRequest ask(boolean stream) {
        return new ChatRequest("gpt-4o", null, List.of(ChatMessage.user("Weather in Edinburgh, and AAPL?")), Map.of(),
                null, stream, TOOLS);
    }

    @Test
    void bodyCarriesTheToolsTheCallsAndOneToolMessagePerResult() {
        ChatRequest request = new ChatRequest("deepseek-reasoner", "Be terse.", List.of(
                ChatMessage.user("Weather?"),
                ChatMessage.assistant(List.of(Part.Reasoning.of("The user wants weather."),
                        new Part.ToolCall("call_A", "get_weather", "{\"city\": \"Paris\"}"))),
                ChatMessage.toolResults(List.of(new Part.ToolResult("call_A", "18°C", false))),
                ChatMessage.assistant(List.of(new Part.Text("And the stock: "),
                        new Part.ToolCall("call_B", "get_stock_price", "{\"ticker\": \"AAPL\""),
                        new Part.ToolCall("call_C", "get_stock_price", ""))),
                ChatMessage.toolResults(List.of(new Part.ToolResult("call_B", "arguments are not JSON", true),
                        new Part.ToolResult("call_C", "189.5", false)))), Map.of("tool_choice", "auto"), null, false,
                TOOLS);

        // a call's arguments are a string in this format: even broken JSON goes back exactly as the model wrote it
        assertThat(openai.bodyOf(request)).isEqualTo("{\"model\":\"deepseek-reasoner\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"Weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"The user wants weather.\","
                + "\"tool_calls\":[{\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_A\",\"content\":\"18°C\"},"
                + "{\"role\":\"assistant\",\"content\":\"And the stock: \",\"tool_calls\":["
                + "{\"id\":\"call_B\",\"type\":\"function\",\"function\":{\"name\":\"get_stock_price\","
                + "\"arguments\":\"{\\\"ticker\\\": \\\"AAPL\\\"\"}},"
                + "{\"id\":\"call_C\",\"type\":\"function\",\"function\":{\"name\":\"get_stock_price\","
                + "\"arguments\":\"\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_B\",\"content\":\"arguments are not JSON\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_C\",\"content\":\"189.5\"}],"
                + DECLARED + ",\"tool_choice\":\"auto\"}");
    }

    @Test
    void twoRoundsStreamed() {
        ChatRequest first = ask(true);
        openai.answerStream(openai.recorded("parallel-tool-calls.sse"));
        ChatResponse calls = openai.client().complete(first);
        assertThat(openai.sentBody()).contains(DECLARED);
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.message().parts()).containsExactly(
                new Part.ToolCall("call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs",
                        "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}"),
                new Part.ToolCall("call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price",
                        "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}"));

        openai.answerStream(OpenAiClientTest.RECORDED_STREAM);
        ChatResponse answer = openai.client().complete(nextRound(first, calls,
                new Part.ToolResult("call_JMW1whyEaYG438VE1OIflxA2", "12°C, rain", false),
                new Part.ToolResult("call_DNYTawLBoN8fj3KN6qU9N1Ou", "market closed", true)));
        assertThat(answer.text()).isEqualTo("{\"");
        assertThat(openai.sentBody()).isEqualTo("{\"model\":\"gpt-4o\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Edinburgh, and AAPL?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"call_JMW1whyEaYG438VE1OIflxA2\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"GetWeatherArgs\",\"arguments\":\"{\\\"city\\\": \\\"Edinburgh\\\", \\\"country\\\": \\\"GB\\\", "
                + "\\\"units\\\": \\\"c\\\"}\"}},"
                + "{\"id\":\"call_DNYTawLBoN8fj3KN6qU9N1Ou\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_stock_price\",\"arguments\":\"{\\\"ticker\\\": \\\"AAPL\\\", \\\"exchange\\\": "
                + "\\\"NASDAQ\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_JMW1whyEaYG438VE1OIflxA2\",\"content\":\"12°C, rain\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_DNYTawLBoN8fj3KN6qU9N1Ou\",\"content\":\"market closed\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}," + DECLARED + "}");
    }

    @Test
    void twoRoundsWhole() {
        ChatRequest first = ask(false);
        openai.answerJson(openai.recorded("glm-cached-tool-call.json"));
        ChatResponse calls = openai.client().complete(first);
        openai.sent();
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.message().parts()).hasSize(2).first().isInstanceOf(Part.Text.class);

        openai.answerJson(OpenAiClientTest.RECORDED_BODY);
        ChatResponse answer = openai.client().complete(nextRound(first, calls,
                new Part.ToolResult("call_3771e577251b47e49f0ad532", "90 minutes", false)));
        assertThat(answer.text()).isEqualTo("I'm unable to provide real-time weather updates.");
        String body = openai.sentBody();
        // the text beside the call goes back as the turn's content, the call's arguments as they came
        assertThat(body).contains("{\"role\":\"assistant\",\"content\":\"I have strong evidence for Kiran Shah",
                "\"tool_calls\":[{\"id\":\"call_3771e577251b47e49f0ad532\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"search\",\"arguments\":\"{\\\"queries\\\": [\\\"People That Time Forgot",
                "\\\"top_k\\\": 8}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_3771e577251b47e49f0ad532\","
                        + "\"content\":\"90 minutes\"}],");
    }

    @Test
    void stopAfterToolCallsIsAToolCall() {
        openai.answerStream("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":"
                + "[{\"id\":\"call_1\",\"index\":0,\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}},{\"id\":\"call_2\",\"index\":1,\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        ChatResponse calls = openai.client().complete(ask(true));
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.message().parts(Part.ToolCall.class)).extracting(Part.ToolCall::arguments)
                .containsExactly("{\"city\":\"Oslo\"}", "{\"city\":\"Rome\"}");
    }

    @Test
    void aToolsOptionBesideDeclaredToolsIsAUsageError() {
        ChatRequest request = ask(false).withOptions(Map.of("tools", List.of(Map.of("type", "function"))));
        assertThatThrownBy(() -> openai.client().complete(request))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("option 'tools' cannot be sent beside the tools llmo declares (2 in this run)")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }
}
