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
 * The tool round trip in the Gemini API (wire-formats.md section 4, tools-batch-reasoning.md section 2.3): function
 * declarations with a full JSON Schema ({@code parametersJsonSchema}), the model turn sent back with each
 * {@code thoughtSignature} on the part it came on, the results as {@code functionResponse} parts of one user turn.
 */
class GeminiToolsTest {
    static final List<ToolDeclaration> TOOLS = List.of(
            new ToolDeclaration("power_disco_ball", "Powers the spinning disco ball.", "{\"type\":\"object\","
                    + "\"properties\":{\"power\":{\"type\":\"boolean\"}},\"required\":[\"power\"],"
                    + "\"additionalProperties\":false}"),
            new ToolDeclaration("start_music", "", "{\"type\":\"object\",\"properties\":{\"energetic\":"
                    + "{\"type\":\"boolean\"},\"loud\":{\"type\":\"boolean\"}}}"),
            new ToolDeclaration("dim_lights", "Dims the lights.", "{\"type\":\"object\",\"properties\":"
                    + "{\"brightness\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1.0}}}"));
    static final String DECLARED = "\"tools\":[{\"functionDeclarations\":["
            + "{\"name\":\"power_disco_ball\",\"description\":\"Powers the spinning disco ball.\","
            + "\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":{\"power\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"power\"],\"additionalProperties\":false}},"
            + "{\"name\":\"start_music\",\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":{\"energetic\":"
            + "{\"type\":\"boolean\"},\"loud\":{\"type\":\"boolean\"}}}},"
            + "{\"name\":\"dim_lights\",\"description\":\"Dims the lights.\",\"parametersJsonSchema\":{\"type\":"
            + "\"object\",\"properties\":{\"brightness\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1.0}}}}]}]";

    @RegisterExtension
    final MockProvider gemini = new MockProvider(ProviderType.GEMINI);

    private static ChatRequest ask(boolean stream) {
        return new ChatRequest("gemini-2.5-flash", null, List.of(ChatMessage.user("Turn this place into a party!")),
                Map.of(), null, stream, TOOLS);
    }

    @Test
    void bodyPutsEachSignatureBackOnItsPartAndNamesEachResponse() {
        ChatRequest request = new ChatRequest("gemini-3-flash-preview", "Be terse.", List.of(
                ChatMessage.user("2+3?"),
                ChatMessage.assistant(List.of(new Part.Reasoning("Adding.", "c2lnLXRob3VnaHQ=", false),
                        new Part.Reasoning("", "c2lnLXRleHQ=", false), new Part.Text("Let me add."),
                        new Part.Reasoning("", "c2lnLWNhbGw=", false),
                        new Part.ToolCall("call_0", "get_sum", "{\"a\": 2, \"b\": 3}"),
                        new Part.ToolCall("fc_7", "get_sum", "{\"a\": 2,"),
                        new Part.Reasoning("", "c2lnLWVuZA==", false))),
                ChatMessage.toolResults(List.of(new Part.ToolResult("call_0", "5", false),
                        new Part.ToolResult("fc_7", "the arguments are not JSON", true)))), Map.of(), null, false,
                List.of(new ToolDeclaration("get_sum", "", "{\"type\":\"object\"}")));

        // call_0 is the name llmo gave a call Gemini left unnamed: it goes back without an id; fc_7 was Gemini's
        assertThat(gemini.bodyOf(request)).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"2+3?\"}]},"
                + "{\"role\":\"model\",\"parts\":["
                + "{\"text\":\"Adding.\",\"thought\":true,\"thoughtSignature\":\"c2lnLXRob3VnaHQ=\"},"
                + "{\"text\":\"Let me add.\",\"thoughtSignature\":\"c2lnLXRleHQ=\"},"
                + "{\"functionCall\":{\"name\":\"get_sum\",\"args\":{\"a\":2,\"b\":3}},\"thoughtSignature\":\"c2lnLWNhbGw=\"},"
                + "{\"functionCall\":{\"id\":\"fc_7\",\"name\":\"get_sum\",\"args\":{\"_unparsed_arguments\":"
                + "\"{\\\"a\\\": 2,\"}}},"
                + "{\"text\":\"\",\"thoughtSignature\":\"c2lnLWVuZA==\"}]},"
                + "{\"role\":\"user\",\"parts\":["
                + "{\"functionResponse\":{\"name\":\"get_sum\",\"response\":{\"output\":\"5\"}}},"
                + "{\"functionResponse\":{\"id\":\"fc_7\",\"name\":\"get_sum\",\"response\":{\"error\":"
                + "\"the arguments are not JSON\"}}}]}],"
                + "\"systemInstruction\":{\"parts\":[{\"text\":\"Be terse.\"}]},"
                + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_sum\",\"parametersJsonSchema\":"
                + "{\"type\":\"object\"}}]}]}");
    }

    @Test
    void twoRoundsStreamedWithParallelCalls() {
        ChatRequest first = ask(true);
        gemini.answerStream(gemini.recorded("parallel-function-calls.sse"));
        ChatResponse calls = gemini.client().complete(first);
        assertThat(gemini.sentBody()).contains(DECLARED);
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.message().parts(Part.ToolCall.class)).extracting(Part.ToolCall::name)
                .containsExactly("power_disco_ball", "start_music", "dim_lights");

        gemini.answerStream(GeminiClientTest.RECORDED_STREAM);
        ChatResponse answer = gemini.client().complete(nextRound(first, calls,
                new Part.ToolResult("call_0", "disco ball on", false),
                new Part.ToolResult("call_1", "playing", false),
                new Part.ToolResult("call_2", "no dimmer in this room", true)));
        assertThat(answer.text()).isEqualTo(GeminiClientTest.EXPECTED_TEXT);
        // the model turn as Gemini sent it: the signature on the first call only, no ids (Gemini gave none)
        assertThat(gemini.sentBody()).isEqualTo("{\"contents\":["
                + "{\"role\":\"user\",\"parts\":[{\"text\":\"Turn this place into a party!\"}]},"
                + "{\"role\":\"model\",\"parts\":["
                + "{\"functionCall\":{\"name\":\"power_disco_ball\",\"args\":{\"power\":true}},"
                + "\"thoughtSignature\":\"CiIBVKhc7tq0fS1W3pXbLkK9P1p0wq7nUZrT0Y1cN4vOe6Hj\"},"
                + "{\"functionCall\":{\"name\":\"start_music\",\"args\":{\"energetic\":true,\"loud\":true}}},"
                + "{\"functionCall\":{\"name\":\"dim_lights\",\"args\":{\"brightness\":0.5}}}]},"
                + "{\"role\":\"user\",\"parts\":["
                + "{\"functionResponse\":{\"name\":\"power_disco_ball\",\"response\":{\"output\":\"disco ball on\"}}},"
                + "{\"functionResponse\":{\"name\":\"start_music\",\"response\":{\"output\":\"playing\"}}},"
                + "{\"functionResponse\":{\"name\":\"dim_lights\",\"response\":{\"error\":\"no dimmer in this room\"}}}]}],"
                + DECLARED + "}");
    }

