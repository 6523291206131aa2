package dev.llmo.provider.gemini;

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

/** Gemini Batch Mode against a MockWebServer answering in its documented shapes (reference section 6.3). */
class GeminiBatchesTest {
    @RegisterExtension
    final MockProvider gemini = new MockProvider(ProviderType.GEMINI, 2);

    private static String operation(String state, String stats, String output) {
        return """
                {"name":"batches/123456","metadata":{"@type":\
                "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","model":\
                "models/gemini-2.5-flash","displayName":"llmo","createTime":"2025-07-08T10:00:00Z",\
                "updateTime":"2025-07-08T10:05:00Z","batchStats":%s,"state":"%s"%s,"name":"batches/123456"},\
                "done":%s}""".formatted(stats, state, output == null ? "" : ",\"output\":" + output,
                state.endsWith("RUNNING") || state.endsWith("PENDING") ? "false" : "true");
    }

    private BatchRow row(String id, String prompt) {
        return new BatchRow(id, gemini.client().prepare(ChatRequest.of("gemini-2.5-flash", "Be brief.", prompt,
                false)));
    }

    @Test
    void submitInlinesTheLiveBodiesWithTheirKeys() {
        BatchRow first = row("r1", "Hello");
        BatchRow second = row("r2", "Hi");
        gemini.answerJson(operation("BATCH_STATE_PENDING", "{\"requestCount\":\"2\",\"pendingRequestCount\":\"2\"}",
                null));

        RemoteBatch batch = gemini.batches().submit("gemini-2.5-flash", List.of(first, second));

        assertThat(batch.id()).isEqualTo("batches/123456");
        assertThat(batch.state()).isEqualTo(BatchState.QUEUED);
        assertThat(batch.counts().total()).isEqualTo(2);
        RecordedRequest sent = gemini.sent();
        assertThat(sent.getPath()).isEqualTo("/v1beta/models/gemini-2.5-flash:batchGenerateContent");
        assertThat(sent.getHeader("x-goog-api-key")).isEqualTo(ProviderTestSupport.KEY);
        String body = sent.getBody().readUtf8();
        JsonNode requests = Json.parse(body).orElseThrow().get("batch").get("inputConfig").get("requests")
                .get("requests");
        assertThat(requests).hasSize(2);
        assertThat(Json.write(requests.get(0).get("request")))
                .isEqualTo(new String(first.prepared().body(), StandardCharsets.UTF_8));
        assertThat(requests.get(1).get("metadata").get("key").asText()).isEqualTo("r2");
        assertThat(body).contains("{\"request\":" + new String(second.prepared().body(), StandardCharsets.UTF_8)
                + ",\"metadata\":{\"key\":\"r2\"}}");
    }

    @Test
    void statusReadsTheOperationAndItsStringCounts() {
        gemini.answerJson(operation("BATCH_STATE_RUNNING", "{\"requestCount\":\"10\",\"successfulRequestCount\":"
                + "\"4\",\"failedRequestCount\":\"1\",\"pendingRequestCount\":\"5\"}", null));
        RemoteBatch running = gemini.batches().status("batches/123456");
        assertThat(gemini.sent().getPath()).isEqualTo("/v1beta/batches/123456");
        assertThat(running.state()).isEqualTo(BatchState.RUNNING);
        assertThat(running.counts()).isEqualTo(new BatchCounts(10, 4, 1, 0, 0));

        gemini.answerJson(operation("JOB_STATE_EXPIRED", "{}", null));
        assertThat(gemini.batches().status("batches/123456").state()).isEqualTo(BatchState.EXPIRED);
    }

