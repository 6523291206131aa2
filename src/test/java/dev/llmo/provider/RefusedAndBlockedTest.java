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

/**
 * A provider that refuses or blocks, or answers a body of the wrong shape, fails the call (exit 1, the provider's
 * reason in one line); text that streamed before stays with the listener. Shapes from the reference
 * (tools-batch-reasoning.md section 4, wire-formats.md sections 2-4).
 */
class RefusedAndBlockedTest {
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
        String keyName = type.id().toUpperCase() + "_API_KEY";
        return new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 2))
                .create(ProviderTestSupport.provider(type.id(), type, server, "/", keyName),
                        ProviderTestSupport.key(keyName));
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    private Recorder call(ProviderType type, boolean stream) {
        Recorder recorder = new Recorder();
        client(type).stream(new ChatRequest("m", null, List.of(ChatMessage.user("how do I ...")), Map.of(), null,
                stream), recorder);
        return recorder;
    }

    private static ModelCallException failure(Recorder recorder, ErrorKind kind) {
        LlmoException error = recorder.error();
        assertThat(error).isInstanceOf(ModelCallException.class);
        assertThat(((ModelCallException) error).kind()).isEqualTo(kind);
        assertThat(error.exitCode().code()).isEqualTo(1);
        assertThat(error.getMessage()).doesNotContain("\n");
        return (ModelCallException) error;
    }

    private static List<String> refusals(Recorder recorder) {
        synchronized (recorder.events) {
            return recorder.events.stream().filter(StreamEvent.RefusalDelta.class::isInstance)
                    .map(e -> ((StreamEvent.RefusalDelta) e).text()).toList();
        }
    }

    private static Usage lastUsage(Recorder recorder) {
        synchronized (recorder.events) {
            return recorder.events.stream().filter(StreamEvent.UsageUpdate.class::isInstance)
                    .map(e -> ((StreamEvent.UsageUpdate) e).usage()).reduce((a, b) -> b).orElse(null);
        }
    }

    @Test
    void openAiStreamedRefusalIsRefused() {
        server.enqueue(sse("""
                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{"refusal":"I'm sorry, "},"logprobs":null,"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{"refusal":"I can't assist with that."},"logprobs":null,"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}

                data: [DONE]

                """));
        Recorder recorder = call(ProviderType.OPENAI, true);
        assertThat(failure(recorder, ErrorKind.REFUSED))
                .hasMessage("openai refused to answer (refusal): I'm sorry, I can't assist with that.");
        assertThat(lastUsage(recorder)).isEqualTo(Usage.of(20, 9)); // a refusal is billed: its usage is kept
    }

    @Test
    void openAiRefusalInTheMessageIsRefused() {
        server.enqueue(json("""
                {"id":"chatcmpl-2","object":"chat.completion","created":1727346142,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I'm sorry, I can't assist with that."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29},"system_fingerprint":"fp_b40fb1c6fb"}
                """));
        assertThat(failure(call(ProviderType.OPENAI, false), ErrorKind.REFUSED))
                .hasMessage("openai refused to answer (refusal): I'm sorry, I can't assist with that.");
    }

    @Test
    void openAiContentFilterKeepsTheStreamedText() {
        server.enqueue(sse("""
                data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Once upon"},"finish_reason":null}]}

                data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"content_filter","content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"}}}]}

                data: [DONE]

                """));
        Recorder recorder = call(ProviderType.OPENAI, true);
        assertThat(failure(recorder, ErrorKind.BLOCKED))
                .hasMessage("openai stopped the answer (finish_reason content_filter): filtered for violence");
        assertThat(recorder.texts()).containsExactly("Once upon");
    }

    @Test
    void openAiContentFilterInAWholeAnswer() {
        server.enqueue(json("""
                {"id":"c","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Once"},"finish_reason":"content_filter"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
                """));
        Recorder recorder = call(ProviderType.OPENAI, false);
        assertThat(failure(recorder, ErrorKind.BLOCKED))
                .hasMessage("openai stopped the answer (finish_reason content_filter)");
        assertThat(recorder.texts()).containsExactly("Once");
    }

    @Test
    void anthropicStreamedRefusalKeepsTextAndExplains() {
        server.enqueue(sse("""
                event: message_start
                data: {"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Here is how"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"stop_details":{"type":"refusal","category":"cyber","explanation":"This request asks for working malware."}},"usage":{"output_tokens":12}}

                event: message_stop
                data: {"type":"message_stop"}

                """));
        Recorder recorder = call(ProviderType.ANTHROPIC, true);
        assertThat(failure(recorder, ErrorKind.REFUSED)).hasMessage(
                "anthropic refused to answer (stop_reason refusal, category cyber): This request asks for working "
                        + "malware.");
        // the text is the answer the classifier cut, as sent; the explanation is what is said of the refusal
        assertThat(recorder.texts()).containsExactly("Here is how");
        assertThat(refusals(recorder)).containsExactly("This request asks for working malware.");
        assertThat(lastUsage(recorder)).isEqualTo(Usage.of(25, 12));
    }

    @Test
    void anthropicRefusalWithoutDetails() {
        server.enqueue(json("""
                {"model":"claude-sonnet-4-5-20250929","id":"msg_02","type":"message","role":"assistant","content":[],"stop_reason":"refusal","stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":0}}
                """));
        Recorder recorder = call(ProviderType.ANTHROPIC, false);
        assertThat(failure(recorder, ErrorKind.REFUSED)).hasMessage("anthropic refused to answer (stop_reason refusal)");
        assertThat(refusals(recorder)).as("no words of a refusal are made up").isEmpty();
    }

    @Test
    void anthropicRefusalWithDetailsInAWholeAnswer() {
        server.enqueue(json("""
                {"model":"claude-sonnet-4-5-20250929","id":"msg_03","type":"message","role":"assistant","content":[{"type":"text","text":"I"}],"stop_reason":"refusal","stop_details":{"type":"refusal","category":null,"explanation":"Declined."},"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}
                """));
        Recorder recorder = call(ProviderType.ANTHROPIC, false);
        assertThat(failure(recorder, ErrorKind.REFUSED))
                .hasMessage("anthropic refused to answer (stop_reason refusal): Declined.");
        assertThat(recorder.texts()).containsExactly("I");
        assertThat(refusals(recorder)).containsExactly("Declined.");
    }

    @Test
    void geminiBlockedPromptInAWholeAnswer() {
        server.enqueue(json("""
                {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","blockReasonMessage":"The prompt was blocked."},"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.0-flash"}
                """));
        Recorder recorder = call(ProviderType.GEMINI, false);
        assertThat(failure(recorder, ErrorKind.BLOCKED))
                .hasMessage("gemini blocked the prompt (blockReason PROHIBITED_CONTENT): The prompt was blocked.");
        assertThat(lastUsage(recorder)).isEqualTo(Usage.of(8, 0));
    }

    @Test
    void geminiStreamStoppedForRecitationKeepsTheText() {
        server.enqueue(sse("""
                data: {"candidates": [{"content": {"parts": [{"text": "To be, or not"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 10,"totalTokenCount": 10},"modelVersion": "gemini-2.0-flash"}

                data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "RECITATION"}],"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 4,"totalTokenCount": 14},"modelVersion": "gemini-2.0-flash"}

                """));
        Recorder recorder = call(ProviderType.GEMINI, true);
        assertThat(failure(recorder, ErrorKind.BLOCKED))
                .hasMessage("gemini stopped the answer (finishReason RECITATION)");
        assertThat(recorder.texts()).containsExactly("To be, or not");
    }

    @Test
    void geminiEveryBlockingFinishReasonFails() {
        for (String reason : List.of("SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII")) {
            server.enqueue(json("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}],\"role\":\"model\"},"
                    + "\"finishReason\":\"" + reason + "\",\"finishMessage\":\"stopped: " + reason + "\"}]}"));
            assertThat(failure(call(ProviderType.GEMINI, false), ErrorKind.BLOCKED))
                    .hasMessage("gemini stopped the answer (finishReason " + reason + "): stopped: " + reason);
        }
    }

    @Test
    void bodiesOfTheWrongShapeAreBadResponsesNotEmptyAnswers() {
        record Case(ProviderType type, boolean stream, MockResponse response) {
        }
        List<Case> cases = List.of(
                new Case(ProviderType.OPENAI, false, json("{\"id\":\"x\",\"object\":\"chat.completion\"}")),
                new Case(ProviderType.OPENAI, false, json("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}")),
                new Case(ProviderType.OPENAI, true, sse("data: {\"id\":\"x\"}\n\ndata: [DONE]\n\n")),
                new Case(ProviderType.ANTHROPIC, false, json("{\"type\":\"message\",\"content\":null}")),
                new Case(ProviderType.ANTHROPIC, true, sse("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")),
                new Case(ProviderType.GEMINI, false, json("{}")),
                new Case(ProviderType.GEMINI, false, json("{\"usageMetadata\":{\"promptTokenCount\":3}}")),
                new Case(ProviderType.GEMINI, true, sse("data: [1, 2]\n\n")));
        for (Case c : cases) {
            server.enqueue(c.response());
            Recorder recorder = call(c.type(), c.stream());
            LlmoException error = recorder.error();
            assertThat(error).as(c.toString()).isInstanceOf(ModelCallException.class);
            assertThat(((ModelCallException) error).kind()).as(c.toString())
                    .isIn(ErrorKind.BAD_RESPONSE, ErrorKind.INCOMPLETE);
        }
    }
}
