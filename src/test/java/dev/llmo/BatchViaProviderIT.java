package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmo batch run --via provider}, {@code status}, {@code wait}, {@code export} and {@code cancel}, the real
 * binary against a server speaking OpenAI's Batch API and Anthropic's Message Batches as documented
 * (tools-batch-reasoning.md section 6): the results come back out of order and split over an output and an error
 * file, and llmo prints every row once, in dataset order, at the batch price; the keys go only where they belong.
 */
class BatchViaProviderIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENAI_KEY = "sk-it-openai-7c1d9e0b55aa";
    private static final String ANTHROPIC_KEY = "sk-ant-it-41f0c2d8e6b3";
    private static final String GEMINI_KEY = "AIza-it-93be55c07d1f";
    private static final Pattern BATCH_ID = Pattern.compile("llmo: batch (\\S+) runs at the providers");
    private static final int ROWS = 6;
    /** The row the provider answers with an error (OpenAI: in the error file; Anthropic: {@code errored}). */
    private static final int FAILED_ROW = 2;
    /** Rows of about 360 kB: together over Gemini's 20 MB inline limit, so they go as an uploaded file. */
    private static final int GEMINI_ROWS = 60;

    @TempDir
    Path home;
    private MockWebServer server;
    private MockWebServer elsewhere;
    private final Provider provider = new Provider();
    private BinaryRun llmo;

    /** One upload, batch, poll, cancel or download as the server saw it. */
    record Seen(String method, String path, String authorization, String apiKey, String googKey) {
    }

    /**
     * OpenAI's Batch API under {@code /v1} ({@code /files}, {@code /batches}) and Anthropic's under
     * {@code /v1/messages/batches}, each batch answering from the lines it was given: {@code in_progress} until the
     * test releases it, then {@code completed} (or {@code cancelled}, with only the first row answered, after a
     * cancel).
     */
    final class Provider extends Dispatcher {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final Map<String, List<JsonNode>> files = new ConcurrentHashMap<>();
        final Map<String, String> inputOf = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
        final Map<String, Boolean> cancelled = new ConcurrentHashMap<>();
        final AtomicInteger next = new AtomicInteger();
        volatile boolean released;
        volatile String resultsHost;
        volatile String multipartPurpose;
        volatile String uploadStart;
        volatile long uploadedBytes;

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            String method = request.getMethod();
            seen.add(new Seen(method, path, request.getHeader("Authorization"), request.getHeader("x-api-key"),
                    request.getHeader("x-goog-api-key")));
            try {
                if (!path.startsWith("/v1/")) {
                    return gemini(method, path, request);
                }
                if (path.startsWith("/v1/messages/batches")) {
                    return anthropic(method, path, request);
                }
                return openAi(method, path, request);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private MockResponse openAi(String method, String path, RecordedRequest request) throws IOException {
            if (method.equals("POST") && path.equals("/v1/files")) {
                String body = request.getBody().readString(StandardCharsets.UTF_8);
                Matcher purpose = Pattern.compile("name=\"purpose\"\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]*)").matcher(body);
                multipartPurpose = purpose.find() ? purpose.group(1) : null;
                List<JsonNode> lines = new ArrayList<>();
                for (String line : body.split("\r?\n")) {
                    if (line.startsWith("{\"custom_id\"")) {
                        lines.add(JSON.readTree(line));
                    }
                }
                String id = "file-in-" + next.incrementAndGet();
                files.put(id, lines);
                return json("""
                        {"id":"%s","object":"file","bytes":%d,"created_at":1721000000,"filename":"llmo-batch.jsonl",\
                        "purpose":"batch"}""".formatted(id, body.length()));
            }
            if (method.equals("POST") && path.equals("/v1/batches")) {
                JsonNode create = JSON.readTree(request.getBody().readUtf8());
                String batch = "batch_" + next.incrementAndGet();
                inputOf.put(batch, create.path("input_file_id").asText());
                polls.put(batch, new AtomicInteger());
                return json(openAiBatch(batch, "validating", 0));
            }
            Matcher cancel = Pattern.compile("/v1/batches/(batch_\\d+)/cancel").matcher(path);
            if (method.equals("POST") && cancel.matches()) {
                cancelled.put(cancel.group(1), true);
                return json(openAiBatch(cancel.group(1), "cancelling", 0));
            }
            Matcher poll = Pattern.compile("/v1/batches/(batch_\\d+)").matcher(path);
            if (method.equals("GET") && poll.matches()) {
                String batch = poll.group(1);
                polls.get(batch).incrementAndGet();
                if (cancelled.containsKey(batch)) {
                    return json(openAiBatch(batch, "cancelled", 1));
                }
                return json(openAiBatch(batch, released ? "completed" : "in_progress", released ? ROWS : ROWS / 2));
            }
            Matcher content = Pattern.compile("/v1/files/(out|err)-(batch_\\d+)/content").matcher(path);
            if (method.equals("GET") && content.matches()) {
                String batch = content.group(2);
                List<JsonNode> rows = files.get(inputOf.get(batch));
                StringBuilder out = new StringBuilder();
                // the documented results come in no particular order: last row first
                for (int i = rows.size() - 1; i >= 0; i--) {
                    JsonNode row = rows.get(i);
                    String id = row.path("custom_id").asText();
                    boolean failed = id.equals("r" + FAILED_ROW + "-m0");
                    if (content.group(1).equals("err") != failed || cancelled.containsKey(batch) && i > 0) {
                        continue;
                    }
                    out.append(failed ? """
                            {"id":"batch_req_%s","custom_id":"%s","response":{"status_code":400,"request_id":"req_2",\
                            "body":{"error":{"message":"Invalid 'messages[0].content': string too long.","type":\
                            "invalid_request_error","param":"messages","code":null}}},"error":null}
                            """.formatted(id, id) : """
                            {"id":"batch_req_%s","custom_id":"%s","response":{"status_code":200,"request_id":"req",\
                            "body":{"id":"chatcmpl-%s","object":"chat.completion","created":1721000000,"model":"m1",\
                            "choices":[{"index":0,"message":{"role":"assistant","content":"Answer to %s"},\
                            "finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,\
                            "total_tokens":1500}}},"error":null}
                            """.formatted(id, id, id, question(row.path("body"))));
                }
                return new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody(out.toString());
            }
            return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                    .setBody("{\"error\":{\"message\":\"No such route " + method + " " + path + "\"}}");
        }

        private String openAiBatch(String id, String status, int completed) {
            boolean ended = status.equals("completed") || status.equals("cancelled");
            return """
                    {"id":"%s","object":"batch","endpoint":"/v1/chat/completions","errors":null,"input_file_id":"%s",\
                    "completion_window":"24h","status":"%s","output_file_id":%s,"error_file_id":%s,\
                    "created_at":1721000000,"expires_at":1721086400,"request_counts":{"total":%d,"completed":%d,\
                    "failed":%d},"metadata":{"model":"m1"}}""".formatted(id, inputOf.get(id), status,
                    ended ? "\"out-" + id + "\"" : "null", status.equals("completed") ? "\"err-" + id + "\"" : "null",
                    ROWS, completed, status.equals("completed") ? 1 : 0);
        }

        private MockResponse anthropic(String method, String path, RecordedRequest request) throws IOException {
            if (method.equals("POST") && path.equals("/v1/messages/batches")) {
                JsonNode create = JSON.readTree(request.getBody().readUtf8());
                String batch = "msgbatch_0" + next.incrementAndGet();
                List<JsonNode> rows = new ArrayList<>();
                create.path("requests").forEach(rows::add);
                files.put(batch, rows);
                polls.put(batch, new AtomicInteger());
                return json(anthropicBatch(batch, false));
            }
            Matcher results = Pattern.compile("/v1/messages/batches/(msgbatch_\\d+)/results").matcher(path);
            if (method.equals("GET") && results.matches()) {
                List<JsonNode> rows = files.get(results.group(1));
                StringBuilder out = new StringBuilder();
                for (int i = rows.size() - 1; i >= 0; i--) {
                    String id = rows.get(i).path("custom_id").asText();
                    out.append(id.equals("r" + FAILED_ROW + "-m0") ? """
                            {"custom_id":"%s","result":{"type":"errored","error":{"type":"error","error":{"type":\
                            "invalid_request_error","message":"max_tokens: 100000 > 8192"},"request_id":"req_011"}}}
                            """.formatted(id) : """
                            {"custom_id":"%s","result":{"type":"succeeded","message":{"id":"msg_%s","type":"message",\
                            "role":"assistant","model":"c1","content":[{"type":"text","text":"Claude on %s"}],\
                            "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1000,\
                            "output_tokens":500,"service_tier":"batch"}}}}
                            """.formatted(id, i, question(rows.get(i).path("params"))));
                }
                return new MockResponse().setHeader("Content-Type", "application/binary").setBody(out.toString());
            }
            Matcher poll = Pattern.compile("/v1/messages/batches/(msgbatch_\\d+)").matcher(path);
            if (method.equals("GET") && poll.matches()) {
                polls.get(poll.group(1)).incrementAndGet();
                return json(anthropicBatch(poll.group(1), released));
            }
            return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                    .setBody("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"" + path
                            + "\"}}");
        }

        /**
         * Gemini's Files API (resumable upload: start, then {@code upload, finalize} to the URL given) and Batch
         * Mode with an input file: {@code RUNNING} until released, then {@code SUCCEEDED} with a responses file.
         */
        private MockResponse gemini(String method, String path, RecordedRequest request) throws IOException {
            if (method.equals("POST") && path.equals("/upload/v1beta/files")) {
                uploadStart = request.getHeader("X-Goog-Upload-Command") + " "
                        + request.getHeader("X-Goog-Upload-Header-Content-Length") + " "
                        + request.getHeader("X-Goog-Upload-Header-Content-Type");
                return new MockResponse().setHeader("X-Goog-Upload-URL",
                        server.url("/upload/v1beta/files?upload_id=ADPycdt&upload_protocol=resumable"))
                        .setHeader("X-Goog-Upload-Status", "active");
            }
            if (method.equals("POST") && path.startsWith("/upload/v1beta/files?upload_id=ADPycdt")) {
                assertThat(request.getHeader("X-Goog-Upload-Command")).isEqualTo("upload, finalize");
                uploadedBytes = request.getBodySize();
                List<JsonNode> lines = new ArrayList<>();
                for (String line : request.getBody().readUtf8().split("\n")) {
                    lines.add(JSON.readTree(line));
                }
                String file = "files/in-" + next.incrementAndGet();
                files.put(file, lines);
                return json("""
                        {"file":{"name":"%s","mimeType":"application/jsonl","sizeBytes":"%d","state":"ACTIVE",\
                        "source":"UPLOADED"}}""".formatted(file, uploadedBytes));
            }
            Matcher create = Pattern.compile("/v1beta/models/([a-z0-9.-]+):batchGenerateContent").matcher(path);
            if (method.equals("POST") && create.matches()) {
                String file = JSON.readTree(request.getBody().readUtf8()).path("batch").path("inputConfig")
                        .path("fileName").asText();
                String batch = "batches/b" + next.incrementAndGet();
                inputOf.put(batch, file);
                polls.put(batch, new AtomicInteger());
                return json(geminiBatch(batch, "BATCH_STATE_PENDING"));
            }
            Matcher poll = Pattern.compile("/v1beta/(batches/b\\d+)").matcher(path);
            if (method.equals("GET") && poll.matches()) {
                polls.get(poll.group(1)).incrementAndGet();
                return json(geminiBatch(poll.group(1), released ? "BATCH_STATE_SUCCEEDED" : "BATCH_STATE_RUNNING"));
            }
            Matcher download = Pattern.compile("/download/v1beta/files/out-(b\\d+):download\\?alt=media").matcher(path);
            if (method.equals("GET") && download.matches()) {
                List<JsonNode> rows = files.get(inputOf.get("batches/" + download.group(1)));
                StringBuilder out = new StringBuilder();
                for (int i = rows.size() - 1; i >= 0; i--) {
                    String key = rows.get(i).path("key").asText();
                    out.append(key.equals("r" + FAILED_ROW + "-m0") ? """
                            {"key":"%s","error":{"code":400,"message":"Request payload size exceeds the limit.",\
                            "status":"INVALID_ARGUMENT"}}
                            """.formatted(key) : """
                            {"key":"%s","response":{"candidates":[{"content":{"parts":[{"text":"Gemini on row %d"}],\
                            "role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":\
                            1000,"candidatesTokenCount":500,"totalTokenCount":1500},"modelVersion":"g1"}}
                            """.formatted(key, i + 1));
                }
                return new MockResponse().setHeader("Content-Type", "application/octet-stream")
                        .setBody(out.toString());
            }
            return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                    .setBody("{\"error\":{\"code\":404,\"message\":\"" + path + "\",\"status\":\"NOT_FOUND\"}}");
        }

        private String geminiBatch(String name, String state) {
            boolean done = state.endsWith("SUCCEEDED");
            return """
                    {"name":"%s","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.\
                    GenerateContentBatch","model":"models/g1","displayName":"llmo","inputConfig":{"fileName":"%s"},\
                    "createTime":"2025-07-08T10:00:00Z","batchStats":{"requestCount":"%d","successfulRequestCount":\
                    "%d","failedRequestCount":"%d","pendingRequestCount":"%d"},"state":"%s"%s,"name":"%s"},\
                    "done":%s}""".formatted(name, inputOf.get(name), GEMINI_ROWS, done ? GEMINI_ROWS - 1 : 0,
                    done ? 1 : 0, done ? 0 : GEMINI_ROWS, state, done ? ",\"output\":{\"responsesFile\":\"files/out-"
                    + name.substring(8) + "\"}" : "", name, done);
        }

        private String anthropicBatch(String id, boolean ended) {
            String results = resultsHost == null ? server.url("/v1/messages/batches/" + id + "/results").toString()
                    : resultsHost + "/v1/messages/batches/" + id + "/results";
            return """
                    {"id":"%s","type":"message_batch","processing_status":"%s","request_counts":{"processing":%d,\
                    "succeeded":%d,"errored":%d,"canceled":0,"expired":0},"ended_at":%s,\
                    "created_at":"2024-09-24T18:37:24.100435Z","expires_at":"2024-09-25T18:37:24.100435Z",\
                    "archived_at":null,"cancel_initiated_at":null,"results_url":%s}""".formatted(id,
                    ended ? "ended" : "in_progress", ended ? 0 : ROWS, ended ? ROWS - 1 : 0, ended ? 1 : 0,
                    ended ? "\"2024-09-24T18:40:00Z\"" : "null", ended ? "\"" + results + "\"" : "null");
        }
    }

    private static String question(JsonNode body) {
        return body.path("messages").path(body.path("messages").size() - 1).path("content").asText();
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.setDispatcher(provider);
        server.start();
        elsewhere = MockServers.create();
        elsewhere.start();
        String root = server.url("/").toString().replaceAll("/$", "");
        Files.writeString(Files.createDirectories(home.resolve("llmo")).resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s/v1
                  api_key_name: MOCK_API_KEY
                  batch_discount: 0.5
                  models:
                    - { name: m1, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                gem:
                  type: gemini
                  base_url: %s
                  api_key_name: GEM_API_KEY
                  batch_discount: 0.5
                  models:
                    - { name: g1, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                claude:
                  type: anthropic
                  base_url: %s
                  api_key_name: CLAUDE_API_KEY
                  batch_discount: 0.5
                  models:
                    - { name: c1, max_output_tokens: 100, pricing: { input_per_mtok: 3, output_per_mtok: 15 } }
                """.formatted(root, root, root));
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= ROWS; i++) {
            rows.append("{\"id\":\"q").append(i).append("\",\"city\":\"City ").append(i).append("\"}\n");
        }
        Files.writeString(home.resolve("rows.jsonl"), rows);
        llmo = BinaryRun.in(home).env("MOCK_API_KEY", OPENAI_KEY).env("CLAUDE_API_KEY", ANTHROPIC_KEY)
                .env("GEM_API_KEY", GEMINI_KEY).workingDir(home).timeoutSeconds(90);
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
        elsewhere.shutdown();
    }

    private String submit(String model) throws Exception {
        return submit(model, "rows.jsonl");
    }

    private String submit(String model, String dataset) throws Exception {
        BinaryRun.Result run = llmo.run("batch", "run", dataset, "--prompt", "Where is {{city}}?", "-m", model,
                "--via", "provider");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        Matcher id = BATCH_ID.matcher(run.err());
        assertThat(id.find()).as(run.err()).isTrue();
        return id.group(1);
    }


    /** Every row once, in dataset order, answered (but the failed one) at half the live price. */
    private static void assertResults(List<JsonNode> lines, String model, String answer, String batchCost) {
        assertThat(lines).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            JsonNode line = lines.get(i);
            assertThat(line.path("row").asInt()).isEqualTo(i + 1);
            assertThat(line.path("id").asText()).isEqualTo("q" + (i + 1));
            assertThat(line.path("model").asText()).isEqualTo(model);
            if (i == FAILED_ROW) {
                assertThat(line.path("text").asText()).isEmpty();
                assertThat(line.path("error").path("kind").asText()).isEqualTo("bad_request");
                assertThat(line.path("cost_usd").isNull()).isTrue();
            } else {
                assertThat(line.path("error").isNull()).as(line.toString()).isTrue();
                assertThat(line.path("text").asText()).isEqualTo(answer + "Where is City " + (i + 1) + "?");
                assertThat(line.path("cost_usd").decimalValue()).isEqualByComparingTo(batchCost);
            }
        }
    }

    /** No file llmo wrote (records, logs, ledger) holds either key. */
    private void assertNoKeyWritten() throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(text).as(file.toString()).doesNotContain(OPENAI_KEY).doesNotContain(ANTHROPIC_KEY)
                        .doesNotContain(GEMINI_KEY);
            }
        }
    }

    @Test
    void anOpenAiBatchIsPolledWaitedForAndExportedInDatasetOrderAtTheBatchPrice() throws Exception {
        String id = submit("mock/m1");

        assertThat(provider.multipartPurpose).isEqualTo("batch");
        List<JsonNode> uploaded = provider.files.get("file-in-1");
        assertThat(uploaded).hasSize(ROWS);
        assertThat(uploaded.get(0).path("method").asText()).isEqualTo("POST");
        assertThat(uploaded.get(0).path("url").asText()).isEqualTo("/v1/chat/completions");
        assertThat(uploaded.get(0).path("body").path("stream").asBoolean(false)).isFalse();
        assertThat(question(uploaded.get(3).path("body"))).isEqualTo("Where is City 4?");
        assertThat(provider.seen).extracting(Seen::path).doesNotContain("/v1/chat/completions");

        BinaryRun.Result status = llmo.run("batch", "status", id);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("mock/m1  batch_2  running  3/6 done");
        BinaryRun.Result statusJson = llmo.run("batch", "status", id, "--json");
        assertThat(JsonLines.of(statusJson.out()).get(0).path("state").asText()).isEqualTo("running");

        // wait, held in progress until its command line has been read: no key in any argument
        Process waiting = llmo.start(home.resolve("wait.out"), home.resolve("wait.err"), "batch", "wait", id,
                "--interval", "1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (provider.polls.get("batch_2").get() < 3 && waiting.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(waiting.isAlive()).as("waiting on a running batch").isTrue();
        String[] argv = waiting.info().arguments().orElseThrow();
        assertThat(argv).contains("wait", id).noneMatch(arg -> arg.contains(OPENAI_KEY));
        provider.released = true;
        assertThat(waiting.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(home.resolve("wait.err"));
        assertThat(waiting.exitValue()).as(err).isEqualTo(1); // one row failed
        assertThat(err).contains("3/6 rows done, 1 remote batch running").contains("6/6 rows done")
                .contains("1 rows failed").doesNotContain("\tat ");
        String out = Files.readString(home.resolve("wait.out"));
        assertResults(JsonLines.of(out), "mock/m1", "Answer to ", "0.001");
        assertThat(JsonLines.of(out).get(FAILED_ROW).path("error").path("message").asText())
                .contains("string too long");

        BinaryRun.Result export = llmo.run("batch", "export", id);
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).isEqualTo(out);
        BinaryRun.Result again = llmo.run("batch", "wait", id, "--interval", "1");
        assertThat(again.out()).isEqualTo(out);
        assertThat(provider.seen).filteredOn(s -> s.path().endsWith("/content")).extracting(Seen::path)
                .containsExactlyInAnyOrder("/v1/files/out-batch_2/content", "/v1/files/err-batch_2/content");
        assertThat(llmo.run("batch", "verify", id).exitCode()).isZero();

        // a second batch, cancelled: the first is left alone, what was answered before the cancel is kept
        String second = submit("mock/m1");
        assertThat(second).isNotEqualTo(id);
        BinaryRun.Result cancel = llmo.run("batch", "cancel", second);
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("mock/m1  batch_4  cancelling");
        assertThat(provider.seen).extracting(s -> s.method() + " " + s.path())
                .contains("POST /v1/batches/batch_4/cancel").doesNotContain("POST /v1/batches/batch_2/cancel");
        BinaryRun.Result cancelled = llmo.run("batch", "wait", second, "--interval", "1");
        assertThat(cancelled.exitCode()).as(cancelled.err()).isEqualTo(1);
        List<JsonNode> partial = JsonLines.of(cancelled.out());
        assertThat(partial).hasSize(ROWS);
        assertThat(partial.get(0).path("text").asText()).isEqualTo("Answer to Where is City 1?");
        assertThat(partial.subList(1, ROWS)).allSatisfy(line ->
                assertThat(line.path("error").path("kind").asText()).isEqualTo("cancelled"));

        for (Seen seen : provider.seen) {
            assertThat(seen.authorization()).as(seen.path()).isEqualTo("Bearer " + OPENAI_KEY);
            assertThat(seen.apiKey()).isNull();
        }
        assertThat(status.out() + status.err() + err + out + cancel.out() + cancel.err() + cancelled.err())
                .doesNotContain(OPENAI_KEY);
        assertNoKeyWritten();
    }

    @Test
    void anAnthropicBatchIsWaitedForAndItsResultsUrlFetchedWithTheKey() throws Exception {
        String id = submit("claude/c1");
        List<JsonNode> sent = provider.files.get("msgbatch_01");
        assertThat(sent).hasSize(ROWS);
        assertThat(sent.get(0).path("custom_id").asText()).isEqualTo("r0-m0");
        assertThat(sent.get(0).path("params").path("model").asText()).isEqualTo("c1");
        assertThat(sent.get(0).path("params").path("stream").asBoolean(false)).isFalse();

        BinaryRun.Result status = llmo.run("batch", "status", id);
        assertThat(status.out()).contains("claude/c1  msgbatch_01  running");
        provider.released = true;
        BinaryRun.Result waited = llmo.run("batch", "wait", id, "--interval", "1");

        assertThat(waited.exitCode()).as(waited.err()).isEqualTo(1);
        // 1000 in at $3/M and 500 out at $15/M is $0.0105 live; the batch rate is half
        assertResults(JsonLines.of(waited.out()), "claude/c1", "Claude on ", "0.00525");
        assertThat(provider.seen).extracting(Seen::path).contains("/v1/messages/batches/msgbatch_01/results");
        for (Seen seen : provider.seen) {
            assertThat(seen.apiKey()).as(seen.path()).isEqualTo(ANTHROPIC_KEY);
            assertThat(seen.authorization()).isNull();
        }
        assertThat(status.out() + status.err() + waited.out() + waited.err()).doesNotContain(ANTHROPIC_KEY);
        assertNoKeyWritten();
    }

    @Test
    void aResultsUrlOnAnotherHostIsRefusedAndGetsNoKey() throws Exception {
        provider.resultsHost = elsewhere.url("/").toString().replaceAll("/$", "");
        String id = submit("claude/c1");
        provider.released = true;

        BinaryRun.Result waited = llmo.run("batch", "wait", id, "--interval", "1");

        assertThat(waited.exitCode()).isEqualTo(1);
        assertThat(waited.err()).contains("on another host").contains("llmo sends the key only to")
                .doesNotContain("\tat ").doesNotContain(ANTHROPIC_KEY);
        assertThat(elsewhere.getRequestCount()).isZero();
        assertThat(waited.out()).isEmpty();
        assertNoKeyWritten();
    }

    @Test
    void aGeminiDatasetOverTheInlineLimitIsUploadedAsAFileAndItsResponsesFileMerged() throws Exception {
        StringBuilder rows = new StringBuilder();
        String filler = "lorem ipsum ".repeat(30_000);
        for (int i = 1; i <= GEMINI_ROWS; i++) {
            rows.append("{\"id\":\"g").append(i).append("\",\"city\":\"City ").append(i).append(' ').append(filler)
                    .append("\"}\n");
        }
        Files.writeString(home.resolve("big.jsonl"), rows);
        // a guard against a hang, not a timing: 21 MB through a loaded machine (load 37 on 2 cores) took over 90 s
        llmo.timeoutSeconds(600);

        String id = submit("gem/g1", "big.jsonl");

        assertThat(provider.uploadStart).isEqualTo("start " + provider.uploadedBytes + " application/jsonl");
        assertThat(provider.uploadedBytes).isGreaterThan(20_000_000);
        List<JsonNode> uploaded = provider.files.get("files/in-1");
        assertThat(uploaded).hasSize(GEMINI_ROWS);
        assertThat(uploaded.get(4).path("key").asText()).isEqualTo("r4-m0");
        assertThat(uploaded.get(4).path("request").path("contents").path(0).path("parts").path(0).path("text")
                .asText()).startsWith("Where is City 5 lorem ipsum");
        assertThat(provider.seen).extracting(Seen::path).doesNotContain("/v1beta/models/g1:generateContent");

        BinaryRun.Result status = llmo.run("batch", "status", id);
        assertThat(status.out()).contains("gem/g1  batches/b2  running  0/" + GEMINI_ROWS + " done");
        provider.released = true;
        BinaryRun.Result waited = llmo.run("batch", "wait", id, "--interval", "1");

        assertThat(waited.exitCode()).as(waited.err()).isEqualTo(1); // one row failed
        List<JsonNode> lines = JsonLines.of(waited.out());
        assertThat(lines).hasSize(GEMINI_ROWS);
        for (int i = 0; i < GEMINI_ROWS; i++) {
            JsonNode line = lines.get(i);
            assertThat(line.path("id").asText()).isEqualTo("g" + (i + 1));
            if (i == FAILED_ROW) {
                assertThat(line.path("error").path("kind").asText()).isEqualTo("bad_request");
            } else {
                assertThat(line.path("text").asText()).isEqualTo("Gemini on row " + (i + 1));
                // 1000 in at $1/M and 500 out at $2/M is $0.002 live; the batch rate is half
                assertThat(line.path("cost_usd").decimalValue()).isEqualByComparingTo("0.001");
            }
        }
        assertThat(provider.seen).extracting(Seen::path)
                .contains("/download/v1beta/files/out-b2:download?alt=media");
        for (Seen seen : provider.seen) {
            assertThat(seen.googKey()).as(seen.path()).isEqualTo(GEMINI_KEY);
            assertThat(seen.authorization()).isNull();
        }
        assertThat(status.out() + status.err() + waited.out() + waited.err()).doesNotContain(GEMINI_KEY);
        assertNoKeyWritten();
    }
}
