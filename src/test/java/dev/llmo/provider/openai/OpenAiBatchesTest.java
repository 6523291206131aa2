package dev.llmo.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.BatchLimits;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchRow;
import dev.llmo.provider.BatchService;
import dev.llmo.provider.BatchState;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.MockProvider;
import dev.llmo.provider.ProviderTestSupport;
import dev.llmo.provider.RemoteBatch;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.http.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OpenAI Batch API against a MockWebServer answering in its documented shapes (section 6.1 of the reference). */
class OpenAiBatchesTest {
    @RegisterExtension
    final MockProvider openai = new MockProvider(ProviderType.OPENAI, 2);

    private static final String CREATED = """
            {"id":"batch_abc123","object":"batch","endpoint":"/v1/chat/completions","errors":null,\
            "input_file_id":"file-abc123","completion_window":"24h","status":"validating","output_file_id":null,\
            "error_file_id":null,"created_at":1711471533,"in_progress_at":null,"expires_at":1711557933,\
            "completed_at":null,"failed_at":null,"expired_at":null,"cancelled_at":null,\
            "request_counts":{"total":0,"completed":0,"failed":0},"metadata":{"model":"gpt-4o-mini"}}""";

    private BatchRow row(String id, String prompt) {
        return new BatchRow(id, openai.client().prepare(ChatRequest.of("gpt-4o-mini", "Be brief.", prompt, false)
                .withOptions(Map.of("temperature", 0.2))));
    }

    private void json(String body) {
        openai.answerJson(body);
    }

