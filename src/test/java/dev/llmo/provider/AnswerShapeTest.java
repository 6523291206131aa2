package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.message.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reply of the wrong shape (a number, an object or a list where text belongs; a list that is an object) ends the
 * call as {@code bad_response}, naming the field, with the text that came before kept; never an empty success. The
 * legitimate shapes around it stay successes: {@code content: null} beside a tool call or reasoning, the role chunk,
 * the usage-only chunk, and Mistral's content parts, whose text is taken.
 */
class AnswerShapeTest {
    private static final String OPENAI_HEL = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n";
    private static final String OPENAI_END = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
            + "\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}"
            + "\n\ndata: [DONE]\n\n";
    private static final String ANTHROPIC_HEL = """
            event: message_start
            data: {"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_1","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

            """;
    private static final String ANTHROPIC_END = """
            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}

            """;
    private static final String GEMINI_HEL = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],"
            + "\"role\": \"model\"}}],\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9},"
            + "\"modelVersion\": \"gemini-2.0-flash\"}\n\n";

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

    private Recorder call(ProviderType type, boolean stream, String body) {
        server.enqueue(new MockResponse().setHeader("Content-Type", stream ? "text/event-stream" : "application/json")
                .setBody(body));
        String keyName = type.id().toUpperCase() + "_API_KEY";
        ProviderClient client = new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 2))
                .create(ProviderTestSupport.provider(type.id(), type, server, "/", keyName),
                        ProviderTestSupport.key(keyName));
        Recorder recorder = new Recorder();
        client.stream(new ChatRequest("m", null, List.of(ChatMessage.user("hi")), Map.of(), null, stream), recorder);
        return recorder;
    }

    private static String openAiDelta(String content) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":" + content + "},\"finish_reason\":null}]}\n\n";
    }

    private static String openAiMessage(String message, String finish) {
        return "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":"
                + message + ",\"finish_reason\":\"" + finish + "\"}],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":2,\"total_tokens\":11}}";
    }

    private static String anthropicDelta(String delta) {
        return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":" + delta
                + "}\n\n";
    }

    private static String geminiChunk(String candidates) {
        return "data: {\"candidates\": " + candidates + ",\"usageMetadata\": {\"promptTokenCount\": 9}}\n\n";
    }

    /** One reply of the wrong shape: the format, streamed or not, the body, the problem named, the text kept. */
    record Case(ProviderType type, boolean stream, String body, String problem, String kept) {
        @Override
        public String toString() {
            return type.id() + (stream ? " stream: " : " body: ") + problem;
        }
    }

    static List<Case> wrongShapes() {
        ProviderType openai = ProviderType.OPENAI;
        ProviderType anthropic = ProviderType.ANTHROPIC;
        ProviderType gemini = ProviderType.GEMINI;
        return List.of(
                new Case(openai, true, OPENAI_HEL + openAiDelta("42") + OPENAI_END,
                        "choices[0].delta.content is a number, not text or a list of text parts", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("{\"text\":\"lo\"}") + OPENAI_END,
                        "choices[0].delta.content is an object", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("true") + OPENAI_END,
                        "choices[0].delta.content is a boolean", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("[\"lo\"]") + OPENAI_END,
                        "choices[0].delta.content[0] is a string, not a part object", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("[{\"type\":\"text\",\"text\":7}]") + OPENAI_END,
                        "choices[0].delta.content[0].text is a number, not a string", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("[{\"text\":\"lo\"}]") + OPENAI_END,
                        "choices[0].delta.content[0].type is missing", "Hel"),
                new Case(openai, true, OPENAI_HEL + openAiDelta("[{\"type\":\"image_url\",\"image_url\":{}}]")
                        + OPENAI_END, "choices[0].delta.content[0] is a part of type 'image_url'", "Hel"),
                new Case(openai, true, OPENAI_HEL + "data: {\"choices\":{\"0\":{\"delta\":{\"content\":\"lo\"}}}}\n\n"
                        + OPENAI_END, "choices is an object, not a list", "Hel"),
                new Case(openai, true, OPENAI_HEL + "data: {\"choices\":\"lo\"}\n\n" + OPENAI_END,
                        "choices is a string, not a list", "Hel"),
                new Case(openai, true, OPENAI_HEL + "data: {\"choices\":[\"lo\"]}\n\n" + OPENAI_END,
                        "choices[0] is a string, not an object", "Hel"),
                new Case(openai, true, OPENAI_HEL + "data: {\"choices\":[{\"index\":0,\"delta\":\"lo\"}]}\n\n"
                        + OPENAI_END, "choices[0].delta is a string, not an object", "Hel"),
                new Case(openai, true, OPENAI_HEL + "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":3}}]}\n\n"
                        + OPENAI_END, "choices[0].delta.refusal is a number, not a string", "Hel"),
                new Case(openai, false, openAiMessage("{\"role\":\"assistant\",\"content\":42}", "stop"),
                        "choices[0].message.content is a number", ""),
                new Case(openai, false, openAiMessage("{\"role\":\"assistant\",\"content\":{\"text\":\"hi\"}}", "stop"),
                        "choices[0].message.content is an object", ""),
                new Case(openai, false, openAiMessage("{\"role\":\"assistant\",\"content\":null}", "stop"),
                        "choices[0].message.content is null, not text", ""),
                new Case(openai, false, openAiMessage("{\"role\":\"assistant\"}", "length"),
                        "choices[0].message.content is missing, not text", ""),
                new Case(openai, false, "{\"choices\":{\"message\":{\"content\":\"hi\"}}}",
                        "choices is an object, not a list", ""),
                new Case(anthropic, true, ANTHROPIC_HEL + anthropicDelta("{\"type\":\"text_delta\",\"text\":42}")
                        + ANTHROPIC_END, "the text of a text_delta is a number, not a string", "Hel"),
                new Case(anthropic, true, ANTHROPIC_HEL + anthropicDelta("{\"type\":\"text_delta\",\"text\":null}")
                        + ANTHROPIC_END, "the text of a text_delta is null", "Hel"),
                new Case(anthropic, true, ANTHROPIC_HEL + anthropicDelta("{\"type\":\"text_delta\",\"text\":[\"lo\"]}")
                        + ANTHROPIC_END, "the text of a text_delta is a list", "Hel"),
                new Case(anthropic, true, ANTHROPIC_HEL + anthropicDelta("\"lo\"") + ANTHROPIC_END,
                        "content_block_delta.delta is a string, not an object", "Hel"),
                new Case(anthropic, false, "{\"type\":\"message\",\"role\":\"assistant\",\"model\":\"c\",\"content\":"
                        + "[{\"type\":\"text\",\"text\":\"Hel\"},{\"type\":\"text\",\"text\":{\"v\":1}}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":9,\"output_tokens\":2}}",
                        "content[1].text is an object, not a string", "Hel"),
                new Case(anthropic, false, "{\"type\":\"message\",\"content\":[\"Hel\"],\"stop_reason\":\"end_turn\"}",
                        "content[0] is a string, not a content block", ""),
                new Case(gemini, true, GEMINI_HEL + geminiChunk("[{\"content\": {\"parts\": {\"text\": \"lo\"}}}]"),
                        "candidates[0].content.parts is an object, not a list", "Hel"),
                new Case(gemini, true, GEMINI_HEL + geminiChunk("[{\"content\": {\"parts\": [{\"text\": 42}]},"
                        + "\"finishReason\": \"STOP\"}]"), "candidates[0].content.parts[0].text is a number", "Hel"),
                new Case(gemini, true, GEMINI_HEL + geminiChunk("[{\"content\": {\"parts\": [\"lo\"]}}]"),
                        "candidates[0].content.parts[0] is a string, not an object", "Hel"),
                new Case(gemini, true, GEMINI_HEL + geminiChunk("[{\"content\": \"lo\"}]"),
                        "candidates[0].content is a string, not an object", "Hel"),
                new Case(gemini, true, GEMINI_HEL + geminiChunk("{\"0\": {\"content\": {}}}"),
                        "candidates is an object, not a list", "Hel"),
                new Case(gemini, false, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"},"
                        + "{\"text\":{\"v\":1}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}]}",
                        "candidates[0].content.parts[1].text is an object, not a string", "Hel"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongShapes")
    void aReplyOfTheWrongShapeIsABadResponseWithTheTextSoFarKept(Case c) {
        Recorder recorder = call(c.type(), c.stream(), c.body());
        LlmoException error = recorder.error();
        assertThat(error).isInstanceOf(ModelCallException.class);
        assertThat(((ModelCallException) error).kind()).isEqualTo(ErrorKind.BAD_RESPONSE);
        assertThat(error.exitCode().code()).isEqualTo(1);
        assertThat(error.getMessage()).startsWith(c.type().id() + " sent an answer of the wrong shape (")
                .contains(c.problem()).doesNotContain("\n");
        assertThat(String.join("", recorder.texts())).isEqualTo(c.kept());
        assertThat(server.getRequestCount()).as("a wrong shape is not retried").isEqualTo(1);
    }

    @Test
    void aRecordedStreamedToolCallWithNullContentIsStillASuccess() {
        // wire-formats.md section 1, recorded: content null beside the tool call, the usage chunk with choices []
        String chunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1727346171,"
                + "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_1\",";
        ChatResponse response = call(ProviderType.OPENAI, true, chunk
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                + "\"index\":0,\"id\":\"call_4XzlGBLtUe9dy3GVNV4jhq7h\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_weather\",\"arguments\":\"\"}}],\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}"
                + "\n\n" + chunk + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
                + chunk + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}"
                + "\n\n" + chunk + "\"choices\":[],\"usage\":{\"prompt_tokens\":44,\"completion_tokens\":16,"
                + "\"total_tokens\":60,\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\ndata: [DONE]\n\n")
                .response();
        assertThat(response.text()).isEmpty();
        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(response.usage()).isEqualTo(Usage.of(44, 16));
    }

    @Test
    void aRecordedWholeToolCallWithNullContentIsStillASuccess() {
        // wire-formats.md section 1, recorded
        ChatResponse response = call(ProviderType.OPENAI, false, openAiMessage("{\"role\": \"assistant\", "
                + "\"content\": null, \"tool_calls\": [{\"id\": \"call_Y6qJ7ofLgOrBnMD5WbVAeiRV\", \"type\": "
                + "\"function\", \"function\": {\"name\": \"GetWeatherArgs\", \"arguments\": "
                + "\"{\\\"city\\\":\\\"Edinburgh\\\"}\"}}], \"refusal\": null}", "tool_calls")).response();
        assertThat(response.text()).isEmpty();
        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_CALL);
    }

    @Test
    void reasoningThatUsedUpTheTokensLeavesNullContentAndIsNoBadResponseButReasoningExhausted() {
        // vLLM with a reasoning parser: every token went into reasoning_content
        Recorder recorder = call(ProviderType.OPENAI, false, openAiMessage("{\"role\":\"assistant\","
                + "\"content\":null,\"reasoning_content\":\"Let me think\"}", "length"));
        LlmoException error = recorder.error();
        assertThat(((ModelCallException) error).kind()).isEqualTo(ErrorKind.REASONING_EXHAUSTED);
        assertThat(recorder.events).contains(new StreamEvent.ReasoningDelta("Let me think"));
    }

    @Test
    void theRoleChunkWithNullContentAndTheUsageChunkAreNormal() {
        ChatResponse response = call(ProviderType.OPENAI, true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":"
                + "\"assistant\",\"content\":null}}],\"model\":\"\"}\n\n" + OPENAI_HEL + openAiDelta("\"lo\"")
                + OPENAI_END).response();
        assertThat(response.text()).isEqualTo("Hello");
        assertThat(response.usage()).isEqualTo(Usage.of(9, 2));
    }

    @Test
    void mistralContentPartsGiveTheirTextAndLeaveTheReasoningOut() {
        ChatResponse streamed = call(ProviderType.OPENAI, true, openAiDelta("[{\"type\":\"thinking\",\"thinking\":"
                + "[{\"type\":\"text\",\"text\":\"The user greets.\"}]}]") + openAiDelta("[{\"type\":\"text\","
                + "\"text\":\"Hel\"}]") + openAiDelta("[{\"type\":\"text\",\"text\":\"lo\"},{\"type\":\"text\","
                + "\"text\":\"!\"}]") + OPENAI_END).response();
        assertThat(streamed.text()).isEqualTo("Hello!");

        ChatResponse whole = call(ProviderType.OPENAI, false, openAiMessage("{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"thinking\",\"thinking\":[{\"type\":\"text\",\"text\":\"hmm\"}]},"
                + "{\"type\":\"text\",\"text\":\"Hello\"}]}", "stop")).response();
        assertThat(whole.text()).isEqualTo("Hello");
    }

    @Test
    void geminiPartsWithoutTextAndAFinishChunkWithoutContentAreNormal() {
        ChatResponse response = call(ProviderType.GEMINI, true, GEMINI_HEL + geminiChunk("[{\"content\": {\"parts\": "
                + "[{\"text\": \"lo\"}, {\"thoughtSignature\": \"c2ln\"}], \"role\": \"model\"}}]")
                + geminiChunk("[{\"finishReason\": \"STOP\"}]")).response();
        assertThat(response.text()).isEqualTo("Hello");
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
    }
}
