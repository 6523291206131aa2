package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.JsonLines;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo batch run --via provider}, {@code status}, {@code wait} and {@code cancel} against a server speaking the
 * OpenAI Batch API: the uploaded file is kept, the batch runs for one poll, then its output file answers each line.
 */
class BatchViaProviderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().configYaml("main_llm: mock/m1\n")
            .mockProvider("""
                    batch_discount: 0.5
                    models:
                      - { name: m1, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                    """);

    /** The OpenAI Batch API: files, batches, one poll in progress, then completed (or expired: no output for r1). */
    static final class BatchServer extends Dispatcher {
        final List<String> uploadedLines = new CopyOnWriteArrayList<>();
        final List<String> paths = new CopyOnWriteArrayList<>();
        final AtomicInteger polls = new AtomicInteger();
        final boolean expire;
        /** Whether the model refuses the question about Italy (OpenAI's refusal, usage paid). */
        final boolean refuseItaly;
        volatile boolean cancelled;

        BatchServer(boolean expire) {
            this(expire, false);
        }

        BatchServer(boolean expire, boolean refuseItaly) {
            this.expire = expire;
            this.refuseItaly = refuseItaly;
        }

        private static MockResponse json(String body) {
            return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
        }

        private String batch(String status, String output) {
            return """
                    {"id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","errors":null,\
                    "input_file_id":"file-in","completion_window":"24h","status":"%s","output_file_id":%s,\
                    "error_file_id":null,"request_counts":{"total":3,"completed":%d,"failed":0}}"""
                    .formatted(status, output == null ? "null" : "\"" + output + "\"", output == null ? 0 : 3);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            paths.add(request.getMethod() + " " + path);
            if (path.endsWith("/files") && request.getMethod().equals("POST")) {
                String body = request.getBody().readString(StandardCharsets.UTF_8);
                for (String line : body.split("\r?\n")) {
                    if (line.startsWith("{\"custom_id\"")) {
                        uploadedLines.add(line);
                    }
                }
                return json("{\"id\":\"file-in\",\"object\":\"file\",\"purpose\":\"batch\"}");
            }
            if (path.endsWith("/batches") && request.getMethod().equals("POST")) {
                return json(batch("validating", null));
            }
            if (path.endsWith("/batches/batch_1/cancel")) {
                cancelled = true;
                return json(batch("cancelling", null));
            }
            if (path.endsWith("/batches/batch_1")) {
                if (cancelled) {
                    return json(batch("cancelled", "file-out"));
                }
                return polls.incrementAndGet() < 3 ? json(batch("in_progress", null))
                        : json(batch(expire ? "expired" : "completed", "file-out"));
            }
            if (path.endsWith("/files/file-out/content")) {
                StringBuilder out = new StringBuilder();
                for (String line : uploadedLines) {
                    try {
                        JsonNode input = JSON.readTree(line);
                        String id = input.get("custom_id").asText();
                        if ((expire || cancelled) && id.startsWith("r0-")) {
                            continue; // never answered
                        }
                        String question = input.path("body").path("messages").path(0).path("content").asText();
                        if (refuseItaly && question.contains("Italy")) {
                            out.append("""
                                    {"id":"batch_req_%s","custom_id":"%s","response":{"status_code":200,\
                                    "request_id":"r","body":{"id":"c","object":"chat.completion","model":"m1",\
                                    "choices":[{"index":0,"message":{"role":"assistant","content":null,\
                                    "refusal":"I won't name that capital."},"finish_reason":"stop"}],\
                                    "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}},\
                                    "error":null}
                                    """.formatted(id, id));
                            continue;
                        }
                        out.append("""
                                {"id":"batch_req_%s","custom_id":"%s","response":{"status_code":200,"request_id":"r",\
                                "body":{"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,\
                                "message":{"role":"assistant",%s"content":"Answer to %s"},"finish_reason":"stop"}],\
                                "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}},\
                                "error":null}
                                """.formatted(id, id, question.contains("Spain")
                                ? "\"reasoning_content\":\"Spain: Madrid.\"," : "", question));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return new MockResponse().setBody(out.toString());
            }
            return new MockResponse().setResponseCode(404).setBody("{\"error\":{\"message\":\"no " + path + "\"}}");
        }
    }

    private Path dataset() throws IOException {
        return Files.writeString(llmo.home().resolve("q.jsonl"), """
                {"id":"q1","question":"France?"}
                {"id":"q2","question":"Spain?"}
                {"id":"q3","question":"Italy?"}
                """);
    }


    @Test
    void rowsGoToTheBatchServiceAndWaitMergesTheResultsAtTheBatchPrice() throws Exception {
        BatchServer server = new BatchServer(false);
        llmo.server().setDispatcher(server);

        Result run = llmo.run("batch", "run", dataset().toString(), "--prompt", "Capital of {{question}}",
                "--via", "provider");

        assertThat(run).succeeded().errContains("3 rows of mock/m1 sent to mock's batch service as batch_1");
        assertThat(run.out()).isEmpty();
        assertThat(server.uploadedLines).hasSize(3);
        assertThat(JSON.readTree(server.uploadedLines.get(0)).path("body").path("messages").path(0).path("content")
                .asText()).isEqualTo("Capital of France?");
        assertThat(server.paths).doesNotContain("POST /v1/chat/completions");

        Result status = llmo.run("batch", "status", "last");
        assertThat(status).succeeded();
        assertThat(status.out()).contains("mock/m1  batch_1  running  0/3 done");

        Result waited = llmo.run("batch", "wait", "last", "--interval", "1");

        assertThat(waited).succeeded().errContains("3/3 rows done");
        List<JsonNode> lines = JsonLines.of(waited.out());
        assertThat(lines).hasSize(3);
        assertThat(lines).extracting(line -> line.path("id").asText()).containsExactly("q1", "q2", "q3");
        assertThat(lines.get(1).path("text").asText()).isEqualTo("Answer to Capital of Spain?");
        // the model's reasoning (an OpenAI-compatible server's reasoning_content) as run --json has it
        assertThat(lines.get(1).path("reasoning").asText()).isEqualTo("Spain: Madrid.");
        assertThat(lines.get(0).get("reasoning").isNull()).isTrue();
        // 1000 in at $1/M and 500 out at $2/M is $0.002 live; the batch rate is half
        assertThat(lines.get(0).path("cost_usd").decimalValue()).isEqualByComparingTo("0.001");

        // a second wait fetches nothing again and prints the same results
        Result again = llmo.run("batch", "wait", "last", "--interval", "1");
        assertThat(again).succeeded();
        assertThat(again.out()).isEqualTo(waited.out());
        assertThat(server.paths.stream().filter(p -> p.endsWith("/files/file-out/content")).count()).isEqualTo(1);
    }

    @Test
    void rowsAnExpiredBatchNeverAnsweredAreFailuresAndTheExitCodeSaysSo() throws Exception {
        llmo.server().setDispatcher(new BatchServer(true));
        assertThat(llmo.run("batch", "run", dataset().toString(), "--prompt", "Capital of {{question}}",
                "--via", "provider")).succeeded();

        Result waited = llmo.run("batch", "wait", "last", "--interval", "1");

        assertThat(waited).failedWith(ExitCode.FAILURE).errContains("1 rows failed");
        List<JsonNode> lines = JsonLines.of(waited.out());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).path("error").path("kind").asText()).isEqualTo("expired");
        assertThat(lines.get(1).path("text").asText()).isEqualTo("Answer to Capital of Spain?");
    }

    @Test
    void aRefusedRowKeepsTheModelsWordsInTheResultsAndTheRecordAndCountsItsCost() throws Exception {
        llmo.server().setDispatcher(new BatchServer(false, true));
        assertThat(llmo.run("batch", "run", dataset().toString(), "--prompt", "Capital of {{question}}",
                "--via", "provider")).succeeded();

        Result waited = llmo.run("batch", "wait", "last", "--interval", "1");

        assertThat(waited).failedWith(ExitCode.FAILURE).errContains("1 rows failed");
        List<JsonNode> lines = JsonLines.of(waited.out());
        JsonNode refused = lines.get(2);
        assertThat(refused.path("error").path("kind").asText()).isEqualTo("refused");
        assertThat(refused.path("refusal").asText()).isEqualTo("I won't name that capital.");
        assertThat(refused.path("cost_usd").decimalValue()).as("a refused answer is paid for")
                .isEqualByComparingTo("0.001");
        assertThat(lines.get(0).path("refusal").isNull()).isTrue();
        Path record;
        try (var files = Files.list(llmo.dir().resolve("batches"))) {
            record = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        JsonNode entry = Files.readAllLines(record).stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).filter(e -> "batch.row".equals(e.path("type").asText()) && e.path("data").path("row").asLong() == 2)
                .findFirst().orElseThrow();
        assertThat(entry.toString()).contains("I won't name that capital.");
        assertThat(entry.path("data").path("stop_reason").asText()).isEqualTo("refused");
        assertThat(entry.path("data").path("error").path("kind").asText()).isEqualTo("refused");
        // export prints the same line from the record
        assertThat(JsonLines.of(llmo.run("batch", "export", "last").out()).get(2).path("refusal").asText())
                .isEqualTo("I won't name that capital.");
    }

    @Test
    void cancelAsksTheProviderAndWaitFetchesWhatWasAnswered() throws Exception {
        BatchServer server = new BatchServer(false);
        llmo.server().setDispatcher(server);
        assertThat(llmo.run("batch", "run", dataset().toString(), "--prompt", "Capital of {{question}}",
                "--via", "provider")).succeeded();

        Result cancel = llmo.run("batch", "cancel", "last");

        assertThat(cancel).succeeded();
        assertThat(cancel.out()).contains("mock/m1  batch_1  cancelling");
        assertThat(server.paths).contains("POST /v1/batches/batch_1/cancel");
        Result waited = llmo.run("batch", "wait", "last", "--interval", "1");
        assertThat(waited).failedWith(ExitCode.FAILURE);
        assertThat(JsonLines.of(waited.out()).get(0).path("error").path("kind").asText()).isEqualTo("cancelled");
    }

    @Test
    void aSubmissionThatReachesNoProviderLeavesNoBatchThatCouldBeNeitherWaitedForNorResumed() throws Exception {
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                        .setBody("{\"error\":{\"message\":\"no batches here\",\"type\":\"invalid_request_error\"}}");
            }
        });

        Result sent = llmo.run("batch", "run", dataset().toString(), "--prompt", "x {{question}}", "--via", "provider");

        assertThat(sent).failedWith(ExitCode.FAILURE).errContains("no batches here");
        try (var files = Files.list(llmo.dir().resolve("batches"))) {
            assertThat(files.map(f -> f.getFileName().toString())).isEmpty();
        }
        assertThat(llmo.run("batch", "list")).succeeded().outIsEmpty().errContains("no batches yet");
    }

    @Test
    void anUnknownViaAndTheRemoteCommandsOfALiveBatchAreUsageErrors() throws Exception {
        llmo.server().setDispatcher(new BatchServer(false));
        Result wrong = llmo.run("batch", "run", dataset().toString(), "--prompt", "x {{question}}", "--via", "fax");
        assertThat(wrong).failedWith(ExitCode.USAGE).errContains("--via takes 'live' or 'provider'");
        Result out = llmo.run("batch", "run", dataset().toString(), "--prompt", "x {{question}}", "--via", "provider",
                "--out", llmo.home().resolve("r.jsonl").toString());
        assertThat(out).failedWith(ExitCode.USAGE).errContains("--out goes with 'llmo batch wait'");

        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setHeader("Content-Type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":\
                        {"role":"assistant","content":"live"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,\
                        "completion_tokens":1,"total_tokens":2}}""");
            }
        });
        assertThat(llmo.run("batch", "run", dataset().toString(), "--prompt", "x {{question}}")).succeeded();
        assertThat(llmo.run("batch", "status", "last")).failedWith(ExitCode.USAGE)
                .errContains("ran live, not on the providers' batch services");
    }
}