    @Test
    void twoRoundsWholeWithACallIdAndSignedThought() {
        ChatRequest first = ask(false);
        gemini.answerJson(gemini.recorded("function-call-with-id.json"));
        ChatResponse calls = gemini.client().complete(first);
        gemini.sent();
        assertThat(calls.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(calls.message().parts(Part.ToolCall.class))
                .containsExactly(new Part.ToolCall("fc_8d2a61", "get_sum", "{\"a\":2,\"b\":3}"));

        gemini.answerJson("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"5\"}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\"}]}");
        assertThat(gemini.client().complete(nextRound(first, calls,
                new Part.ToolResult("fc_8d2a61", "5", false))).text()).isEqualTo("5");
        // every part of the recorded model turn comes back as it came
        assertThat(gemini.sentBody()).contains("{\"role\":\"model\",\"parts\":["
                + "{\"text\":\"**Checking the sum**\\n\\nI will call get_sum.\",\"thought\":true,"
                + "\"thoughtSignature\":\"CiQBVKhc7uF3tG1pQ9sLm2cX\"},"
                + "{\"text\":\"Let me add them.\"},"
                + "{\"functionCall\":{\"id\":\"fc_8d2a61\",\"name\":\"get_sum\",\"args\":{\"a\":2,\"b\":3}},"
                + "\"thoughtSignature\":\"CiQBVKhc7sB5hU7Wn2nD\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"fc_8d2a61\",\"name\":\"get_sum\","
                + "\"response\":{\"output\":\"5\"}}}]}]");
    }

    @Test
    void aResultForNoCallOfThePreviousTurnIsRefused() {
        ChatRequest request = new ChatRequest("gemini-2.5-flash", null, List.of(ChatMessage.user("hi"),
                ChatMessage.assistant(List.of(new Part.ToolCall("call_0", "get_sum", "{}"))),
                ChatMessage.toolResults(List.of(new Part.ToolResult("call_9", "5", false)))), Map.of(), null, false,
                TOOLS);
        assertThatThrownBy(() -> gemini.client().complete(request))
                .hasMessageContaining("the tool result for call 'call_9' answers no tool call of the model turn "
                        + "before it");
    }

    @Test
    void aToolsOptionBesideDeclaredToolsIsAUsageError() {
        ChatRequest request = ask(false).withOptions(Map.of("tools", List.of(Map.of("googleSearch", Map.of()))));
        assertThatThrownBy(() -> gemini.client().complete(request))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("option 'tools' cannot be sent beside the tools llmo declares (3 in this run)")
                .satisfies(e -> assertThat(((UsageException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }
}
