package dev.llmo.provider;

import static dev.llmo.provider.ProviderTestSupport.nextRound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tool round trip in the Anthropic Messages API (wire-formats.md section 3 "Tool use", tools-batch-reasoning.md
 * section 2.2): tools with an {@code input_schema}, the assistant turn sent back block for block with its thinking
 * and signatures unchanged, the results as {@code tool_result} blocks of one user message.
 */
class AnthropicToolsTest {
    static final List<ToolDeclaration> TOOLS = List.of(new ToolDeclaration("get-sum", "Adds two numbers",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}}"));
    static final String DECLARED = "\"tools\":[{\"name\":\"get-sum\",\"description\":\"Adds two numbers\","
            + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":"
            + "\"number\"}}}}]";
    static final String THINKING = "{\"type\":\"thinking\",\"thinking\":\"Need the tool for both sums.\","
            + "\"signature\":\"EqQBCkYIBxgCKkB3m9x1YJ0bQm5mB8e0M0kqZ5w3sQ==\"}";

    @RegisterExtension
    final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC);

    private static ChatRequest ask(boolean stream) {
        return new ChatRequest("claude-sonnet-4-5", null, List.of(ChatMessage.user("2+3 and 0.1+1.2? use the tool")),
                Map.of("max_tokens", 4096, "reasoning_budget", 2048), null, stream, TOOLS);
    }

    @Test
    void bodyCarriesTheToolsTheBlocksInOrderAndTheResults() {
        ChatRequest request = new ChatRequest("claude-sonnet-4-5", "Be terse.", List.of(
                ChatMessage.user("2+3?"),
                ChatMessage.assistant(List.of(new Part.Reasoning("Need the tool.", "EqQB", false),
                        new Part.Reasoning("", "EmwKAhgB", true), Part.Reasoning.of("unsigned, from elsewhere"),
                        new Part.Text("Adding."), new Part.ToolCall("toolu_01", "get-sum", "{\"a\": 2, \"b\": 3.10}"),
                        new Part.ToolCall("toolu_02", "get-sum", "{\"a\": 2,"),
                        new Part.ToolCall("toolu_03", "get-sum", ""),
                        new Part.ToolCall("toolu_04", "get-sum", "[2, 3]"))),
                ChatMessage.toolResults(List.of(new Part.ToolResult("toolu_01", "5.10", false),
                        new Part.ToolResult("toolu_02", "the arguments are not JSON", true),
                        new Part.ToolResult("toolu_03", "0", false),
                        new Part.ToolResult("toolu_04", "the arguments are not an object", true)))),
                Map.of("max_tokens", 1024), null, false, TOOLS);

        // input is an object: broken JSON or a non-object goes back whole, as text under one key; nothing at all is {}
        assertThat(anthropic.bodyOf(request)).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
                + "\"system\":\"Be terse.\",\"messages\":[{\"role\":\"user\",\"content\":\"2+3?\"},"
                + "{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"thinking\",\"thinking\":\"Need the tool.\",\"signature\":\"EqQB\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"},"
                + "{\"type\":\"text\",\"text\":\"Adding.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get-sum\",\"input\":{\"a\":2,\"b\":3.10}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get-sum\",\"input\":"
                + "{\"_unparsed_arguments\":\"{\\\"a\\\": 2,\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_03\",\"name\":\"get-sum\",\"input\":{}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_04\",\"name\":\"get-sum\",\"input\":"
                + "{\"_unparsed_arguments\":\"[2, 3]\"}}]},"
                + "{\"role\":\"user\",\"content\":["
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":\"5.10\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_02\",\"content\":\"the arguments are not JSON\","
                + "\"is_error\":true},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_03\",\"content\":\"0\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_04\",\"content\":\"the arguments are not an "
                + "object\",\"is_error\":true}]}]," + DECLARED + "}");
    }

    @Test
    void twoRoundsStreamedWithThinkingAndParallelCalls() {
        ChatRequest first = ask(true);
        anthropic.answerStream(anthropic.recorded("thinking-tool-use.sse"));
        ChatResponse calls = anthropic.client().complete(first);
        assertThat(anthropic.sentBody()).contains(DECLARED);
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.usage()).isEqualTo(Usage.of(512, 97));
        assertThat(calls.message().parts()).containsExactly(
                new Part.Reasoning("Need the tool for both sums.", "EqQBCkYIBxgCKkB3m9x1YJ0bQm5mB8e0M0kqZ5w3sQ==", false),
                new Part.ToolCall("toolu_01A9q8S4pV5Dq1GzKk3bZc7e", "get-sum", "{\"a\": 2, \"b\": 3}"),
                new Part.ToolCall("toolu_01Mx3c5R7yHf2EeJtW9uLq4N", "get-sum", "{\"a\": 0.1, \"b\": 1.20}"));

        anthropic.answerStream(AnthropicClientTest.RECORDED_STREAM);
        ChatResponse answer = anthropic.client().complete(nextRound(first, calls,
                new Part.ToolResult("toolu_01A9q8S4pV5Dq1GzKk3bZc7e", "5", false),
                new Part.ToolResult("toolu_01Mx3c5R7yHf2EeJtW9uLq4N", "1.3", false)));
        assertThat(answer.text()).isEqualTo("[12345,67890]");
        assertThat(anthropic.sentBody()).isEqualTo("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4096,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"2+3 and 0.1+1.2? use the tool\"},"
                + "{\"role\":\"assistant\",\"content\":[" + THINKING + ","
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01A9q8S4pV5Dq1GzKk3bZc7e\",\"name\":\"get-sum\","
                + "\"input\":{\"a\":2,\"b\":3}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01Mx3c5R7yHf2EeJtW9uLq4N\",\"name\":\"get-sum\","
                + "\"input\":{\"a\":0.1,\"b\":1.20}}]},"
                + "{\"role\":\"user\",\"content\":["
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01A9q8S4pV5Dq1GzKk3bZc7e\",\"content\":\"5\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01Mx3c5R7yHf2EeJtW9uLq4N\",\"content\":\"1.3\"}]}],"
                + "\"stream\":true," + DECLARED + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}}");
    }

    @Test
    void twoRoundsWholeWithRedactedThinking() {
        ChatRequest first = ask(false);
        anthropic.answerJson(anthropic.recorded("redacted-thinking-tool-use.json"));
        ChatResponse calls = anthropic.client().complete(first);
        anthropic.sent();
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);

        anthropic.answerJson(AnthropicClientTest.RECORDED_BODY);
        anthropic.client().complete(nextRound(first, calls,
                new Part.ToolResult("toolu_01NRLabsLyVHZPKxbKvkfSMn", "18°C", false)));
        // every block of the recorded answer comes back as it was, in its order
        assertThat(anthropic.sentBody()).contains("{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"thinking\",\"thinking\":\"The user wants the weather; I should call the tool.\","
                + "\"signature\":\"ErUBCkYIARgCIkBq2kV7yX0rU2f8nN4mQ1pH6cL9dS3wE5tR7yU1iO3pA5sD7fG9hJ1kL3zX5cV7bN9mQ==\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2Y\"},"
                + "{\"type\":\"text\",\"text\":\"Let me look that up.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\",\"name\":\"get_weather\","
                + "\"input\":{\"location\":\"Paris\",\"units\":\"c\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
                + "\"toolu_01NRLabsLyVHZPKxbKvkfSMn\",\"content\":\"18°C\"}]}]");
    }

    @Test
    void aToolsOptionBesideDeclaredToolsIsAUsageError() {
        ChatRequest request = ask(false).withOptions(Map.of("tools", List.of(Map.of("type", "web_search_20250305"))));
        assertThatThrownBy(() -> anthropic.client().complete(request))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("option 'tools' cannot be sent beside the tools llmo declares (1 in this run)")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }
}
