package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.message.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.Pricing;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.CredentialsException;
import dev.llmo.core.KeyResolver;
import dev.llmo.failure.ModelCallException;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.ProviderKeys;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.cost.UsageCost;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallExecutorTest {
    private MockWebServer server;
    private final AtomicLong nanos = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ModelRef model(String keyName) {
        String url = server.url("/v1").toString();
        ModelSpec spec = new ModelSpec("gpt-4o-mini", List.of(), 128000L, 16384L,
                new Pricing(new BigDecimal("0.15"), new BigDecimal("0.60")), Map.of("temperature", 0.7, "seed", 1),
                Origin.of("test", "test"));
        ProviderConfig provider = new ProviderConfig("openai", ProviderType.OPENAI, url, keyName, null, "gpt-4o-mini",
                List.of(spec), null, Origin.of("test", "test"));
        return new ModelRef(provider, spec);
    }

    private CallExecutor executor(Map<String, String> env) {
        return new CallExecutor(new ProviderKeys(KeyResolver.environment(env)),
                new ProviderClients(ProviderTestSupport.transport(new ProviderTestSupport.RecordingSleeper(), 0)),
                () -> nanos.addAndGet(10_000_000)); // every reading of the clock advances it 10 ms
    }

    @Test
    void runsOneModelWithMergedOptionsAndPricesTheUsage() throws Exception {
        server.enqueue(new MockResponse().setBody(OpenAiClientTest.RECORDED_STREAM));
        List<String> texts = new ArrayList<>();
        RunResult result = executor(Map.of("OPENAI_API_KEY", "sk-x")).run(RunRequest.of(model("OPENAI_API_KEY"),
                "sys", "prompt", Map.of("temperature", 0.1), true), event -> {
                    if (event instanceof RunEvent.Text text) {
                        texts.add(text.text());
                    }
                });

        assertThat(result.succeeded()).isTrue();
        assertThat(result.text()).isEqualTo("{\"");
        assertThat(texts).containsExactly("{\"");
        assertThat(result.usage()).isEqualTo(Usage.of(79, 1));
        // (79 × 0.15 + 1 × 0.60) / 1e6
        assertThat(result.costUsd()).isEqualByComparingTo("0.00001245");
        assertThat(result.ttftMs()).isNotNull();
        assertThat(result.latencyMs()).isGreaterThanOrEqualTo(result.ttftMs());

        JsonNode body = new ObjectMapper().readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.get("temperature").asDouble()).as("-o beats models.yaml").isEqualTo(0.1);
        assertThat(body.get("seed").asInt()).as("models.yaml default kept").isEqualTo(1);
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
    }

    /**
     * The text after the first piece comes as one event per network read (here the whole body is one), with how many
     * pieces it holds and whether it is ASCII: what the live view counts and what stdout copies as bytes.
     */
    @Test
    void textEventsSayHowManyPiecesTheyHoldAndWhetherTheyAreAscii() {
        StringBuilder stream = new StringBuilder();
        for (String piece : List.of("Hel", "lo", " ", "w\\u00f6rld", "!", "\\ud83d", "x", "ok")) {
            stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(piece)
                    .append("\"}}]}\n\n");
        }
        stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(stream.toString()));
        List<RunEvent.Text> texts = new ArrayList<>();
        RunResult result = executor(Map.of()).run(RunRequest.of(model(null), null, "p", Map.of(), true), event -> {
            if (event instanceof RunEvent.Text text) {
                texts.add(text);
            }
        });

        assertThat(result.text()).isEqualTo("Hello w\u00f6rld!\ufffdxok");
        assertThat(String.join("", texts.stream().map(RunEvent.Text::text).toList())).isEqualTo(result.text());
        assertThat(texts.get(0)).isEqualTo(new RunEvent.Text(texts.get(0).call(), "Hel", 1, true));
        // the lone half pair was held back, and came with the next piece: seven pieces shown, as seven events were
        assertThat(texts.stream().mapToInt(RunEvent.Text::pieces).sum()).isEqualTo(7);
        for (RunEvent.Text text : texts) {
            assertThat(text.ascii()).as(text.text()).isEqualTo(text.text().chars().allMatch(c -> c < 0x80));
        }
    }

    @Test
    void missingKeyIsAFailedResultNotAnException() {
        RunResult result = executor(Map.of()).run(RunRequest.of(model("OPENAI_API_KEY"), null, "p", Map.of(),
                true), text -> { });
        assertThat(result.error()).isInstanceOf(CredentialsException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void failedCallKeepsThePartialText() {
        server.enqueue(new MockResponse().setBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"part\"}}]}"
                + "\n\n"));
        RunResult result = executor(Map.of()).run(RunRequest.of(model(null), null, "p", Map.of(), true),
                text -> { });
        assertThat(result.error()).isInstanceOf(ModelCallException.class);
        assertThat(result.text()).isEqualTo("part");
        assertThat(result.stopReason()).isNull();
    }

    @Test
    void aFailedCallKeepsEveryPartItShowedInOrderWithAToolCallCutMidArguments() {
        server.enqueue(new MockResponse().setBody(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me \"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"look.\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
                + "\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\"}}]}}]}\n\n"));
        RunResult result = executor(Map.of()).run(RunRequest.of(model(null), null, "p", Map.of(), true),
                event -> { });

        assertThat(result.error()).isInstanceOf(ModelCallException.class);
        assertThat(result.answer().parts()).containsExactly(dev.llmo.message.Part.Reasoning.of("Let me look."),
                new dev.llmo.message.Part.Text("Checking"),
                new dev.llmo.message.Part.ToolCall("call_a", "search", "{\"q\":"));
    }

    @Test
    void costIsNullWhenPriceOrUsageIsUnknown() {
        assertThat(UsageCost.usd(null, Usage.of(1, 1))).isNull();
        assertThat(UsageCost.usd(new Pricing(BigDecimal.ONE, BigDecimal.ONE), null)).isNull();
        assertThat(UsageCost.usd(new Pricing(BigDecimal.ZERO, BigDecimal.ZERO), Usage.of(5, 5))).isZero();
        assertThat(UsageCost.usd(new Pricing(new BigDecimal("0.15"), new BigDecimal("0.60")), Usage.of(12, 5)))
                .isEqualByComparingTo("0.0000048");
    }

    /** Records the answered results, or fails to, as a full disk would. */
    private static final class Answers implements dev.llmo.core.CallRecorder {
        final List<RunResult> answered = new ArrayList<>();
        final boolean failing;

        Answers(boolean failing) {
            this.failing = failing;
        }

        @Override
        public long requestSent(ModelRef model, ChatRequest request, byte[] body) {
            return 7;
        }

        @Override
        public void retried(long request, int attempt, java.time.Duration delay, dev.llmo.failure.LlmoException reason) {
        }

        @Override
        public void answered(long request, RunResult result) {
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            answered.add(result);
        }
    }

    @Test
    void aListenerThatThrowsStopsTheCallWhichEndsAsARecordedFailureWithTheTextShown() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(dev.llmo.OpenAiAnswers.sseBody("part", 3, 2).replace("data: {\"choices\":[{\"index\":0,"
                        + "\"delta\":{},", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" more\"}},"
                        + "\"finish_reason\":null}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},")));
        Answers recorder = new Answers(false);
        List<String> shown = new ArrayList<>();
        RunResult result = executor(Map.of()).start(RunRequest.of(model(null), null, "p", Map.of(), true),
                event -> {
                    if (event instanceof RunEvent.Text text) {
                        shown.add(text.text());
                        throw new IllegalStateException("view broke");
                    }
                }, recorder).await();

        assertThat(shown).containsExactly("part");
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).hasMessageContaining("view broke");
        assertThat(result.text()).as("what was shown, nothing after").isEqualTo("part");
        assertThat(recorder.answered).containsExactly(result);
    }

    @Test
    void aRecorderThatThrowsMakesTheCallFailInsteadOfSucceedingUnrecorded() {
        server.enqueue(new MockResponse().setBody(OpenAiClientTest.RECORDED_STREAM));
        RunResult result = executor(Map.of()).start(RunRequest.of(model(null), null, "p", Map.of(), true),
                text -> { }, new Answers(true)).await();

        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).hasMessageContaining("recording the answer").hasMessageContaining("disk full");
        assertThat(result.text()).isEqualTo("{\"");
    }
}
