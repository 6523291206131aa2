package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.message.Usage;
import static dev.llmo.provider.ProviderTestSupport.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.anthropic.AnthropicClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicClientTest {
    /** wire-formats.md section 3, recorded (snapshot a8b7dbb8…), whitespace as recorded, with the omitted deltas. */
    static final String RECORDED_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_013nnniYDrJDocdy5nrMU7cH","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":135,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard","inference_geo":"not_available"}}   }

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}     }

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"["}             }

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"12"}             }

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"345,"}             }

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"67890]"}               }

            event: content_block_stop
            data: {"type":"content_block_stop","index":0        }

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":135,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":10}             }

            event: message_stop
            data: {"type":"message_stop"              }

            """;
    /** wire-formats.md section 3, recorded (snapshot bd7029d5…), the text shortened. */
    static final String RECORDED_BODY = """
            {"model":"claude-sonnet-4-5-20250929","id":"msg_01T4jd6NyD9xGGtTPDC4ogy5","type":"message","role":"assistant","content":[{"type":"text","text":"{\\"total\\":14.0}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":406,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":50,"service_tier":"standard","inference_geo":"not_available"}}
            """;

    private final ObjectMapper json = new ObjectMapper();
    private MockWebServer server;
    private RecordingSleeper sleeper;
    private ProviderClient client;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        sleeper = new RecordingSleeper();
        client = new AnthropicClient(ProviderTestSupport.provider("anthropic", ProviderType.ANTHROPIC, server, "/",
                "ANTHROPIC_API_KEY"), ProviderTestSupport.key("ANTHROPIC_API_KEY"),
                ProviderTestSupport.transport(sleeper, 2));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream; charset=utf-8").setBody(body);
    }

    private static ChatRequest request(boolean stream, Long maxOutput, Map<String, Object> options) {
        return new ChatRequest("claude-sonnet-4-5", "Be terse.", List.of(ChatMessage.user("Hello")), options,
                maxOutput, stream);
    }

    @Test
    void recordedStream() throws Exception {
        server.enqueue(sse(RECORDED_STREAM));
        Recorder recorder = new Recorder();
        client.stream(request(true, 64000L, Map.of()), recorder);

        ChatResponse response = recorder.response();
        assertThat(response.text()).isEqualTo("[12345,67890]");
        // the first piece at once (the time to first token), the rest as each network read brought it
        assertThat(recorder.texts()).first().isEqualTo("[");
        assertThat(String.join("", recorder.texts())).isEqualTo("[12345,67890]");
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
        assertThat(response.usage()).isEqualTo(Usage.of(135, 10));
        assertThat(response.model()).isEqualTo("claude-sonnet-4-5-20250929");

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getPath()).isEqualTo("/v1/messages");
        assertThat(sent.getHeader("x-api-key")).isEqualTo(KEY);
        assertThat(sent.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.getHeader("Authorization")).isNull();
        JsonNode body = json.readTree(sent.getBody().readUtf8());
        assertThat(body.get("max_tokens").asLong()).isEqualTo(64000);
        assertThat(body.get("system").asText()).isEqualTo("Be terse.");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Hello\"}]");
    }

    @Test
    void maxTokensDefaultsWhenUnknownAndOptionsOverride() throws Exception {
        server.enqueue(sse(RECORDED_STREAM));
        server.enqueue(sse(RECORDED_STREAM));
        client.complete(request(true, null, Map.of()));
        client.complete(request(true, 64000L, Map.of("max_tokens", 50L, "temperature", 0.5)));
        assertThat(json.readTree(server.takeRequest().getBody().readUtf8()).get("max_tokens").asLong())
                .isEqualTo(4096);
        JsonNode second = json.readTree(server.takeRequest().getBody().readUtf8());
        assertThat(second.get("max_tokens").asLong()).isEqualTo(50);
        assertThat(second.get("temperature").asDouble()).isEqualTo(0.5);
    }

    @Test
    void nonStreamingRecordedBody() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(RECORDED_BODY));
        ChatResponse response = client.complete(request(false, 1024L, Map.of()));
        assertThat(response.text()).isEqualTo("{\"total\":14.0}");
        assertThat(response.usage()).isEqualTo(Usage.of(406, 50));
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
        assertThat(json.readTree(server.takeRequest().getBody().readUtf8()).has("stream")).isFalse();
    }

    @Test
    void toolUseAndMaxTokensStopReasons() {
        server.enqueue(sse(RECORDED_STREAM.replace("\"end_turn\"", "\"tool_use\"")));
        server.enqueue(sse(RECORDED_STREAM.replace("\"end_turn\"", "\"max_tokens\"")));
        assertThat(client.complete(request(true, 10L, Map.of())).stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(client.complete(request(true, 10L, Map.of())).stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void midStreamOverloadedErrorKeepsTextAndIsNotRetried() {
        String cut = RECORDED_STREAM.substring(0, RECORDED_STREAM.indexOf("event: content_block_stop"));
        server.enqueue(sse(cut + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                + "\"message\": \"Overloaded\"}}\n\n"));
        Recorder recorder = new Recorder();
        client.stream(request(true, 10L, Map.of()), recorder);

        LlmoException error = recorder.error();
        assertThat(error).isInstanceOfSatisfying(ModelCallException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED));
        assertThat(error.getMessage()).isEqualTo("anthropic failed mid-answer (overloaded): Overloaded");
        assertThat(String.join("", recorder.texts())).isEqualTo("[12345,67890]");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void overloadedErrorBeforeAnyTextIsRetried() {
        server.enqueue(sse("event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                + "\"message\": \"Overloaded\"}}\n\n"));
        server.enqueue(sse(RECORDED_STREAM));
        assertThat(client.complete(request(true, 10L, Map.of())).text()).isEqualTo("[12345,67890]");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(sleeper.delays).containsExactly(Duration.ofMillis(500));
    }

    @Test
    void streamWithoutMessageStopIsIncomplete() {
        String cut = RECORDED_STREAM.substring(0, RECORDED_STREAM.indexOf("event: content_block_stop"));
        server.enqueue(sse(cut));
        assertThatThrownBy(() -> client.complete(request(true, 10L, Map.of())))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void recorded429WithShouldRetryIsRetriedThenReported() {
        String body = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would "
                + "exceed your organization's rate limit of 20,000,000 prompt bytes per hour.\"},"
                + "\"request_id\":\"req_011CYK5n67SytMUxm8WMZUWY\"}";
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(429).setHeader("content-type", "application/json")
                    .setHeader("x-should-retry", "true").setBody(body));
        }
        assertThatThrownBy(() -> client.complete(request(true, 10L, Map.of())))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.fix()).contains("wait a moment");
                })
                .hasMessage("anthropic answered HTTP 429 (rate limited): This request would exceed your "
                        + "organization's rate limit of 20,000,000 prompt bytes per hour. (after 3 attempts)");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(sleeper.delays).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    @Test
    void status529IsRetriedAndSucceeds() {
        server.enqueue(new MockResponse().setResponseCode(529).setBody("{\"type\":\"error\",\"error\":{\"type\":"
                + "\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        server.enqueue(sse(RECORDED_STREAM));
        assertThat(client.complete(request(true, 10L, Map.of())).text()).isEqualTo("[12345,67890]");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void spendLimitIsQuotaAndNotRetried() {
        server.enqueue(new MockResponse().setResponseCode(429).setBody("{\"type\":\"error\",\"error\":{\"type\":"
                + "\"rate_limit_error\",\"message\":\"spend limit reached\",\"details\":{\"error_code\":"
                + "\"enforced_spend_limit_reached\"}}}"));
        assertThatThrownBy(() -> client.complete(request(true, 10L, Map.of())))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.QUOTA));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void listModelsFollowsPages() throws Exception {
        server.enqueue(new MockResponse().setBody("{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\","
                + "\"display_name\":\"Claude Sonnet 4.5\",\"created_at\":\"2025-09-29T00:00:00Z\"}],\"has_more\":true,"
                + "\"first_id\":\"claude-sonnet-4-5-20250929\",\"last_id\":\"claude-sonnet-4-5-20250929\"}"));
        server.enqueue(new MockResponse().setBody("{\"data\":[{\"type\":\"model\",\"id\":\"claude-haiku-4-5\","
                + "\"display_name\":\"Claude Haiku 4.5\"}],\"has_more\":false}"));
        assertThat(client.listModels()).containsExactly(
                new RemoteModel("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"),
                new RemoteModel("claude-haiku-4-5", "Claude Haiku 4.5"));
        RecordedRequest first = server.takeRequest();
        assertThat(first.getPath()).isEqualTo("/v1/models?limit=1000");
        assertThat(first.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(server.takeRequest().getPath()).isEqualTo("/v1/models?limit=1000&after_id=claude-sonnet-4-5-20250929");
    }
}
