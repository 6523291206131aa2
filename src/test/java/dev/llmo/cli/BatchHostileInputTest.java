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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a new user's walkthrough of batch.md tried that went wrong once: each is refused before anything is sent, with
 * a one-line error and its exit code, and nothing the user had is lost or half written.
 */
class BatchHostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUESTION = Pattern.compile("Q(\\d+)\\?");

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().configYaml("main_llm: mock/m1\n")
            .mockProvider("""
                    models:
                      - { name: m1, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                    """);

    /** Answers "A<n>"; a request of the row {@link #held} waits until {@link #release} is counted down. */
    static class Rows extends Dispatcher {
        final AtomicInteger requests = new AtomicInteger();
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile int held = -1;
        volatile int failing = -1;

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            requests.incrementAndGet();
            Matcher matcher = QUESTION.matcher(request.getBody().readUtf8());
            int row = matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
            if (row == held) {
                arrived.countDown();
                release.await(60, TimeUnit.SECONDS);
            }
            if (row == failing) {
                return new MockResponse().setResponseCode(400)
                        .setBody("{\"error\":{\"message\":\"row " + row + " is bad\",\"type\":\"invalid_request_error\"}}");
            }
            return new MockResponse().setHeader("content-type", "application/json").setBody("""
                    {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":\
                    "assistant","content":"A%d"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,\
                    "completion_tokens":5,"total_tokens":15}}""".formatted(row));
        }
    }

    private Path dataset(String name, int rows) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            text.append("{\"id\":\"q").append(i).append("\",\"question\":\"Q").append(i).append("?\"}\n");
        }
        return Files.writeString(llmo.home().resolve(name), text);
    }

    /** A server that holds the call of {@code row} until its {@code release}. */
    private Rows holding(int row) {
        Rows server = new Rows();
        server.held = row;
        llmo.server().setDispatcher(server);
        return server;
    }

    /** Runs {@code args} in the background, returning once the held row's call has arrived. */
    private CompletableFuture<Result> whileHeld(Rows server, String... args) throws InterruptedException {
        CompletableFuture<Result> run = CompletableFuture.supplyAsync(() -> llmo.run(args));
        assertThat(server.arrived.await(60, TimeUnit.SECONDS)).as("the held row was asked").isTrue();
        return run;
    }

    private long records() throws IOException {
        Path dir = llmo.dir().resolve("batches");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).count();
        }
    }

    @Test
    void aResumeOfABatchThatIsStillRunningIsRefusedAndPaysForNothingTwice() throws Exception {
        Rows server = holding(2);
        Path data = dataset("q.jsonl", 3);
        CompletableFuture<Result> first = whileHeld(server, "batch", "run", data.toString(), "--prompt", "{{question}}",
                "--concurrency", "1");

        Result second = llmo.run("batch", "resume", "last");

        assertThat(second).failedWith(ExitCode.FAILURE).errContains("is being run by another llmo", "nothing was sent",
                "then 'llmo batch resume ");
        assertThat(second.err().lines().count()).isOne();
        server.release.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS)).succeeded();
        assertThat(server.requests.get()).as("each row sent once in all").isEqualTo(3);
        // the lock ends with the run that held it
        assertThat(llmo.run("batch", "resume", "last")).succeeded().errContains("0 of 3 calls to run");
    }

    @Test
    void anOutThatIsTheDatasetADirectoryOrInNoDirectoryIsRefusedBeforeAnythingIsSent() throws Exception {
        Rows server = new Rows();
        llmo.server().setDispatcher(server);
        Path data = dataset("q.jsonl", 2);
        String before = Files.readString(data);

        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--out", data.toString()))
                .failedWith(ExitCode.USAGE).errContains("is the batch's dataset: the results would overwrite it");
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--out",
                llmo.home().toString())).failedWith(ExitCode.USAGE).errContains("is a directory");
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--out",
                llmo.home().resolve("no/such/dir/r.jsonl").toString())).failedWith(ExitCode.USAGE)
                .errContains("there is no directory");
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--max-cost", "-1"))
                .failedWith(ExitCode.USAGE).errContains("--max-cost must be an amount in USD of 0 or more");

        assertThat(server.requests.get()).isZero();
        assertThat(records()).isZero();
        assertThat(Files.readString(data)).isEqualTo(before);

        // a finished batch: neither resume nor export may write over its dataset either
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}")).succeeded();
        assertThat(llmo.run("batch", "resume", "last", "--out", data.toString())).failedWith(ExitCode.USAGE)
                .errContains("is the batch's dataset");
        assertThat(llmo.run("batch", "export", "last", "--out", data.toString())).failedWith(ExitCode.USAGE)
                .errContains("is the batch's dataset");
        assertThat(Files.readString(data)).isEqualTo(before);
    }

    @Test
    void resultsReachOutAsTheyAreDoneAndAResumeWritesItWholeAgain() throws Exception {
        Rows server = holding(5);
        Path data = dataset("q.jsonl", 6);
        Path out = Files.writeString(llmo.home().resolve("results.jsonl"), "an older file\n");
        CompletableFuture<Result> run = whileHeld(server, "batch", "run", data.toString(), "--prompt", "{{question}}",
                "--concurrency", "1", "--out", out.toString());

        // row 5 is still unanswered: rows 1 to 4 are in the file already, whole and in order
        List<JsonNode> early = JsonLines.of(Files.readString(out));
        assertThat(early).extracting(line -> line.get("row").asInt()).containsExactly(1, 2, 3, 4);
        server.release.countDown();
        Result done = run.get(60, TimeUnit.SECONDS);

        assertThat(done).succeeded().outIsEmpty();
        String written = Files.readString(out);
        assertThat(JsonLines.of(written)).extracting(line -> line.get("text").asText())
                .containsExactly("A1", "A2", "A3", "A4", "A5", "A6");
        Result resumed = llmo.run("batch", "resume", "last", "--out", out.toString());
        assertThat(resumed).succeeded().errContains("0 of 6 calls to run");
        assertThat(Files.readString(out)).isEqualTo(written);
        assertThat(llmo.run("batch", "export", "last").out()).isEqualTo(written);
    }

    @Test
    void aBatchRefusedByTheBudgetLeavesAnOlderOutFileAsItWas() throws Exception {
        llmo.server().setDispatcher(new Rows());
        Path data = dataset("q.jsonl", 50);
        Path out = Files.writeString(llmo.home().resolve("results.jsonl"), "an older file\n");

        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--max-cost", "0.0001",
                "--out", out.toString())).failedWith(ExitCode.BUDGET).errContains("nothing was sent");

        assertThat(Files.readString(out)).isEqualTo("an older file\n");
    }

    @Test
    void aJsonLinesRowWithTwoObjectsOrAKeyTwiceIsNamedInsteadOfHalfRead() throws Exception {
        Path two = Files.writeString(llmo.home().resolve("two.jsonl"),
                "{\"question\":\"Q1?\"}\n{\"question\":\"Q2?\"} {\"question\":\"Q3?\"}\n");
        Path twice = Files.writeString(llmo.home().resolve("twice.jsonl"), "{\"question\":\"Q1?\",\"question\":\"Q2?\"}\n");

        assertThat(llmo.run("batch", "run", two.toString(), "--prompt", "{{question}}")).failedWith(ExitCode.USAGE)
                .errContains("two.jsonl:2: more than one JSON value on the line");
        assertThat(llmo.run("batch", "run", twice.toString(), "--prompt", "{{question}}")).failedWith(ExitCode.USAGE)
                .errContains("twice.jsonl:1: the key 'question' is given twice");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aReportOfABatchWithNothingFinishedCountsNothingAsFailedAndCannotPassAThreshold() throws Exception {
        llmo.server().setDispatcher(new Rows());
        Path data = dataset("q.jsonl", 2);
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}")).succeeded();
        Path record;
        try (var files = Files.list(llmo.dir().resolve("batches"))) {
            record = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        // what Ctrl-C before the first answer leaves: both calls recorded as interrupted, no result
        List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        String kept = lines.stream().filter(line -> !line.contains("\"batch.row\"") && !line.contains("session.end"))
                .reduce("", (a, b) -> a + b + "\n");
        Files.writeString(record, kept);
        dev.llmo.batch.BatchRecord resumed = dev.llmo.batch.BatchRecord.resume(dev.llmo.batch.BatchLock.take(record),
                false, "sha256:0", "test", dev.llmo.eventlog.EventLog.Options.defaults(), note -> { });
        for (int row = 0; row < 2; row++) {
            resumed.row(new dev.llmo.eventlog.EventData.BatchRow(row, "q" + (row + 1), 0, "mock/m1", "sha256:0", null,
                    List.of(), null, null, null, 120, null, dev.llmo.batch.BatchRecord.INTERRUPTED, null,
                    "interrupted: the request to mock was cancelled", List.of()));
        }
        resumed.end(ExitCode.INTERRUPTED);
        resumed.close();

        Result report = llmo.run("batch", "report", "last", "--json");

        assertThat(report).succeeded().errContains("2 of 2 calls of batch", "are not finished");
        JsonNode model = JSON.readTree(report.out()).get("models").get(0);
        assertThat(model.get("calls").asInt()).isZero();
        assertThat(model.get("failed").asInt()).isZero();
        assertThat(model.get("missing").asInt()).isEqualTo(2);
        assertThat(model.get("pass_rate").isNull()).isTrue();
        assertThat(model.get("p50_latency_ms").isNull()).isTrue();
        assertThat(llmo.run("batch", "report", "last")).succeeded().outContains("mock/m1      0       0     -       0    -    -          0           0  $0.00");
        assertThat(llmo.run("batch", "report", "last", "--min-pass-rate", "0")).failedWith(ExitCode.FAILURE)
                .errContains("is not finished (2 calls missing), so its pass rate is not known");
        assertThat(llmo.run("batch", "export", "last")).succeeded().outIsEmpty();
    }

    @Test
    void aResumeOfABatchWhoseResultsHoldAFailedCallExitsOneAsTheRunDid() throws Exception {
        Rows server = new Rows();
        server.failing = 2;
        llmo.server().setDispatcher(server);
        Path data = dataset("q.jsonl", 3);
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}")).failedWith(ExitCode.FAILURE)
                .errContains("1 of 3 calls failed");

        Result resumed = llmo.run("batch", "resume", "last");

        assertThat(resumed).failedWith(ExitCode.FAILURE).errContains("0 of 3 calls to run", "1 of 3 calls failed",
                "--retry-failed' sends them again");
        assertThat(JsonLines.of(resumed.out())).hasSize(3);
        assertThat(server.requests.get()).isEqualTo(3);
        server.failing = -1;
        assertThat(llmo.run("batch", "resume", "last", "--retry-failed")).succeeded().errContains("1 of 3 calls to run");
    }

    @Test
    void callsInFlightWhenStdoutFailsAreNotRecordedAsFailedButSentAgainByTheResume() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(4);
        Rows server = new Rows() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                // every answer waits until four calls were asked: the others are in flight when the first line
                // cannot be written
                inFlight.countDown();
                inFlight.await(30, TimeUnit.SECONDS);
                return super.dispatch(request);
            }
        };
        llmo.server().setDispatcher(server);
        Path data = dataset("q.jsonl", 12);
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };

        Result stopped = llmo.cli().stdout(full).run("batch", "run", data.toString(), "--prompt", "{{question}}",
                "--concurrency", "4");

        assertThat(stopped).failedWith(ExitCode.FAILURE).errContains("cannot write to stdout: No space left on device");
        assertThat(stopped.err()).contains(" · 0 failed · ");
        int sent = server.requests.get();
        assertThat(sent).isBetween(4, 11);
        assertThat(llmo.run("batch", "show", "last")).succeeded().outContains("0 failed");

        Result resumed = llmo.run("batch", "resume", "last");

        assertThat(resumed).succeeded();
        List<JsonNode> lines = JsonLines.of(resumed.out());
        assertThat(lines).extracting(line -> line.get("text").asText())
                .containsExactly("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12");
        // the finished calls were not sent again; those stopped in flight were
        assertThat(server.requests.get()).isLessThanOrEqualTo(sent + 12 - 1).isGreaterThanOrEqualTo(12);
    }

    @Test
    void rowsAppendedToTheDatasetWhileTheBatchRunsAreNotSent() throws Exception {
        // more than the reader buffers at once, so that the rows appended after the first call are read by the run
        int rows = 400;
        Path data = dataset("q.jsonl", rows);
        Files.writeString(data, Files.readString(data).replace("\"}", "\",\"pad\":\"" + "x".repeat(200) + "\"}"));
        AtomicInteger appended = new AtomicInteger();
        Rows server = new Rows() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (appended.getAndIncrement() == 0) {
                    try {
                        Files.writeString(data, "{\"question\":\"Q999?\"}\n".repeat(50),
                                java.nio.file.StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return super.dispatch(request);
            }
        };
        llmo.server().setDispatcher(server);

        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--concurrency", "6");

        assertThat(result).succeeded().errContains(rows + "/" + rows + " calls");
        assertThat(server.requests.get()).isEqualTo(rows);
        assertThat(JsonLines.of(result.out())).hasSize(rows);
    }

    @Test
    void aModelWhoseProviderHasNoKeyIsRefusedBeforeAnyRowIsRecordedAsFailed() throws Exception {
        llmo.server().setDispatcher(new Rows());
        llmo.modelsYaml("""
                mock:
                  type: openai
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  models: [m1]
                locked:
                  type: openai
                  base_url: {server}
                  api_key_name: LOCKED_API_KEY
                  models: [m9]
                """);
        Path data = dataset("q.jsonl", 20);

        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1", "-m",
                "locked/m9")).failedWith(ExitCode.CREDENTIALS).errContains("no API key for provider 'locked'",
                "LOCKED_API_KEY");
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1", "--assert",
                "judge locked/m9 Is it right?")).failedWith(ExitCode.CREDENTIALS)
                .errContains("no API key for provider 'locked'");

        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(records()).isZero();
    }

    @Test
    void aPipeAsTheDatasetIsReadOnceAndEveryRowIsSent() throws Exception {
        Rows server = new Rows();
        llmo.server().setDispatcher(server);
        Path fifo = llmo.home().resolve("rows.pipe");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo makes the pipe that `<(jq -c . rows.json)` gives");
        String rows = Files.readString(dataset("q.jsonl", 3));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, rows); // blocks until the batch opens the pipe
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        Result result = llmo.run("batch", "run", fifo.toString(), "--prompt", "{{question}}");

        writer.get(60, TimeUnit.SECONDS);
        assertThat(result).succeeded().errContains("3/3 calls");
        assertThat(JsonLines.of(result.out())).extracting(line -> line.get("text").asText())
                .containsExactly("A1", "A2", "A3");
        assertThat(server.requests.get()).isEqualTo(3);
        // the record cannot name a pipe for a resume: it asks for the dataset again
        assertThat(llmo.run("batch", "resume", "last")).failedWith(ExitCode.USAGE)
                .errContains("read its dataset from stdin or a pipe, which is gone", "--dataset FILE");
    }

    @Test
    void aDatasetThatLosesRowsWhileTheBatchRunsStopsItInsteadOfEndingOk() throws Exception {
        int rows = 400;
        Path data = dataset("q.jsonl", rows);
        Files.writeString(data, Files.readString(data).replace("\"}", "\",\"pad\":\"" + "x".repeat(200) + "\"}"));
        long keep = Files.readString(data).lines().limit(300).mapToLong(line -> line.length() + 1).sum();
        AtomicInteger calls = new AtomicInteger();
        llmo.server().setDispatcher(new Rows() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (calls.getAndIncrement() == 0) {
                    // whole lines go, after what the reader holds already: the rows after the 300th
                    try (var channel = java.nio.channels.FileChannel.open(data, java.nio.file.StandardOpenOption.WRITE)) {
                        channel.truncate(keep);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return super.dispatch(request);
            }
        });

        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--concurrency", "2");

        assertThat(result).failedWith(ExitCode.FAILURE).errContains("rows now, 400 when the batch started: it "
                + "changed while the batch ran", "then 'llmo batch resume ");
    }
}
