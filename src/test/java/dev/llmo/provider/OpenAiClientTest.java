package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.message.Usage;
import static dev.llmo.provider.ProviderTestSupport.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.http.Transport;
import dev.llmo.provider.openai.OpenAiClient;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiClientTest {
    /** wire-formats.md section 1, recorded byte-exact (openai-python .inline-snapshot 4cc50a6135…). */
    static final String RECORDED_STREAM = """
            data: {"id":"chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}

            data: {"id":"chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{"content":"{\\""},"logprobs":null,"finish_reason":null}]}

            data: {"id":"chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}

            data: {"id":"chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh","object":"chat.completion.chunk","created":1727346171,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_7568d46099","choices":[],"usage":{"prompt_tokens":79,"completion_tokens":1,"total_tokens":80,"completion_tokens_details":{"reasoning_tokens":0}}}

            data: [DONE]

            """;
    /** wire-formats.md section 1, recorded (openai-python tests/lib/chat/test_completions.py). */
    static final String RECORDED_BODY = """
            {"id": "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", "object": "chat.completion", "created": 1727346142, "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "message": {"role": "assistant", "content": "I'm unable to provide real-time weather updates.", "refusal": null}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 14, "completion_tokens": 37, "total_tokens": 51, "completion_tokens_details": {"reasoning_tokens": 0}}, "system_fingerprint": "fp_b40fb1c6fb"}
            """;

    private final ObjectMapper json = new ObjectMapper();
    private MockWebServer server;
    private RecordingSleeper sleeper;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        sleeper = new RecordingSleeper();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    /** The transport of every client here: plain-HTTP calls go over llmo's own connection (LocalHttp). */
    Transport transport() {
        return ProviderTestSupport.transport(sleeper, 2);
    }

    private ProviderClient client(String keyName) {
        ProviderConfig provider = ProviderTestSupport.provider("openai", ProviderType.OPENAI, server, "/v1", keyName);
        return new OpenAiClient(provider, keyName == null ? null : ProviderTestSupport.key(keyName),
                transport());
    }

    private ProviderClient client() {
        return client("OPENAI_API_KEY");
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    private static ChatRequest request(boolean stream) {
        return new ChatRequest("gpt-4o", "Be terse.", List.of(ChatMessage.user("Say hi")),
                Map.of("temperature", 0.2), 1000L, stream);
    }

    @Test
    void recordedStreamGivesTextUsageAndStopReason() throws Exception {
        server.enqueue(sse(RECORDED_STREAM));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        ChatResponse response = recorder.response();
        assertThat(response.text()).isEqualTo("{\"");
        assertThat(response.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(response.usage()).isEqualTo(Usage.of(79, 1));
        assertThat(response.model()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(recorder.texts()).containsExactly("{\"");
        assertThat(recorder.endings()).isEqualTo(1);

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getPath()).isEqualTo("/v1/chat/completions");
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = json.readTree(sent.getBody().readUtf8());
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("messages").toString()).isEqualTo(
                "[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"Say hi\"}]");
    }

    @Test
    void recordedStreamWithCrlfSplitIntoTinyChunks() {
        server.enqueue(sse(RECORDED_STREAM.replace("\n", "\r\n")).throttleBody(7, 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        ChatResponse response = client().complete(request(true));
        assertThat(response.text()).isEqualTo("{\"");
        assertThat(response.usage()).isEqualTo(Usage.of(79, 1));
    }

    @Test
    void nonStreamingRecordedBody() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(RECORDED_BODY));
        Recorder recorder = new Recorder();
        client().stream(request(false), recorder);

        ChatResponse response = recorder.response();
        assertThat(response.text()).isEqualTo("I'm unable to provide real-time weather updates.");
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
        assertThat(response.usage()).isEqualTo(Usage.of(14, 37));
        assertThat(recorder.texts()).containsExactly("I'm unable to provide real-time weather updates.");
        JsonNode body = json.readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void manySmallDeltasAreConcatenatedInOrder() {
        StringBuilder stream = new StringBuilder();
        for (String piece : List.of("Hel", "lo", ", ", "wörld", " ✓")) {
            stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":")
                    .append(json.valueToTree(piece).toString()).append("},\"finish_reason\":null}]}\n\n");
        }
        stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        server.enqueue(sse(stream.toString()).throttleBody(3, 0, java.util.concurrent.TimeUnit.MILLISECONDS));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        assertThat(recorder.response().text()).isEqualTo("Hello, wörld ✓");
        // the first piece at once (the time to first token), the rest as each network read brought it
        assertThat(recorder.texts()).first().isEqualTo("Hel");
        assertThat(String.join("", recorder.texts())).isEqualTo("Hello, wörld ✓");
        assertThat(recorder.response().usage()).isNull();
    }

    /**
     * A burst of plain chunks, read in runs ({@code SseParser.templateRun}): every token arrives once, in order, and
     * the pieces reported count every chunk (the live view's token estimate).
     */
    @Test
    void aBurstOfPlainChunksArrivesWholeAndCountsEveryChunk() {
        StringBuilder stream = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            stream.append("data: {\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,")
                    .append("\"delta\":{\"content\":\"tok").append(i).append(" \"},\"finish_reason\":null}]}\n\n");
            expected.append("tok").append(i).append(' ');
        }
        stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        server.enqueue(sse(stream.toString()));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        assertThat(recorder.response().text()).isEqualTo(expected.toString());
        assertThat(String.join("", recorder.texts())).isEqualTo(expected.toString());
        List<StreamEvent.TextDelta> deltas = recorder.events.stream()
                .filter(StreamEvent.TextDelta.class::isInstance).map(StreamEvent.TextDelta.class::cast).toList();
        assertThat(deltas.stream().mapToInt(StreamEvent.TextDelta::pieces).sum()).isEqualTo(2000);
        assertThat(deltas).allMatch(StreamEvent.TextDelta::ascii);
        // far fewer events than chunks: one per network read
        assertThat(deltas.size()).isLessThan(500);
    }

    /**
     * The listener hears that the stream waits (the moment to flush what was shown) when the server pauses, with all
     * the text before the pause and none after it: the socket has nothing more to read then, whatever a burst before
     * it skipped.
     */
    @Test
    void aPauseOfTheServerIsReportedAsIdleAfterTheTextBeforeIt() {
        server.enqueue(sse(PAUSED_FIRST + PAUSED_REST).throttleBody(PAUSED_FIRST.length(), 300,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        assertIdleAtThePause();
    }

    /**
     * The same with a chunked body paused inside its framing (after the first chunk's data and two bytes of the next
     * chunk's size line), where a read would wait for the rest of the size line: the text before the pause is shown
     * first. (Here okio takes those bytes with the data; when they come later, on their own, the socket holds fewer
     * than {@code StreamSocket.SURE_READ} and the reader does not wait on them either.)
     */
    @Test
    void aPauseInsideAChunkedBodysFramingIsReportedAsIdleToo() {
        Buffer body = new Buffer();
        for (String chunk : List.of(PAUSED_FIRST, PAUSED_REST)) {
            body.writeUtf8(Integer.toHexString(chunk.length())).writeUtf8("\r\n").writeUtf8(chunk).writeUtf8("\r\n");
        }
        body.writeUtf8("0\r\n\r\n");
        long pauseAt = Integer.toHexString(PAUSED_FIRST.length()).length() + 2 + PAUSED_FIRST.length() + 2 + 2;
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setHeader("Transfer-Encoding", "chunked").setBody(body)
                .throttleBody(pauseAt, 300, java.util.concurrent.TimeUnit.MILLISECONDS));
        assertIdleAtThePause();
    }

    /**
     * A gzip-encoded stream (OkHttp asks for gzip and undoes it): its socket holds fewer bytes than its body, so the
     * socket's count is not used for it; every token still arrives, in order.
     */
    @Test
    void aGzipEncodedStreamArrivesWhole() throws Exception {
        StringBuilder stream = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            stream.append("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t")
                    .append(i).append(" \"},\"finish_reason\":null}]}\n\n");
            expected.append('t').append(i).append(' ');
        }
        stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        Buffer gzipped = new Buffer();
        try (okio.BufferedSink sink = okio.Okio.buffer(new okio.GzipSink(gzipped))) {
            sink.writeUtf8(stream.toString());
        }
        server.enqueue(sse("").setHeader("Content-Encoding", "gzip").setBody(gzipped));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        assertThat(recorder.response().text()).isEqualTo(expected.toString());
        assertThat(String.join("", recorder.texts())).isEqualTo(expected.toString());
    }

    private static final String PAUSED_FIRST = ("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
            + "\"finish_reason\":null}]}\n\n").repeat(300);
    private static final String PAUSED_REST = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},"
            + "\"finish_reason\":null}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    private void assertIdleAtThePause() {
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        assertThat(recorder.response().text()).isEqualTo("a".repeat(300) + "b");
        // an idle may come whenever the reader catches up with the server; one must come at the pause: after all the
        // text before it, before any after it
        List<String> shownBeforeIdles = new java.util.ArrayList<>();
        synchronized (recorder.events) {
            for (int idle : recorder.idleAfter) {
                StringBuilder shown = new StringBuilder();
                for (StreamEvent event : recorder.events.subList(0, idle)) {
                    if (event instanceof StreamEvent.TextDelta delta) {
                        shown.append(delta.text());
                    }
                }
                shownBeforeIdles.add(shown.toString());
            }
        }
        assertThat(shownBeforeIdles).contains("a".repeat(300));
    }

    @Test
    void keylessProviderSendsNoAuthorization() throws Exception {
        server.enqueue(sse(RECORDED_STREAM));
        client(null).complete(request(true));
        assertThat(server.takeRequest().getHeader("Authorization")).isNull();
    }

    @Test
    void toolCallStopReason() {
        server.enqueue(sse("""
                data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_4Xz","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}

                data: {"choices":[],"usage":{"prompt_tokens":44,"completion_tokens":16,"total_tokens":60}}

                data: [DONE]

                """));
        ChatResponse response = client().complete(request(true));
        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_CALL);
        assertThat(response.text()).isEmpty();
        assertThat(response.usage()).isEqualTo(Usage.of(44, 16));
    }

    @Test
    void contentFilterIsABlockedFailure() {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                + "data: [DONE]\n\n"));
        assertThatThrownBy(() -> client().complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BLOCKED))
                .hasMessage("openai stopped the answer (finish_reason content_filter)");
    }

    @Test
    void groqUsageInXGroq() {
        server.enqueue(sse("""
                data: {"id":"x","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}

                data: {"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"queue_time":0.01,"prompt_tokens":18,"prompt_time":0.001,"completion_tokens":2,"completion_time":0.002,"total_tokens":20,"total_time":0.003}}}

                data: [DONE]

                """));
        ChatResponse response = client().complete(request(true));
        assertThat(response.usage()).isEqualTo(Usage.of(18, 2));
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
    }

    @Test
    void openRouterKeepAliveCommentsAndOllamaUsageChunk() {
        server.enqueue(sse("""
                : OPENROUTER PROCESSING

                : OPENROUTER PROCESSING

                data: {"id":"chatcmpl-42","object":"chat.completion.chunk","model":"llama3.2","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

                data: {"id":"chatcmpl-42","object":"chat.completion.chunk","model":"llama3.2","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}

                data: {"id":"chatcmpl-42","object":"chat.completion.chunk","model":"llama3.2","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":26,"completion_tokens":2,"total_tokens":28}}

                data: [DONE]

                """));
        ChatResponse response = client().complete(request(true));
        assertThat(response.text()).isEqualTo("Hi");
        assertThat(response.usage()).isEqualTo(Usage.of(26, 2));
    }

    @Test
    void llamaCppDoneWithoutFinalBlankLineAndNullContent() {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],"
                + "\"model\":\"\"}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},"
                + "\"finish_reason\":\"stop\"}],\"timings\":{}}\n\ndata: [DONE]"));
        ChatResponse response = client().complete(request(true));
        assertThat(response.text()).isEqualTo("ok");
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
    }

    @Test
    void serverThatAnswersJsonToAStreamRequestIsReadAsAWholeAnswer() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(RECORDED_BODY));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);
        assertThat(recorder.response().text()).isEqualTo("I'm unable to provide real-time weather updates.");
    }

    @Test
    void midStreamErrorKeepsPartialTextAndReportsTheProviderMessage() {
        server.enqueue(sse("""
                data: {"choices":[{"index":0,"delta":{"content":"partial "},"finish_reason":null}]}

                data: {"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error"}}

                """));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        LlmoException error = recorder.error();
        assertThat(error).isInstanceOf(ModelCallException.class);
        assertThat(((ModelCallException) error).kind()).isEqualTo(ErrorKind.SERVER_ERROR);
        assertThat(error.getMessage()).isEqualTo("openai failed mid-answer (server error): The server had an error "
                + "while processing your request. Sorry about that!");
        assertThat(recorder.texts()).containsExactly("partial ");
        assertThat(server.getRequestCount()).as("never retried after text reached the user").isEqualTo(1);
        assertThat(recorder.endings()).isEqualTo(1);
    }

    @Test
    void llamaCppErrorFieldInsideA200Stream() {
        server.enqueue(sse("error: {\"code\":400,\"message\":\"the request exceeds the available context size. "
                + "try increasing it\",\"type\":\"invalid_request_error\"}\n\ndata: [DONE]\n\n"));
        assertThatThrownBy(() -> client().complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONTEXT_LENGTH);
                    assertThat(e.status()).isEqualTo(400);
                })
                .hasMessageContaining("the request exceeds the available context size");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void streamCutBeforeTheEndKeepsTextAndFailsIncomplete() {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The answer is\"},"
                + "\"finish_reason\":null}]}\n\n"));
        Recorder recorder = new Recorder();
        client().stream(request(true), recorder);

        LlmoException error = recorder.error();
        assertThat(error).isInstanceOfSatisfying(ModelCallException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE));
        assertThat(error.getMessage()).isEqualTo(
                "the answer from openai ended before it was complete (the stream was cut)");
        assertThat(recorder.texts()).containsExactly("The answer is");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void connectionDroppedMidBodyAfterTextIsAConnectionErrorNotRetried() throws Exception {
        String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"abc\"},\"finish_reason\":null}]}\n\n";
        String cut = first + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"def";
        try (ProviderTestSupport.RawServer raw = new ProviderTestSupport.RawServer("HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/event-stream\r\nContent-Length: 100000\r\n\r\n" + cut)) {
            ProviderClient client = new OpenAiClient(ProviderTestSupport.provider("openai", ProviderType.OPENAI,
                    raw.url("/v1"), "OPENAI_API_KEY"), ProviderTestSupport.key("OPENAI_API_KEY"),
                    transport());
            Recorder recorder = new Recorder();
            client.stream(request(true), recorder);

            LlmoException error = recorder.error();
            assertThat(error).isInstanceOfSatisfying(ModelCallException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONNECTION));
            assertThat(error.getMessage()).startsWith("the connection to openai broke mid-answer (");
            assertThat(recorder.texts()).containsExactly("abc");
            assertThat(raw.connections.get()).as("never retried after text reached the user").isEqualTo(1);
        }
    }

    @Test
    void connectionDroppedBeforeAnyTextIsRetried() throws Exception {
        try (ProviderTestSupport.RawServer raw = new ProviderTestSupport.RawServer("HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/event-stream\r\nContent-Length: 100000\r\n\r\n: ping\n\n")) {
            ProviderClient client = new OpenAiClient(ProviderTestSupport.provider("openai", ProviderType.OPENAI,
                    raw.url("/v1"), "OPENAI_API_KEY"), ProviderTestSupport.key("OPENAI_API_KEY"),
                    transport());
            assertThatThrownBy(() -> client.complete(request(true)))
                    .isInstanceOfSatisfying(ModelCallException.class,
                            e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONNECTION))
                    .hasMessageEndingWith("(after 3 attempts)");
            assertThat(raw.connections.get()).isEqualTo(3);
            assertThat(sleeper.delays).hasSize(2);
        }
    }

    /** 501 and 505 say what the server can never do: asked once, exit 1; a 502 beside them is asked three times. */
    @Test
    void http501And505AreNotRetriedUnlike502() {
        for (int status : new int[] {501, 505, 502}) {
            server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json")
                            .setBody("{\"error\":{\"message\":\"not here\",\"type\":\"server_error\"}}");
                }
            });
            int before = server.getRequestCount();
            sleeper.delays.clear();
            assertThatThrownBy(() -> client().complete(request(true)))
                    .isInstanceOfSatisfying(ModelCallException.class, e -> {
                        assertThat(e.status()).isEqualTo(status);
                        assertThat(e.exitCode()).isEqualTo(dev.llmo.failure.ExitCode.FAILURE);
                    })
                    .hasMessageStartingWith("openai answered HTTP " + status + " (");
            int attempts = status == 502 ? 3 : 1;
            assertThat(server.getRequestCount() - before).as("requests for HTTP %d", status).isEqualTo(attempts);
            assertThat(sleeper.delays).as("waits for HTTP %d", status).hasSize(attempts - 1);
        }
    }

    @Test
    void malformedStreamEventFailsWithBadResponse() {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
                + "data: {not json\n\n"));
        assertThatThrownBy(() -> client().complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageStartingWith("openai sent a malformed stream event: {not json");
    }

    @Test
    void aPageAnsweringAStreamIsABadResponseAskedOnce() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/html").setBody("<html>Sign in</html>"));
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/html").setBody("<html>Sign in</html>"));
        assertThatThrownBy(() -> client().complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageStartingWith("openai sent an answer that is not a stream (text/html): ")
                .hasMessageContaining("Sign in")
                .satisfies(e -> assertThat(((LlmoException) e).fix()).contains("is an OpenAI-compatible API"));
        assertThat(server.getRequestCount()).as("not taken for a cut stream and retried").isEqualTo(1);
    }

    @Test
    void eventsUnderAnotherTypeAreAStreamAndALabelledStreamCutBeforeItsFirstEventIsRetried() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: [DONE]\n\n"));
        assertThat(client().complete(request(true)).message().text()).isEqualTo("hi");

        server.enqueue(sse(": ping\n\n"));
        server.enqueue(sse(": ping\n\n"));
        server.enqueue(sse(": ping\n\n"));
        assertThatThrownBy(() -> client().complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE));
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void malformedNonStreamingBody() {
        server.enqueue(new MockResponse().setBody("<html>hello</html>"));
        assertThatThrownBy(() -> client().complete(request(false)))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageContaining("an answer that is not JSON")
                .satisfies(e -> assertThat(((LlmoException) e).fix()).contains("is an OpenAI-compatible API"));
    }

    @Test
    void oldVllmErrorShapeIn200Body() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                .setBody("{\"object\":\"error\",\"message\":\"bad top_p\",\"type\":\"BadRequestError\",\"param\":null,"
                        + "\"code\":400}"));
        assertThatThrownBy(() -> client().complete(request(false)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REQUEST);
                    assertThat(e.status()).isEqualTo(400);
                })
                .hasMessageContaining("bad top_p");
    }

    @Test
    void listModels() throws Exception {
        server.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":"
                + "\"model\",\"created\":1686935002,\"owned_by\":\"system\"},{\"id\":\"llama3.2:latest\","
                + "\"object\":\"model\",\"created\":1,\"owned_by\":\"library\"}]}"));
        assertThat(client().listModels()).containsExactly(new RemoteModel("gpt-4o", null),
                new RemoteModel("llama3.2:latest", null));
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getPath()).isEqualTo("/v1/models");
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
    }
}
