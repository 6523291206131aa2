package dev.llmo.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.MockServers;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.Pricing;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.message.Usage;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchState;
import dev.llmo.provider.ProviderTestSupport;
import dev.llmo.provider.http.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rows on a provider's batch service: the live request of each row, the key of the live path, batch prices. */
class RemoteBatchesTest {
    private MockWebServer server;
    private ModelRef model;
    private RemoteBatches batches;

    @BeforeEach
    void setUp() throws IOException {
        server = MockServers.create();
        server.start();
        String url = server.url("/v1").toString();
        ModelSpec spec = new ModelSpec("claude-haiku-4-5", List.of(), 200_000L, 64_000L, 512L,
                new Pricing(new BigDecimal("1"), new BigDecimal("5")).withBatchDiscount(new BigDecimal("0.5")),
                Map.of("temperature", 0.3), Origin.of("test", "test"));
        ProviderConfig provider = new ProviderConfig("anthropic", ProviderType.ANTHROPIC,
                url.substring(0, url.length() - "/v1".length()), "ANTHROPIC_API_KEY", null, "claude-haiku-4-5",
                List.of(spec), null, Origin.of("test", "test"));
        model = new ModelRef(provider, spec);
        batches = new RemoteBatches(new ProviderKeys(KeyResolver.environment(Map.of("ANTHROPIC_API_KEY",
                ProviderTestSupport.KEY))), new ProviderClients(ProviderTestSupport.transport(
                new ProviderTestSupport.RecordingSleeper(), 0)));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.shutdown();
    }

    @Test
    void eachRowGoesAsTheLiveCallWouldSendItAndAnswersCostTheBatchPrice() throws InterruptedException {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody("""
                {"id":"msgbatch_01","type":"message_batch","processing_status":"in_progress","request_counts":\
                {"processing":2,"succeeded":0,"errored":0,"canceled":0,"expired":0},"results_url":null,\
                "cancel_initiated_at":null}"""));
        List<RemoteBatches.Submitted> submitted = new ArrayList<>();
        RunRequest first = RunRequest.of(model, "Be brief.", "Capital of France?", Map.of("max_tokens", 50), false);
        RunRequest second = RunRequest.of(model, "Be brief.", "Capital of Spain?", Map.of(), false);

        batches.submit(model, List.of(new RemoteBatches.Row("r0-m0", first), new RemoteBatches.Row("r1-m0", second)),
                submitted::add);

        assertThat(submitted).singleElement().satisfies(s -> {
            assertThat(s.batch().id()).isEqualTo("msgbatch_01");
            assertThat(s.batch().state()).isEqualTo(BatchState.RUNNING);
            assertThat(s.customIds()).containsExactly("r0-m0", "r1-m0");
        });
        RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getPath()).isEqualTo("/v1/messages/batches");
        assertThat(sent.getHeader("x-api-key")).isEqualTo(ProviderTestSupport.KEY);
        JsonNode requests = Json.parse(sent.getBody().readUtf8()).orElseThrow().get("requests");
        JsonNode params = requests.get(0).get("params");
        // the model's default options beneath the row's, as live
        assertThat(params.get("max_tokens").asLong()).isEqualTo(50);
        assertThat(params.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(params.get("system").asText()).isEqualTo("Be brief.");
        assertThat(params.has("stream")).isFalse();
        // the model's default answer limit when the row sets none, as live
        assertThat(requests.get(1).get("params").get("max_tokens").asLong()).isEqualTo(512);

        assertThat(RemoteBatches.cost(model, Usage.reported(1_000_000, 1_000_000, 0, 0, 0)))
                .isEqualByComparingTo("3");
    }

    @Test
    void resultsAndCancelGoToTheSameService() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody("""
                {"id":"msgbatch_01","type":"message_batch","processing_status":"ended","request_counts":\
                {"processing":0,"succeeded":1,"errored":0,"canceled":0,"expired":0},"results_url":"%s",\
                "cancel_initiated_at":null}""".formatted(server.url("/v1/messages/batches/msgbatch_01/results"))));
        server.enqueue(new MockResponse().setBody("""
                {"custom_id":"r0-m0","result":{"type":"succeeded","message":{"id":"msg_1","type":"message",\
                "role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Paris"}],\
                "stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":2}}}}
                """));
        var status = batches.status(model.provider(), "msgbatch_01");
        List<BatchResult> results = new ArrayList<>();
        batches.results(model.provider(), status, results::add);
        assertThat(results).singleElement().satisfies(r -> assertThat(r.response().text()).isEqualTo("Paris"));
    }
}