    @Test
    void inlinedResponsesAreReadByTheLiveDecoder() {
        gemini.answerJson(operation("BATCH_STATE_SUCCEEDED", "{\"requestCount\":\"3\",\"successfulRequestCount\":"
                + "\"2\",\"failedRequestCount\":\"1\"}", """
                {"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",\
                "inlinedResponses":{"inlinedResponses":[\
                {"response":{"candidates":[{"content":{"parts":[{"text":"Hello there."}],"role":"model"},\
                "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":3,\
                "totalTokenCount":11},"modelVersion":"gemini-2.5-flash"},"metadata":{"key":"r1"}},\
                {"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"},\
                "metadata":{"key":"r2"}},\
                {"response":{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":8,\
                "totalTokenCount":8}},"metadata":{"key":"r3"}}]}}"""));
        RemoteBatch done = gemini.batches().status("batches/123456");
        gemini.sent();
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        gemini.answerJson(operation("BATCH_STATE_SUCCEEDED", "{}", """
                {"inlinedResponses":{"inlinedResponses":[\
                {"response":{"candidates":[{"content":{"parts":[{"text":"Hello there."}],"role":"model"},\
                "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":3,\
                "totalTokenCount":11},"modelVersion":"gemini-2.5-flash"},"metadata":{"key":"r1"}},\
                {"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"},\
                "metadata":{"key":"r2"}},\
                {"response":{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":8,\
                "totalTokenCount":8}},"metadata":{"key":"r3"}}]}}"""));
        List<BatchResult> results = new ArrayList<>();

        gemini.batches().results(done, results::add);

        assertThat(gemini.sent().getPath()).isEqualTo("/v1beta/batches/123456");
        assertThat(results).extracting(BatchResult::customId).containsExactly("r1", "r2", "r3");
        assertThat(results.get(0).response().text()).isEqualTo("Hello there.");
        assertThat(results.get(0).response().stopReason()).isEqualTo(StopReason.END);
        assertThat(results.get(0).response().usage().outputTokens()).isEqualTo(3);
        assertThat(((ModelCallException) results.get(1).error()).kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(results.get(1).error().getMessage()).contains("Request contains an invalid argument.");
        assertThat(((ModelCallException) results.get(2).error()).kind()).isEqualTo(ErrorKind.BLOCKED);
        // a blocked prompt's usage stays with its row: the provider counts it
        assertThat(results.get(2).response().usage().inputTokens()).isEqualTo(8);
        assertThat(results.get(1).response()).as("an error row had no answer at all").isNull();
    }

    @Test
    void aResponsesFileIsReadLineByLine() {
        gemini.answerJson(operation("BATCH_STATE_SUCCEEDED", "{}", "{\"responsesFile\":\"files/batch-out-1\"}"));
        gemini.answer(new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody("""
                {"key":"r1","response":{"candidates":[{"content":{"parts":[{"text":"One."}],"role":"model"},\
                "finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1}}}
                {"key":"r2","error":{"code":500,"message":"Internal error","status":"INTERNAL"}}
                """));
        List<BatchResult> results = new ArrayList<>();
        gemini.batches().results(new RemoteBatch("batches/123456", BatchState.COMPLETED, "BATCH_STATE_SUCCEEDED",
                BatchCounts.NONE, List.of(), null), results::add);
        gemini.sent();
        RecordedRequest download = gemini.sent();
        assertThat(download.getPath()).isEqualTo("/download/v1beta/files/batch-out-1:download?alt=media");
        assertThat(download.getHeader("x-goog-api-key")).isEqualTo(ProviderTestSupport.KEY);
        assertThat(results.get(0).response().stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(((ModelCallException) results.get(1).error()).kind()).isEqualTo(ErrorKind.SERVER_ERROR);
    }

    @Test
    void cancelPostsToTheBatchThenReadsItsState() {
        gemini.answerJson("{}");
        gemini.answerJson(operation("BATCH_STATE_CANCELLED", "{}", null));
        RemoteBatch cancelled = gemini.batches().cancel("batches/123456");
        RecordedRequest cancel = gemini.sent();
        assertThat(cancel.getMethod()).isEqualTo("POST");
        assertThat(cancel.getPath()).isEqualTo("/v1beta/batches/123456:cancel");
        assertThat(cancelled.state()).isEqualTo(BatchState.CANCELLED);
    }

    @Test
    void aNameOfAnotherShapeIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> gemini.batches().status("batches/../../v1beta/models"))
                .isInstanceOf(ModelCallException.class);
        assertThat(gemini.requestCount()).isZero();
    }

