package dev.llmo.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.BatchCounts;
import dev.llmo.provider.BatchLimits;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchRow;
import dev.llmo.provider.BatchState;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.MockProvider;
import dev.llmo.provider.ProviderTestSupport;
import dev.llmo.provider.RemoteBatch;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Anthropic Message Batches against a MockWebServer answering in its documented shapes (reference section 6.2). */
class AnthropicBatchesTest {
    @RegisterExtension
    final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC, 2);

    private static final String IN_PROGRESS = """
            {"id":"msgbatch_013Zva2CMHLNnXjNJJKqJ2EF","type":"message_batch","processing_status":"in_progress",\
            "request_counts":{"processing":2,"succeeded":0,"errored":0,"canceled":0,"expired":0},\
            "ended_at":null,"created_at":"2024-09-24T18:37:24.100435Z","expires_at":"2024-09-25T18:37:24.100435Z",\
            "archived_at":null,"cancel_initiated_at":null,"results_url":null}""";

    private BatchRow row(String id, String prompt) {
        return new BatchRow(id, anthropic.client().prepare(new ChatRequest("claude-sonnet-4-5", null,
                List.of(dev.llmo.provider.ChatMessage.user(prompt)), java.util.Map.of(), 1024L, false)));
    }

    private String ended(String extra) {
        return IN_PROGRESS.replace("\"in_progress\"", "\"ended\"")
                .replace("\"processing\":2,\"succeeded\":0,\"errored\":0", "\"processing\":0,\"succeeded\":1,"
                        + "\"errored\":1")
                .replace("\"results_url\":null", "\"results_url\":\"" + anthropic.url(
                        "/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results") + "\"") + extra;
    }

    @Test
    void submitSendsTheLiveBodiesAsParams() {
        BatchRow first = row("r1", "Hello");
        BatchRow second = row("r2", "Hi");
        anthropic.answerJson(IN_PROGRESS);

        RemoteBatch batch = anthropic.batches().submit("claude-sonnet-4-5", List.of(first, second));

        assertThat(batch.id()).isEqualTo("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(batch.state()).isEqualTo(BatchState.RUNNING);
        assertThat(batch.counts().total()).isEqualTo(2);
        assertThat(batch.results()).isEmpty();
        RecordedRequest sent = anthropic.sent();
        assertThat(sent.getPath()).isEqualTo("/v1/messages/batches");
        assertThat(sent.getHeader("x-api-key")).isEqualTo(ProviderTestSupport.KEY);
        assertThat(sent.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        String body = sent.getBody().readUtf8();
        assertThat(body).isEqualTo("{\"requests\":[{\"custom_id\":\"r1\",\"params\":"
                + new String(first.prepared().body(), StandardCharsets.UTF_8) + "},{\"custom_id\":\"r2\",\"params\":"
                + new String(second.prepared().body(), StandardCharsets.UTF_8) + "}]}");
        JsonNode params = Json.parse(body).orElseThrow().get("requests").get(0).get("params");
        assertThat(params.get("max_tokens").asLong()).isEqualTo(1024);
        assertThat(params.has("stream")).isFalse();
        assertThat(anthropic.batches().sizeOf(first)).isGreaterThan(first.prepared().body().length);
    }

    @Test
    void anEndedBatchGivesItsResultsUrlAndTheResultsAreRead() {
        anthropic.answerJson(ended(""));
        RemoteBatch done = anthropic.batches().status("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(anthropic.sent().getPath()).isEqualTo("/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.counts()).isEqualTo(new BatchCounts(2, 1, 1, 0, 0));
        anthropic.answer(new MockResponse().setHeader("Content-Type", "application/binary").setBody("""
                {"custom_id":"r2","result":{"type":"succeeded","message":{"id":"msg_014VwiXbi91y3JMjcpyGBHX5",\
                "type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text",\
                "text":"Hello again! How can I help you today?"}],"stop_reason":"end_turn","stop_sequence":null,\
                "usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,\
                "output_tokens":36,"service_tier":"batch"}}}}
                {"custom_id":"r1","result":{"type":"errored","error":{"type":"error","error":{"type":\
                "invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number \
                of output tokens for claude-sonnet-4-5"},"request_id":"req_011CYK5n67SytMUxm8WMZUWY"}}}
                {"custom_id":"r3","result":{"type":"canceled"}}
                {"custom_id":"r4","result":{"type":"expired"}}
                {"custom_id":"r5","result":{"type":"succeeded","message":{"id":"msg_2","type":"message",\
                "role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":"refusal",\
                "stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":0}}}}
                """));
        List<BatchResult> results = new ArrayList<>();

        anthropic.batches().results(done, results::add);

        RecordedRequest fetch = anthropic.sent();
        assertThat(fetch.getPath()).isEqualTo("/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results");
        assertThat(fetch.getHeader("x-api-key")).isEqualTo(ProviderTestSupport.KEY);
        assertThat(results).extracting(BatchResult::customId).containsExactly("r2", "r1", "r3", "r4", "r5");
        assertThat(results).extracting(BatchResult::outcome).containsExactly(BatchResult.Outcome.SUCCEEDED,
                BatchResult.Outcome.FAILED, BatchResult.Outcome.CANCELLED, BatchResult.Outcome.EXPIRED,
                BatchResult.Outcome.FAILED);
        assertThat(results.get(0).response().text()).isEqualTo("Hello again! How can I help you today?");
        assertThat(results.get(0).response().stopReason()).isEqualTo(StopReason.END);
        assertThat(results.get(0).response().usage().inputTokens()).isEqualTo(11);
        assertThat(results.get(0).response().usage().outputTokens()).isEqualTo(36);
        assertThat(((ModelCallException) results.get(1).error()).kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(results.get(1).error().getMessage()).contains("max_tokens: 100000 > 64000");
        assertThat(((ModelCallException) results.get(3).error()).kind()).isEqualTo(ErrorKind.EXPIRED);
        assertThat(((ModelCallException) results.get(4).error()).kind()).isEqualTo(ErrorKind.REFUSED);
    }

    @Test
    void aRefusedRowKeepsTheTextBeforeTheRefusalItsExplanationAndItsUsage() {
        anthropic.answerJson(ended(""));
        RemoteBatch done = anthropic.batches().status("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        anthropic.sent();
        anthropic.answer(new MockResponse().setHeader("Content-Type", "application/binary").setBody("""
                {"custom_id":"r1","result":{"type":"succeeded","message":{"id":"msg_01","type":"message",\
                "role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Here is how to"}],\
                "stop_reason":"refusal","stop_sequence":null,"stop_details":{"type":"refusal","category":"cyber",\
                "explanation":"I can't help with writing malware."},\
                "usage":{"input_tokens":14,"output_tokens":9,"service_tier":"batch"}}}}
                """));
        List<BatchResult> results = new ArrayList<>();

        anthropic.batches().results(done, results::add);

        BatchResult refused = results.get(0);
        assertThat(refused.outcome()).isEqualTo(BatchResult.Outcome.FAILED);
        assertThat(((ModelCallException) refused.error()).kind()).isEqualTo(ErrorKind.REFUSED);
        // what the model said before and of its refusal stays with the row, and so does what it cost
        assertThat(refused.response().text()).isEqualTo("Here is how to");
        assertThat(refused.response().message().parts(dev.llmo.message.Part.Refusal.class))
                .extracting(dev.llmo.message.Part.Refusal::text).containsExactly("I can't help with writing malware.");
        assertThat(refused.response().stopReason()).isEqualTo(StopReason.REFUSED);
        assertThat(refused.response().usage().outputTokens()).isEqualTo(9);
    }

    @Test
    void theKeyNeverGoesToAResultsUrlOnAnotherHost() {
        anthropic.answerJson(ended("").replace(anthropic.url("/"), "https://evil.example/"));
        RemoteBatch done = anthropic.batches().status("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        anthropic.sent();
        assertThatThrownBy(() -> anthropic.batches().results(done, result -> { }))
                .isInstanceOf(ModelCallException.class).hasMessageContaining("evil.example");
        assertThat(anthropic.requestCount()).isEqualTo(1);
    }

    @Test
    void anExpiredOrCancelledBatchEnds() {
        anthropic.answerJson(IN_PROGRESS.replace("\"in_progress\"", "\"ended\"")
                .replace("\"processing\":2", "\"processing\":0").replace("\"expired\":0", "\"expired\":2"));
        RemoteBatch expired = anthropic.batches().status("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(expired.state()).isEqualTo(BatchState.EXPIRED);
        assertThat(expired.counts().expired()).isEqualTo(2);

        anthropic.answerJson(IN_PROGRESS.replace("\"in_progress\"", "\"canceling\"")
                .replace("\"cancel_initiated_at\":null", "\"cancel_initiated_at\":\"2024-09-24T18:39:03.114875Z\""));
        RemoteBatch cancelling = anthropic.batches().cancel("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        anthropic.sent();
        RecordedRequest cancel = anthropic.sent();
        assertThat(cancel.getMethod()).isEqualTo("POST");
        assertThat(cancel.getPath()).isEqualTo("/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/cancel");
        assertThat(cancelling.state()).isEqualTo(BatchState.CANCELLING);
    }

    @Test
    void errorsMapAsLive() {
        anthropic.answer(new MockResponse().setResponseCode(401).setHeader("Content-Type", "application/json")
                .setBody("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
                        + "\"invalid x-api-key\"},\"request_id\":\"req_1\"}"));
        assertThatThrownBy(() -> anthropic.batches().status("msgbatch_1")).isInstanceOf(ModelAuthException.class);

        anthropic.answer(new MockResponse().setResponseCode(529).setHeader("Content-Type", "application/json")
                .setBody("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        anthropic.answer(new MockResponse().setResponseCode(429).setHeader("x-should-retry", "true")
                .setHeader("Content-Type", "application/json").setBody("{\"type\":\"error\",\"error\":{\"type\":"
                        + "\"rate_limit_error\",\"message\":\"Number of request tokens has exceeded your rate limit\"}}"));
        anthropic.answerJson(IN_PROGRESS);
        assertThat(anthropic.batches().status("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF").state())
                .isEqualTo(BatchState.RUNNING);
        assertThat(anthropic.requestCount()).isEqualTo(4);
    }

    @Test
    void aDatasetIsSplitToTheDocumentedLimits() {
        List<BatchRow> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(row("r" + i, "prompt " + i));
        }
        assertThat(AnthropicBatches.LIMITS).isEqualTo(new BatchLimits(100_000, 256_000_000));
        assertThat(anthropic.batches(new BatchLimits(2, 1_000_000)).split(rows)).extracting(List::size)
                .containsExactly(2, 2, 1);
    }
}