    @Test
    void submitUploadsTheLiveBodiesAsAJsonLinesFileThenCreatesTheBatch() {
        BatchService batches = openai.batches();
        BatchRow first = row("r1", "Hello");
        BatchRow second = row("r2", "Bonjour");
        json("""
                {"id":"file-abc123","object":"file","bytes":120000,"created_at":1677610602,\
                "filename":"llmo-batch.jsonl","purpose":"batch"}""");
        json(CREATED);

        RemoteBatch batch = batches.submit("gpt-4o-mini", List.of(first, second));

        assertThat(batch.id()).isEqualTo("batch_abc123");
        assertThat(batch.state()).isEqualTo(BatchState.QUEUED);
        RecordedRequest upload = openai.sent();
        assertThat(upload.getMethod()).isEqualTo("POST");
        assertThat(upload.getPath()).isEqualTo("/files");
        assertThat(upload.getHeader("Authorization")).isEqualTo("Bearer " + ProviderTestSupport.KEY);
        assertThat(upload.getHeader("Content-Type")).startsWith("multipart/form-data; boundary=");
        String boundary = upload.getHeader("Content-Type").substring("multipart/form-data; boundary=".length());
        String multipart = upload.getBody().readUtf8();
        String expectedFile = line(first) + line(second);
        assertThat(multipart).isEqualTo("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"purpose\"\r\n"
                + "Content-Length: 5\r\n\r\n"
                + "batch\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"llmo-batch.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n"
                + "Content-Length: " + expectedFile.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
                + expectedFile + "\r\n"
                + "--" + boundary + "--\r\n");
        // each line parses, and its body is the live request's body byte for byte
        JsonNode parsed = Json.parse(expectedFile.split("\n")[0]).orElseThrow();
        assertThat(parsed.get("url").asText()).isEqualTo("/v1/chat/completions");
        assertThat(parsed.get("method").asText()).isEqualTo("POST");
        assertThat(Json.write(parsed.get("body"))).isEqualTo(new String(first.prepared().body(),
                StandardCharsets.UTF_8));
        assertThat(parsed.get("body").has("stream")).isFalse();

        RecordedRequest create = openai.sent();
        assertThat(create.getPath()).isEqualTo("/batches");
        JsonNode body = Json.parse(create.getBody().readUtf8()).orElseThrow();
        assertThat(body.get("input_file_id").asText()).isEqualTo("file-abc123");
        assertThat(body.get("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(body.get("completion_window").asText()).isEqualTo("24h");
        assertThat(batches.sizeOf(first)).isEqualTo(line(first).getBytes(StandardCharsets.UTF_8).length);
    }

    private static String line(BatchRow row) {
        return "{\"custom_id\":\"" + row.customId() + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":" + new String(row.prepared().body(), StandardCharsets.UTF_8) + "}\n";
    }

    @Test
    void statusReadsTheStateAndCountsAndWhereTheResultsAre() {
        json(CREATED.replace("\"validating\"", "\"in_progress\"")
                .replace("\"total\":0,\"completed\":0,\"failed\":0", "\"total\":100,\"completed\":40,\"failed\":2"));
        RemoteBatch running = openai.batches().status("batch_abc123");
        assertThat(openai.sent().getPath()).isEqualTo("/batches/batch_abc123");
        assertThat(running.state()).isEqualTo(BatchState.RUNNING);
        assertThat(running.state().ended()).isFalse();
        assertThat(running.counts().succeeded()).isEqualTo(40);
        assertThat(running.counts().failed()).isEqualTo(2);
        assertThat(running.counts().pending()).isEqualTo(58);

        json(CREATED.replace("\"validating\"", "\"completed\"")
                .replace("\"output_file_id\":null", "\"output_file_id\":\"file-out\"")
                .replace("\"error_file_id\":null", "\"error_file_id\":\"file-err\""));
        RemoteBatch done = openai.batches().status("batch_abc123");
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.results()).containsExactly("file-out", "file-err");
    }

    @Test
    void anExpiredBatchEndsAndAFailedOneSaysWhy() {
        json(CREATED.replace("\"validating\"", "\"expired\"")
                .replace("\"output_file_id\":null", "\"output_file_id\":\"file-out\""));
        RemoteBatch expired = openai.batches().status("batch_abc123");
        assertThat(expired.state()).isEqualTo(BatchState.EXPIRED);
        assertThat(expired.state().ended()).isTrue();
        assertThat(expired.results()).containsExactly("file-out");

        json(CREATED.replace("\"validating\"", "\"failed\"").replace("\"errors\":null", """
                "errors":{"object":"list","data":[{"code":"invalid_json_line","line":3,\
                "message":"This line is not parseable as valid JSON.","param":null}]}"""));
        RemoteBatch failed = openai.batches().status("batch_abc123");
        assertThat(failed.state()).isEqualTo(BatchState.FAILED);
        assertThat(failed.failure()).isEqualTo("line 3: This line is not parseable as valid JSON.");
    }

    @Test
    void resultsAreReadLineByLineFromTheOutputAndErrorFiles() {
        RemoteBatch done = new RemoteBatch("batch_abc123", BatchState.EXPIRED, "expired",
                dev.llmo.provider.BatchCounts.NONE, List.of("file-out", "file-err"), null);
        openai.answer(new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody("""
                {"id":"batch_req_1","custom_id":"r2","response":{"status_code":200,"request_id":"req_1","body":\
                {"id":"chatcmpl-1","object":"chat.completion","created":1711475054,"model":"gpt-4o-mini-2024-07-18",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"Bonjour !"},"logprobs":null,\
                "finish_reason":"stop"}],"usage":{"prompt_tokens":22,"completion_tokens":3,"total_tokens":25,\
                "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}},\
                "error":null}

                {"id":"batch_req_2","custom_id":"r1","response":{"status_code":200,"request_id":"req_2","body":\
                {"id":"chatcmpl-2","object":"chat.completion","created":1711475054,"model":"gpt-4o-mini-2024-07-18",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"Hel"},"logprobs":null,\
                "finish_reason":"length"}],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}}},\
                "error":null}
                """));
        openai.answer(new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody("""
                {"id":"batch_req_3","custom_id":"r3","response":{"status_code":400,"request_id":"req_3","body":\
                {"error":{"message":"Invalid value for 'temperature'.","type":"invalid_request_error",\
                "param":"temperature","code":"invalid_value"}}},"error":null}
                {"id":"batch_req_4","custom_id":"r4","response":null,"error":{"code":"batch_expired",\
                "message":"This request could not be executed before the completion window expired."}}
                {"id":"batch_req_5","custom_id":"r5","response":null,"error":{"code":"batch_cancelled",\
                "message":"This request was not executed because the batch was cancelled."}}
                {"id":"batch_req_6","custom_id":"r6","response":{"status_code":200,"request_id":"req_6","body":\
                {"id":"chatcmpl-6","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":\
                {"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}},\
                "error":null}
                """));
        List<BatchResult> results = new ArrayList<>();

        openai.batches().results(done, results::add);

        assertThat(openai.sent().getPath()).isEqualTo("/files/file-out/content");
        assertThat(openai.sent().getPath()).isEqualTo("/files/file-err/content");
        assertThat(results).extracting(BatchResult::customId).containsExactly("r2", "r1", "r3", "r4", "r5", "r6");
        BatchResult r2 = results.get(0);
        assertThat(r2.outcome()).isEqualTo(BatchResult.Outcome.SUCCEEDED);
        assertThat(r2.response().text()).isEqualTo("Bonjour !");
        assertThat(r2.response().stopReason()).isEqualTo(StopReason.END);
        assertThat(r2.response().usage().inputTokens()).isEqualTo(22);
        assertThat(r2.response().usage().outputTokens()).isEqualTo(3);
        assertThat(r2.response().model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(results.get(1).response().stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        BatchResult r3 = results.get(2);
        assertThat(r3.outcome()).isEqualTo(BatchResult.Outcome.FAILED);
        assertThat(((ModelCallException) r3.error()).kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(((ModelCallException) r3.error()).status()).isEqualTo(400);
        assertThat(r3.error().getMessage()).contains("Invalid value for 'temperature'.");
        assertThat(results.get(3).outcome()).isEqualTo(BatchResult.Outcome.EXPIRED);
        assertThat(((ModelCallException) results.get(3).error()).kind()).isEqualTo(ErrorKind.EXPIRED);
        assertThat(results.get(4).outcome()).isEqualTo(BatchResult.Outcome.CANCELLED);
        // a refusal in a batch is the row's failure, as it is live
        assertThat(results.get(5).outcome()).isEqualTo(BatchResult.Outcome.FAILED);
        assertThat(((ModelCallException) results.get(5).error()).kind()).isEqualTo(ErrorKind.REFUSED);
        // and keeps the model's words, not only inside the error's message
        assertThat(results.get(5).response().message().parts(dev.llmo.message.Part.Refusal.class))
                .extracting(dev.llmo.message.Part.Refusal::text).containsExactly("I can't help with that.");
        assertThat(results.get(5).response().stopReason()).isEqualTo(StopReason.REFUSED);
    }

    @Test
    void cancelAsksTheProviderToStop() {
        json(CREATED.replace("\"validating\"", "\"cancelling\""));
        RemoteBatch batch = openai.batches().cancel("batch_abc123");
        RecordedRequest sent = openai.sent();
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getPath()).isEqualTo("/batches/batch_abc123/cancel");
        assertThat(batch.state()).isEqualTo(BatchState.CANCELLING);
    }

    @Test
    void aServersIdCannotAddAPathOrAQuery() {
        json(CREATED);
        openai.batches().status("../files/x?y=1");
        assertThat(openai.sent().getPath()).isEqualTo("/batches/..%2Ffiles%2Fx%3Fy=1");
    }

    @Test
    void aRefusedKeyIsACredentialsFailureNotRetried() {
        openai.answer(new MockResponse().setResponseCode(401).setHeader("Content-Type", "application/json")
                .setBody("""
                        {"error":{"message":"Incorrect API key provided: sk-VKMIs***wjh3.","type":\
                        "invalid_request_error","param":null,"code":"invalid_api_key"}}"""));
        assertThatThrownBy(() -> openai.batches().status("batch_abc123"))
                .isInstanceOfSatisfying(ModelAuthException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.CREDENTIALS);
                    assertThat(e.getMessage()).doesNotContain(ProviderTestSupport.KEY);
                });
        assertThat(openai.requestCount()).isEqualTo(1);
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriedAsLive() {
        openai.answer(new MockResponse().setResponseCode(429).setHeader("retry-after", "2")
                .setHeader("Content-Type", "application/json").setBody("""
                        {"error":{"message":"Rate limit reached for batch requests.","type":"requests",\
                        "param":null,"code":"rate_limit_exceeded"}}"""));
        openai.answer(new MockResponse().setResponseCode(500).setHeader("Content-Type", "application/json")
                .setBody("""
                        {"error":{"message":"The server had an error while processing your request. Sorry about \
                        that!","type":"server_error","param":null,"code":null}}"""));
        json(CREATED);
        RemoteBatch batch = openai.batches().status("batch_abc123");
        assertThat(batch.id()).isEqualTo("batch_abc123");
        assertThat(openai.requestCount()).isEqualTo(3);
        assertThat(openai.waits()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void aServerErrorThatLastsFailsAfterTheRetries() {
        for (int i = 0; i < 3; i++) {
            openai.answer(new MockResponse().setResponseCode(500).setBody("{\"error\":{\"message\":\"boom\","
                    + "\"type\":\"server_error\"}}"));
        }
        assertThatThrownBy(() -> openai.batches().status("batch_abc123"))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.SERVER_ERROR);
                    assertThat(e.getMessage()).contains("3 attempts");
                });
    }

    @Test
    void aDatasetIsSplitAtTheRequestAndByteLimits() {
        List<BatchRow> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add(row("r" + i, "prompt " + i));
        }
        long size = openai.batches().sizeOf(rows.get(0));
        assertThat(openai.batches(new BatchLimits(3, 1_000_000)).split(rows)).extracting(List::size)
                .containsExactly(3, 3, 1);
        assertThat(openai.batches(new BatchLimits(100, size * 2)).split(rows)).extracting(List::size)
                .containsExactly(2, 2, 2, 1);
        assertThat(openai.batches().split(rows)).hasSize(1);
        assertThat(OpenAiBatches.LIMITS).isEqualTo(new BatchLimits(50_000, 200_000_000));
        assertThatThrownBy(() -> openai.batches(new BatchLimits(100, size - 1)).split(rows))
                .isInstanceOf(LlmoException.class).hasMessageContaining("row 'r0' takes");
    }
}