    @Test
    void errorsMapAsLive() {
        gemini.answer(new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                .setBody("""
                        {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",\
                        "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",\
                        "reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"""));
        assertThatThrownBy(() -> gemini.batches().status("batches/123456")).isInstanceOf(ModelAuthException.class);

        gemini.answer(new MockResponse().setResponseCode(503).setHeader("Content-Type", "application/json")
                .setBody("{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\","
                        + "\"status\":\"UNAVAILABLE\"}}"));
        gemini.answerJson(operation("BATCH_STATE_RUNNING", "{}", null));
        assertThat(gemini.batches().status("batches/123456").state()).isEqualTo(BatchState.RUNNING);
    }

    @Test
    void aDatasetIsSplitOnlyOverTheFileSizeLimit() {
        List<BatchRow> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(row("r" + i, "prompt " + i));
        }
        long size = gemini.batches().sizeOf(rows.get(0));
        assertThat(gemini.batches(new BatchLimits(Integer.MAX_VALUE, size * 3)).split(rows))
                .extracting(List::size).containsExactly(3, 1);
        // the documented limit is the file's (2 GB), not the inlined body's (20 MB): over 20 MB is one file
        assertThat(GeminiBatches.LIMITS.maxBytes()).isGreaterThan(GeminiBatches.INLINE_BYTES);
        assertThat(gemini.batches().split(rows)).hasSize(1);
    }

    /** Batches that send anything over one row's inlined body as a file. */
    private GeminiBatches filed() {
        return new GeminiBatches((GeminiClient) gemini.client(), GeminiBatches.LIMITS, 10);
    }

    /** The answer to the start of a resumable upload: no body, the upload URL in a header. */
    private static MockResponse uploadStarted(String url) {
        return new MockResponse().setHeader("X-Goog-Upload-URL", url).setHeader("X-Goog-Upload-Status", "active")
                .setHeader("X-Goog-Upload-Chunk-Granularity", "8388608").setHeader("Content-Length", "0");
    }

    private static final String UPLOADED = """
            {"file":{"name":"files/llmo-in-7x2k","displayName":"llmo batch","mimeType":"application/jsonl",\
            "sizeBytes":"612","createTime":"2025-07-08T10:00:00.000000Z","updateTime":"2025-07-08T10:00:00.000000Z",\
            "expirationTime":"2025-07-10T10:00:00.000000Z","sha256Hash":"ZjQ1","uri":\
            "https://generativelanguage.googleapis.com/v1beta/files/llmo-in-7x2k","state":"ACTIVE",\
            "source":"UPLOADED"}}""";

    @Test
    void overTheInlineLimitTheRowsAreUploadedAsAFileAndTheBatchNamesIt() {
        BatchRow first = row("r1", "Hello");
        BatchRow second = row("r2", "Hi");
        String uploadUrl = gemini.url("/upload/v1beta/files?upload_id=AHxI1nO&upload_protocol=resumable");
        gemini.answer(uploadStarted(uploadUrl));
        gemini.answerJson(UPLOADED);
        gemini.answerJson(operation("BATCH_STATE_PENDING", "{\"requestCount\":\"2\"}", null));

        RemoteBatch batch = filed().submit("models/gemini-2.5-flash", List.of(first, second));

        assertThat(batch.id()).isEqualTo("batches/123456");
        assertThat(batch.state()).isEqualTo(BatchState.QUEUED);
        RecordedRequest start = gemini.sent();
        RecordedRequest upload = gemini.sent();
        RecordedRequest create = gemini.sent();
        String lines = "{\"key\":\"r1\",\"request\":" + new String(first.prepared().body(), StandardCharsets.UTF_8)
                + "}\n{\"key\":\"r2\",\"request\":" + new String(second.prepared().body(), StandardCharsets.UTF_8)
                + "}\n";
        assertThat(start.getMethod()).isEqualTo("POST");
        assertThat(start.getPath()).isEqualTo("/upload/v1beta/files");
        assertThat(start.getHeader("x-goog-api-key")).isEqualTo(ProviderTestSupport.KEY);
        assertThat(start.getHeader("X-Goog-Upload-Protocol")).isEqualTo("resumable");
        assertThat(start.getHeader("X-Goog-Upload-Command")).isEqualTo("start");
        assertThat(start.getHeader("X-Goog-Upload-Header-Content-Length"))
                .isEqualTo(Integer.toString(lines.getBytes(StandardCharsets.UTF_8).length));
        assertThat(start.getHeader("X-Goog-Upload-Header-Content-Type")).isEqualTo("application/jsonl");
        assertThat(start.getHeader("Content-Type")).startsWith("application/json");
        assertThat(Json.parse(start.getBody().readUtf8()).orElseThrow().path("file").path("displayName").asText())
                .isEqualTo("llmo batch gemini-2.5-flash 2 rows");

        assertThat(upload.getMethod()).isEqualTo("POST");
        assertThat(upload.getPath()).isEqualTo("/upload/v1beta/files?upload_id=AHxI1nO&upload_protocol=resumable");
        assertThat(upload.getHeader("X-Goog-Upload-Command")).isEqualTo("upload, finalize");
        assertThat(upload.getHeader("X-Goog-Upload-Offset")).isEqualTo("0");
        assertThat(upload.getHeader("Content-Length"))
                .isEqualTo(start.getHeader("X-Goog-Upload-Header-Content-Length"));
        assertThat(upload.getBody().readUtf8()).isEqualTo(lines);

        assertThat(create.getPath()).isEqualTo("/v1beta/models/gemini-2.5-flash:batchGenerateContent");
        assertThat(create.getHeader("x-goog-api-key")).isEqualTo(ProviderTestSupport.KEY);
        assertThat(create.getBody().readUtf8()).isEqualTo("{\"batch\":{\"displayName\":"
                + "\"llmo gemini-2.5-flash 2 rows\",\"inputConfig\":{\"fileName\":\"files/llmo-in-7x2k\"}}}");
    }

    @Test
    void aFileBatchIsPolledThenItsResponsesFileIsDownloaded() {
        gemini.answer(uploadStarted(gemini.url("/upload/v1beta/files?upload_id=u1&upload_protocol=resumable")));
        gemini.answerJson(UPLOADED);
        gemini.answerJson(operation("BATCH_STATE_PENDING", "{\"requestCount\":\"2\"}", null));
        GeminiBatches batches = filed();
        RemoteBatch submitted = batches.submit("gemini-2.5-flash", List.of(row("r1", "One?"), row("r2", "Two?")));
        gemini.answerJson(operation("BATCH_STATE_RUNNING",
                "{\"requestCount\":\"2\",\"pendingRequestCount\":\"2\"}", null));
        assertThat(batches.status(submitted.id()).state()).isEqualTo(BatchState.RUNNING);
        String succeeded = operation("BATCH_STATE_SUCCEEDED", "{\"requestCount\":\"2\","
                + "\"successfulRequestCount\":\"1\",\"failedRequestCount\":\"1\"}",
                "{\"@type\":\"type.googleapis.com/google.ai."
                + "generativelanguage.v1main.GenerateContentBatchOutput\",\"responsesFile\":\"files/batch-7b1c\"}");
        gemini.answerJson(succeeded);
        RemoteBatch done = batches.status(submitted.id());
        assertThat(done.state()).isEqualTo(BatchState.COMPLETED);
        assertThat(done.counts()).isEqualTo(new BatchCounts(2, 1, 1, 0, 0));
        gemini.answerJson(succeeded);
        gemini.answer(new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody("""
                {"key":"r2","error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}
                {"key":"r1","response":{"candidates":[{"content":{"parts":[{"text":"One."}],"role":"model"},\
                "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,\
                "totalTokenCount":6},"modelVersion":"gemini-2.5-flash"}}
                """));
        List<BatchResult> results = new ArrayList<>();

        batches.results(done, results::add);

        for (int i = 0; i < 5; i++) {
            gemini.sent(); // start, upload, create, two polls
        }
        assertThat(gemini.sent().getPath()).isEqualTo("/v1beta/batches/123456");
        RecordedRequest download = gemini.sent();
        assertThat(download.getMethod()).isEqualTo("GET");
        assertThat(download.getPath()).isEqualTo("/download/v1beta/files/batch-7b1c:download?alt=media");
        assertThat(results).extracting(BatchResult::customId).containsExactly("r2", "r1");
        assertThat(((ModelCallException) results.get(0).error()).kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(results.get(1).response().text()).isEqualTo("One.");
        assertThat(results.get(1).response().usage().outputTokens()).isEqualTo(2);
    }

    @Test
    void anUploadUrlOnAnotherHostGetsNeitherTheFileNorTheKey() {
        gemini.answer(uploadStarted("https://uploads.example.net/upload/v1beta/files?upload_id=u1"));

        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelCallException.class)
                .hasMessageContaining("an upload URL on another host (uploads.example.net)")
                .hasMessageContaining("llmo sends the key only to");
        assertThat(gemini.requestCount()).isEqualTo(1);
        String port = gemini.url("/").replaceAll(".*:(\\d+)/$", "$1");
        String otherPort = ":" + (Integer.parseInt(port) + 1) + "/";
        gemini.answer(uploadStarted(gemini.url("/upload/v1beta/files?upload_id=u1")
                .replace(":" + port + "/", otherPort)));
        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelCallException.class).hasMessageContaining("on another host");
        assertThat(gemini.requestCount()).isEqualTo(2);
    }

    @Test
    void uploadFailuresAreTypedAndNothingIsCreated() {
        // a start without the upload URL
        gemini.answer(new MockResponse().setHeader("Content-Length", "0"));
        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelCallException.class).hasMessageContaining("without the header X-Goog-Upload-URL")
                .satisfies(e -> assertThat(((ModelCallException) e).kind()).isEqualTo(ErrorKind.BAD_RESPONSE));
        assertThat(gemini.requestCount()).isEqualTo(1);

        // the key refused at the start
        gemini.answer(new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                .setBody("""
                        {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",\
                        "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",\
                        "reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"""));
        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelAuthException.class);

        // the upload answered without a file of the documented name
        gemini.answer(uploadStarted(gemini.url("/upload/v1beta/files?upload_id=u2")));
        gemini.answerJson("{\"file\":{\"name\":\"../batches/evil\"}}");
        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelCallException.class).hasMessageContaining("without a file name");

        // the upload itself refused: a file too large for the Files API
        gemini.answer(uploadStarted(gemini.url("/upload/v1beta/files?upload_id=u3")));
        gemini.answer(new MockResponse().setResponseCode(413).setHeader("Content-Type", "application/json")
                .setBody("{\"error\":{\"code\":413,\"message\":\"Request Entity Too Large\",\"status\":"
                        + "\"FAILED_PRECONDITION\"}}"));
        assertThatThrownBy(() -> filed().submit("gemini-2.5-flash", List.of(row("r1", "Hello"))))
                .isInstanceOf(ModelCallException.class).hasMessageContaining("Request Entity Too Large");
        // 1 + 1 + 2 + 2: no batch was created after any of them
        assertThat(gemini.requestCount()).isEqualTo(6);
    }
}
