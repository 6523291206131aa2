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
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.gemini.GeminiClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeminiClientTest {
    /** wire-formats.md section 4, the third-party fixture of gemini-2.0-flash (its omitted middle event left out). */
    static final String RECORDED_STREAM = """
            data: {"candidates": [{"content": {"parts": [{"text": "Here"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 10,"totalTokenCount": 10,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 10}]},"modelVersion": "gemini-2.0-flash","responseId": "ibRCaOfLGfuQ1PIPqNma8Aw"}

            data: {"candidates": [{"content": {"parts": [{"text": " you go:\\n\\nEnglish: potato\\nSpanish: patata\\nFrench: pom"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 10,"totalTokenCount": 10,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 10}]},"modelVersion": "gemini-2.0-flash","responseId": "ibRCaOfLGfuQ1PIPqNma8Aw"}

            data: {"candidates": [{"content": {"parts": [{"text": "ガイモ (jagaimo)\\nRussian: картофель (kartofel')\\n"}],"role": "model"},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 49,"totalTokenCount": 59,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 10}],"candidatesTokensDetails": [{"modality": "TEXT","tokenCount": 49}]},"modelVersion": "gemini-2.0-flash","responseId": "ibRCaOfLGfuQ1PIPqNma8Aw"}

            """;
    static final String EXPECTED_TEXT = "Here you go:\n\nEnglish: potato\nSpanish: patata\nFrench: pomガイモ (jagaimo)\n"
            + "Russian: картофель (kartofel')\n";

    private final ObjectMapper json = new ObjectMapper();
    private MockWebServer server;
    private RecordingSleeper sleeper;
    private ProviderClient client;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        sleeper = new RecordingSleeper();
        client = new GeminiClient(ProviderTestSupport.provider("gemini", ProviderType.GEMINI, server, "/",
                "GEMINI_API_KEY"), ProviderTestSupport.key("GEMINI_API_KEY"), ProviderTestSupport.transport(sleeper, 2));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    private static ChatRequest request(boolean stream) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("temperature", 0.2);
        options.put("max_tokens", 256L);
        options.put("top_p", 0.9);
        return new ChatRequest("gemini-2.0-flash", "Be terse.", List.of(ChatMessage.user("Hello")), options, 8192L,
                stream);
    }

    @Test
    void recordedStreamConcatenatesPartsAndKeepsTheLastUsage() throws Exception {
        // 5-byte pieces split the Japanese and Cyrillic characters across chunks
        server.enqueue(sse(RECORDED_STREAM).throttleBody(5, 0, TimeUnit.MILLISECONDS));
        Recorder recorder = new Recorder();
        client.stream(request(true), recorder);

        ChatResponse response = recorder.response();
        assertThat(response.text()).isEqualTo(EXPECTED_TEXT);
        assertThat(recorder.texts()).hasSize(3);
        assertThat(response.usage()).isEqualTo(Usage.of(10, 49));
        assertThat(response.stopReason()).isEqualTo(StopReason.END);

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getPath()).isEqualTo("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
        assertThat(sent.getHeader("x-goog-api-key")).isEqualTo(KEY);
        assertThat(sent.getRequestUrl().queryParameter("key")).isNull();
        JsonNode body = json.readTree(sent.getBody().readUtf8());
        assertThat(body.get("contents").toString())
                .isEqualTo("[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]");
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be terse.");
        assertThat(body.get("generationConfig").toString())
                .isEqualTo("{\"temperature\":0.2,\"maxOutputTokens\":256,\"topP\":0.9}");
    }

    @Test
    void crlfFramingAndUsageAfterTheFinishChunk() {
        String stream = RECORDED_STREAM.replace("\n", "\r\n") + "data: {\"usageMetadata\": {\"promptTokenCount\": 10,"
                + "\"candidatesTokenCount\": 50, \"thoughtsTokenCount\": 7}}\r\n\r\n";
        server.enqueue(sse(stream));
        ChatResponse response = client.complete(request(true));
        assertThat(response.text()).isEqualTo(EXPECTED_TEXT);
        // Gemini counts thoughts apart from the candidates: both are output, the thoughts its reasoning part
        assertThat(response.usage()).isEqualTo(new Usage(10, 57, 7, 0, 0));
    }

    @Test
    void nonStreaming() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"1+1 equals 2.\"}],\"role\":\"model\"},"
                        + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":15,"
                        + "\"candidatesTokenCount\":6,\"totalTokenCount\":21},\"modelVersion\":\"gemini-3.1-flash-lite\"}"));
        ChatResponse response = client.complete(request(false));
        assertThat(response.text()).isEqualTo("1+1 equals 2.");
        assertThat(response.usage()).isEqualTo(Usage.of(15, 6));
        assertThat(server.takeRequest().getPath()).isEqualTo("/v1beta/models/gemini-2.0-flash:generateContent");
    }

    @Test
    void theAnswerIsTheCandidateOfIndexZeroWhereverTheListPutsIt() {
        // another candidate first, in the same chunk and alone in an earlier one: neither is mixed into the answer
        server.enqueue(sse("data: {\"candidates\":[{\"index\":1,\"content\":{\"parts\":[{\"text\":\"EARLY\"}]}}]}\n\n"
                + "data: {\"candidates\":[{\"index\":1,\"content\":{\"parts\":[{\"text\":\"OTHER\"}],\"role\":"
                + "\"model\"}},{\"index\":0,\"content\":{\"parts\":[{\"text\":\"MAIN\"}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2}}\n\n"));
        ChatResponse response = client.complete(request(true));
        assertThat(response.text()).isEqualTo("MAIN");
        assertThat(response.stopReason()).isEqualTo(StopReason.END);
    }

    @Test
    void thoughtPartsAreNotAnswerText() {
        server.enqueue(sse("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"thinking...\",\"thought\":true},"
                + "{\"text\":\"Answer\"}]},\"finishReason\":\"STOP\"}]}\n\n"));
        assertThat(client.complete(request(true)).text()).isEqualTo("Answer");
    }

    @Test
    void blockedPromptIsABlockedFailure() {
        server.enqueue(sse("data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[]},"
                + "\"usageMetadata\":{\"promptTokenCount\":8,\"totalTokenCount\":8}}\n\n"));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BLOCKED))
                .hasMessage("gemini blocked the prompt (blockReason SAFETY)");
    }

    @Test
    void safetyFinishIsABlockedFailure() {
        server.enqueue(sse("data: {\"candidates\":[{\"finishReason\":\"SAFETY\",\"safetyRatings\":[{\"category\":"
                + "\"HARM_CATEGORY_HATE_SPEECH\",\"probability\":\"HIGH\",\"blocked\":true}]}]}\n\n"));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BLOCKED))
                .hasMessage("gemini stopped the answer (finishReason SAFETY): blocked for HARM_CATEGORY_HATE_SPEECH");
    }

    @Test
    void invalidKeyIs400ButACredentialsError() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody("{\"error\":{\"code\":400,\"message\":\"API key "
                + "not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\",\"domain\":"
                + "\"googleapis.com\"}]}}"));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelAuthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.AUTH);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.exitCode().code()).isEqualTo(4);
                    assertThat(e.fix()).isEqualTo("check GEMINI_API_KEY: run 'llmo vault set GEMINI_API_KEY' or "
                            + "'export GEMINI_API_KEY=…'");
                })
                .hasMessage("gemini refused the API key (HTTP 400): API key not valid. Please pass a valid API key.");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void rateLimitHonoursRetryInfo() {
        server.enqueue(new MockResponse().setResponseCode(429).setBody("{\"error\":{\"code\":429,\"message\":"
                + "\"Resource has been exhausted\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":"
                + "\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},{\"@type\":"
                + "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"26s\"}]}}"));
        server.enqueue(sse(RECORDED_STREAM));
        assertThat(client.complete(request(true)).text()).isEqualTo(EXPECTED_TEXT);
        assertThat(sleeper.delays).containsExactly(Duration.ofSeconds(26));
    }

    @Test
    void dailyQuotaIsNotRetried() {
        server.enqueue(new MockResponse().setResponseCode(429).setBody("{\"error\":{\"code\":429,\"message\":"
                + "\"You exceeded your current quota\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":"
                + "\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},{\"@type\":"
                + "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"3s\"}]}}"));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.QUOTA));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void overloaded503IsRetried() {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{\"code\":503,\"message\":"
                + "\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}"));
        server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{\"code\":503,\"message\":"
                + "\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}"));
        server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{\"code\":503,\"message\":"
                + "\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}"));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
                    assertThat(e.status()).isEqualTo(503);
                })
                .hasMessage("gemini answered HTTP 503 (overloaded): The model is overloaded. Please try again later. "
                        + "(after 3 attempts)");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void rawJsonErrorInsideTheStream() {
        server.enqueue(sse("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Here\"}]}}]}\n\n"
                + "{\"error\": {\n  \"code\": 500,\n  \"message\": \"Internal error encountered.\",\n"
                + "  \"status\": \"INTERNAL\"\n}}\n"));
        Recorder recorder = new Recorder();
        client.stream(request(true), recorder);
        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.SERVER_ERROR);
            assertThat(e.getMessage()).isEqualTo("gemini failed mid-answer (server error): Internal error encountered.");
        });
        assertThat(recorder.texts()).containsExactly("Here");
    }

    @Test
    void streamEndingWithoutFinishReasonIsIncomplete() {
        server.enqueue(sse(RECORDED_STREAM.substring(0, RECORDED_STREAM.indexOf("data: {\"candidates\": [{\"content\": "
                + "{\"parts\": [{\"text\": \"ガイモ"))));
        assertThatThrownBy(() -> client.complete(request(true)))
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE));
    }

    @Test
    void listModelsStripsThePrefixAndFollowsPages() throws Exception {
        server.enqueue(new MockResponse().setBody("{\"models\":[{\"name\":\"models/gemini-2.0-flash\",\"version\":"
                + "\"2.0\",\"displayName\":\"Gemini 2.0 Flash\"}],\"nextPageToken\":\"p2\"}"));
        server.enqueue(new MockResponse().setBody("{\"models\":[{\"name\":\"models/gemini-2.5-pro\"}]}"));
        assertThat(client.listModels()).containsExactly(new RemoteModel("gemini-2.0-flash", "Gemini 2.0 Flash"),
                new RemoteModel("gemini-2.5-pro", null));
        RecordedRequest first = server.takeRequest();
        assertThat(first.getPath()).isEqualTo("/v1beta/models?pageSize=1000");
        assertThat(first.getHeader("x-goog-api-key")).isEqualTo(KEY);
        assertThat(server.takeRequest().getPath()).isEqualTo("/v1beta/models?pageSize=1000&pageToken=p2");
    }
}
