package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.JsonLines;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo batch run} against a server speaking OpenAI's chat completions format, answering each row's question
 * from a dispatcher that counts the requests in flight and per row, and answers some rows with 429s (then an answer)
 * and some with a failure.
 */
class BatchRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUESTION = Pattern.compile("Q(\\d+)\\?");

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().configYaml("main_llm: mock/m1\n")
            .mockProvider("""
                    max_concurrency: 6
                    models:
                      - { name: m1, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                      - { name: m2, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                      - { name: small, max_output_tokens: 100, context_window: 1000 }
                    """);

    /** Answers "A<n> from <model>"; rows divisible by 97 fail with 400; rows divisible by 50 get a 429 first. */
    static class RowServer extends Dispatcher {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Map<String, AtomicInteger> perCall = new ConcurrentHashMap<>();
        final AtomicInteger tooMany = new AtomicInteger();

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                JsonNode body = JSON.readTree(request.getBody().readUtf8());
                String model = body.path("model").asText();
                String content = body.path("messages").path(body.path("messages").size() - 1).path("content").asText();
                Matcher matcher = QUESTION.matcher(content);
                if (!matcher.find()) {
                    return new MockResponse().setResponseCode(400).setBody("{\"error\":{\"message\":\"no question\"}}");
                }
                int row = Integer.parseInt(matcher.group(1));
                int attempt = perCall.computeIfAbsent(model + "/" + row, k -> new AtomicInteger()).incrementAndGet();
                Thread.sleep(1);
                if (row % 97 == 0) {
                    return new MockResponse().setResponseCode(400)
                            .setBody("{\"error\":{\"message\":\"row " + row + " is bad\",\"type\":\"invalid_request_error\"}}");
                }
                if (row % 50 == 0 && attempt == 1) {
                    tooMany.incrementAndGet();
                    return new MockResponse().setResponseCode(429).setHeader("retry-after-ms", "20")
                            .setBody("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
                }
                return new MockResponse().setHeader("content-type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"%s","choices":[{"index":0,"message":{"role":\
                        "assistant","content":"A%d from %s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,\
                        "completion_tokens":5,"total_tokens":15}}""".formatted(model, row, model));
            } catch (IOException e) {
                return new MockResponse().setResponseCode(500);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private Path dataset(int rows) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            text.append("{\"id\":\"q").append(i).append("\",\"question\":\"Q").append(i).append("?\"}\n");
        }
        return Files.writeString(llmo.home().resolve("questions.jsonl"), text);
    }

    @Test
    void aThousandRowsOnTwoModelsAreEachAnsweredOnceInDatasetOrderWithinTheLimitsAndTheBudget() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        Path data = dataset(1000);

        Result result = llmo.cli().env("LLMO_MAX_RETRIES", "2").run("batch", "run", data.toString(), "--prompt",
                "Answer {{question}}", "-m", "mock/m1", "-m", "mock/m2", "--concurrency", "8", "--max-cost", "1");

        // 10 rows (97, 194, ... 970) fail on both models: exit 1, the batch went on
        assertThat(result).failedWith(ExitCode.FAILURE).errContains("20 of 2000 calls failed");
        List<JsonNode> lines = JsonLines.of(result.out());
        assertThat(lines).hasSize(2000);
        for (int i = 0; i < 2000; i++) {
            JsonNode line = lines.get(i);
            int row = i / 2 + 1;
            String model = i % 2 == 0 ? "mock/m1" : "mock/m2";
            assertThat(line.get("row").asInt()).isEqualTo(row);
            assertThat(line.get("id").asText()).isEqualTo("q" + row);
            assertThat(line.get("model").asText()).isEqualTo(model);
            if (row % 97 == 0) {
                assertThat(line.get("error").get("kind").asText()).isEqualTo("bad_request");
                assertThat(line.get("text").asText()).isEmpty();
            } else {
                assertThat(line.get("error").isNull()).isTrue();
                assertThat(line.get("text").asText()).isEqualTo("A" + row + " from " + model.substring(5));
                assertThat(line.get("usage").get("input_tokens").asInt()).isEqualTo(10);
                assertThat(line.get("cost_usd").decimalValue()).isEqualByComparingTo("0.00002");
            }
        }
        // every call sent once, but the 429s once more each
        assertThat(server.perCall).hasSize(2000);
        server.perCall.forEach((call, count) -> {
            int row = Integer.parseInt(call.substring(call.lastIndexOf('/') + 1));
            assertThat(count.get()).as(call).isEqualTo(row % 50 == 0 && row % 97 != 0 ? 2 : 1);
        });
        assertThat(server.tooMany.get()).isEqualTo(40);
        assertThat(server.maxInFlight.get()).isLessThanOrEqualTo(6).isGreaterThan(1);
        BigDecimal total = lines.stream().filter(l -> !l.get("cost_usd").isNull())
                .map(l -> l.get("cost_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(total).isEqualByComparingTo("0.0396").isLessThanOrEqualTo(BigDecimal.ONE);

        Result list = llmo.run("batch", "list");
        assertThat(list).succeeded().outContains("2000/2000 calls", "20 failed", "failed");
        Result verify = llmo.run("batch", "verify", "last");
        assertThat(verify).succeeded().outContains("ok (");
        Result export = llmo.run("batch", "export", "last");
        assertThat(export).succeeded();
        assertThat(export.out()).isEqualTo(result.out());
        Result cost = llmo.run("cost", "--json");
        assertThat(cost).succeeded().outContains("mock/m1", "mock/m2");
    }

    @Test
    void resultsReachStdoutAsTheyAreDoneWhileALaterRowIsStillUnanswered() throws Exception {
        // the last row's answer is held until the test has read a whole line from stdout: a batch that printed its
        // results only at the end would show nothing before the hold ran out
        java.util.concurrent.CountDownLatch firstLine = new java.util.concurrent.CountDownLatch(1);
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        String[] beforeRelease = {null};
        RowServer rows = new RowServer();
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getBody().snapshot().utf8().contains("Q12?")) {
                    boolean seen = firstLine.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    synchronized (printed) {
                        beforeRelease[0] = seen ? printed.toString(java.nio.charset.StandardCharsets.UTF_8) : "";
                    }
                }
                return rows.dispatch(request);
            }
        });
        java.io.OutputStream stdout = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (printed) {
                    printed.write(b);
                }
                if (b == '\n') {
                    firstLine.countDown();
                }
            }
        };
        Path data = dataset(12);

        Result result = llmo.cli().stdout(stdout).run("batch", "run", data.toString(), "--prompt",
                "Answer {{question}}", "--concurrency", "3");

        assertThat(result).succeeded();
        assertThat(beforeRelease[0]).as("stdout before the last row was answered").isNotEmpty();
        List<JsonNode> early = JsonLines.of(beforeRelease[0]);
        assertThat(early.get(0).get("row").asInt()).isEqualTo(1);
        assertThat(early.get(0).get("text").asText()).isEqualTo("A1 from m1");
        assertThat(early).hasSizeLessThan(12);
        List<JsonNode> all = JsonLines.of(printed.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(all).extracting(line -> line.get("row").asInt())
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(llmo.run("batch", "export", "last").out())
                .isEqualTo(printed.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedCallsLineKeepsTheModelsRefusalBesideItsError() throws Exception {
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                boolean refuse = request.getBody().readUtf8().contains("Q2?");
                return new MockResponse().setHeader("content-type", "application/json").setBody(refuse ? """
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":\
                        "assistant","content":null,"refusal":"I can't answer Q2."},"finish_reason":"stop"}],\
                        "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""" : """
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":\
                        "assistant","content":"Fine."},"finish_reason":"stop"}],\
                        "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""");
            }
        });

        Result result = llmo.run("batch", "run", dataset(2).toString(), "--prompt", "Answer {{question}}");

        assertThat(result).failedWith(ExitCode.FAILURE);
        List<JsonNode> lines = JsonLines.of(result.out());
        assertThat(lines.get(0).get("refusal").isNull()).isTrue();
        assertThat(lines.get(1).get("error").get("kind").asText()).isEqualTo("refused");
        assertThat(lines.get(1).get("refusal").asText()).isEqualTo("I can't answer Q2.");
        assertThat(JsonLines.of(llmo.run("batch", "export", "last").out()).get(1).get("refusal").asText())
                .isEqualTo("I can't answer Q2.");
    }

    @Test
    void aCallsLineKeepsTheModelsReasoningAsRunJsonDoesFromOpenAiCompatibleAndAnthropic() throws Exception {
        llmo.modelsYaml("""
                mock:
                  type: openai
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  models: [{ name: m1, max_output_tokens: 100 }]
                claude:
                  type: anthropic
                  base_url: {server}
                  api_key_name: CLAUDE_API_KEY
                  models: [{ name: c1, max_output_tokens: 100 }]
                """);
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                boolean second = request.getBody().readUtf8().contains("Q2?");
                if (request.getPath().endsWith("/messages")) {
                    // Anthropic: a thinking block before the text (row 2: only a redacted one)
                    return new MockResponse().setHeader("content-type", "application/json").setBody("""
                            {"id":"msg_1","type":"message","role":"assistant","model":"c1","content":[%s,                            {"type":"text","text":"Claude says."}],"stop_reason":"end_turn","stop_sequence":null,                            "usage":{"input_tokens":10,"output_tokens":5}}""".formatted(second
                            ? "{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}"
                            : "{\"type\":\"thinking\",\"thinking\":\"Claude thinks.\",\"signature\":\"sig\"}"));
                }
                // an OpenAI-compatible server's reasoning_content (row 2: none)
                return new MockResponse().setHeader("content-type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":                        "assistant",%s"content":"Fine."},"finish_reason":"stop"}],                        "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"""
                        .formatted(second ? "" : "\"reasoning_content\":\"Let me think.\","));
            }
        });

        Result result = llmo.cli().env("CLAUDE_API_KEY", "sk-claude").run("batch", "run", dataset(2).toString(),
                "--prompt", "Answer {{question}}", "-m", "mock/m1", "-m", "claude/c1");

        assertThat(result).succeeded();
        List<JsonNode> lines = JsonLines.of(result.out());
        assertThat(lines).extracting(line -> line.get("reasoning").isNull() ? null : line.get("reasoning").asText())
                .containsExactly("Let me think.", "Claude thinks.", null, "");
        assertThat(lines.get(1).get("text").asText()).isEqualTo("Claude says.");
        // export prints the same lines from the record
        assertThat(llmo.run("batch", "export", "last").out()).isEqualTo(result.out());
    }

    @Test
    void aBatchWhoseWorstCasePassesTheBudgetIsRefusedWithNothingSent() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        Path data = dataset(100);
        // worst case per call: ~10 input tokens at $1/M + 100 output tokens at $2/M ≈ $0.00021; × 200 ≈ $0.042
        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "Answer {{question}}",
                "-m", "mock/m1", "-m", "mock/m2", "--max-cost", "0.01");
        assertThat(result).failedWith(ExitCode.BUDGET).errContains("the batch's 200 calls could cost up to",
                "nothing was sent");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.dir().resolve("batches")).doesNotExist();
    }

    @Test
    void aBudgetStopWritesEveryCallDoneAndDoesNotCountTheRefusedOnesAsFailed() throws Exception {
        // answers that used far more input than estimated: $0.01 each, so the run's budget refuses the fourth call
        llmo.server().setDispatcher(new RowServer() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                MockResponse answer = super.dispatch(request);
                return answer.setBody(answer.getBody().readUtf8().replace("\"prompt_tokens\":10", "\"prompt_tokens\":10000"));
            }
        });
        Path out = llmo.home().resolve("m.jsonl");

        Result result = llmo.run("batch", "run", dataset(6).toString(), "--prompt", "{{question}}", "-m", "mock/m1",
                "--concurrency", "1", "--max-cost", "0.025", "--out", out.toString());

        assertThat(result).failedWith(ExitCode.BUDGET).errContains("per-run budget", "the batch stopped",
                "3/6 calls · 0 failed");
        assertThat(JsonLines.of(Files.readString(out))).extracting(l -> l.get("row").asInt()).containsExactly(1, 2, 3);
        assertThat(llmo.run("batch", "show", "last")).succeeded().outContains("3 ok, 0 failed, 3 missing");
    }

    @Test
    void aBatchFromStdinStoppedByItsBudgetSaysItsResumeNeedsTheDatasetAgainAndThatResumeFinishesIt() throws Exception {
        llmo.server().setDispatcher(new RowServer() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                MockResponse answer = super.dispatch(request);
                return answer.setBody(answer.getBody().readUtf8().replace("\"prompt_tokens\":10", "\"prompt_tokens\":10000"));
            }
        });
        Path data = dataset(6);

        Result result = llmo.cli().stdin(Files.readString(data)).run("batch", "run", "-", "--prompt", "{{question}}",
                "-m", "mock/m1", "--concurrency", "1", "--max-cost", "0.025");

        assertThat(result).failedWith(ExitCode.BUDGET);
        String id = llmo.run("batch", "list", "--json").out().replaceAll("(?s).*\"id\":\"([0-9A-Z]+)\".*", "$1");
        assertThat(result.err()).contains("raise the budget, then 'llmo batch resume " + id + " --dataset FILE' "
                + "(--dataset: the rows this batch read from stdin or a pipe, again, as a file) runs the rest");

        llmo.server().setDispatcher(new RowServer());
        Result resumed = llmo.run("batch", "resume", id, "--dataset", data.toString());
        assertThat(resumed).succeeded().errContains("3 of 6 calls to run");
    }

    @Test
    void aRefusedKeyStopsTheBatchAtItsFirstCallAndAPlainResumeFinishesItOnceTheKeyIsFixed() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                refused.incrementAndGet();
                return new MockResponse().setResponseCode(401).setHeader("content-type", "application/json").setBody("""
                        {"error":{"message":"Incorrect API key provided: sk-wrong. You can find your API key at \
                        https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,\
                        "code":"invalid_api_key"}}""");
            }
        });
        Path data = dataset(5);

        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1",
                "--concurrency", "1");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).outIsEmpty().errContains("refused the API key (HTTP 401)",
                "the batch stopped", "llmo batch resume", "0/5 calls · 0 failed");
        assertThat(refused.get()).as("no more requests after the first refusal").isEqualTo(1);
        assertThat(llmo.run("batch", "show", "last")).succeeded().outContains("0 ok, 0 failed, 5 missing");

        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        Result resumed = llmo.run("batch", "resume", "last");
        assertThat(resumed).succeeded().errContains("5 of 5 calls to run");
        assertThat(JsonLines.of(resumed.out())).extracting(l -> l.get("text").asText())
                .containsExactly("A1 from m1", "A2 from m1", "A3 from m1", "A4 from m1", "A5 from m1");
    }

    @Test
    void aDailyBudgetCountsTheBatchRecordsSpending() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        llmo.configYaml("main_llm: mock/m1\nbudget: { daily_usd: 0.03 }\n");
        Path data = dataset(100);
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1"))
                .failedWith(ExitCode.FAILURE); // row 97 fails
        int sent = llmo.server().getRequestCount();
        // $0.002 spent today by the first batch; the second's worst case (~$0.021 × 2) passes what is left
        Result second = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1",
                "-m", "mock/m2", "-o", "max_tokens=100");
        assertThat(second).failedWith(ExitCode.BUDGET).errContains("spent today", "daily budget");
        assertThat(llmo.server().getRequestCount()).isEqualTo(sent);
    }

    @Test
    void aRowTooLargeForTheContextWindowIsThatRowsFailureAndTheBatchGoesOn() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
            String question = i == 2 ? "Q2? " + "word ".repeat(5000) : "Q" + i + "?";
            text.append("{\"id\":\"q").append(i).append("\",\"question\":\"").append(question).append("\"}\n");
        }
        Path data = Files.writeString(llmo.home().resolve("mixed.jsonl"), text);

        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/small",
                "--concurrency", "2");

        // a stop here would stop every resume at the same row: no budget lets it through
        assertThat(result).failedWith(ExitCode.FAILURE).errContains("1 of 6 calls failed");
        List<JsonNode> lines = JsonLines.of(result.out());
        assertThat(lines).extracting(l -> l.get("row").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
        JsonNode error = lines.get(1).get("error");
        assertThat(error.get("kind").asText()).isEqualTo("context_length");
        assertThat(error.get("message").asText()).contains("has room for 900 tokens", "nothing was sent",
                "shorten the row", "a model with a larger window");
        assertThat(server.perCall).hasSize(5).doesNotContainKey("small/2");
        // the row failed, it is not missing: a resume has nothing to run, --retry-failed tries it again
        assertThat(llmo.run("batch", "resume", "last")).failedWith(ExitCode.FAILURE)
                .errContains("0 of 6 calls to run");
        assertThat(llmo.run("batch", "resume", "last", "--retry-failed")).failedWith(ExitCode.FAILURE)
                .errContains("1 of 6 calls to run", "1 of 6 calls failed");
        assertThat(server.perCall).hasSize(5);
    }

    @Test
    void underABudgetARowWhoseRequestWasSentAndTimedOutCountsItsUpperBound() throws Exception {
        llmo.configYaml("main_llm: mock/m1\nbudget: { daily_usd: 1.00 }\n");
        // the server has the request and answers after the deadline: the provider may bill it all the same
        llmo.server().enqueue(dev.llmo.OpenAiAnswers.streamed("late", 8, 1)
                .setHeadersDelay(3, java.util.concurrent.TimeUnit.SECONDS));
        Path data = dataset(1);

        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "-m", "mock/m1",
                "--timeout", "0.3");

        assertThat(result).failedWith(ExitCode.FAILURE);
        JsonNode row = JSON.readTree(result.out().lines().findFirst().orElseThrow());
        assertThat(row.path("error").path("kind").asText()).isEqualTo("timeout");
        // ~10 input tokens at $1/M and the 100-token limit at $2/M
        assertThat(row.path("cost_usd").isNumber()).as(row.toString()).isTrue();
        assertThat(row.path("cost_usd").asDouble()).isPositive();
    }

    @Test
    void aBadDatasetLineIsNamedAndNothingIsSent() throws Exception {
        Path data = Files.writeString(llmo.home().resolve("bad.jsonl"), "{\"question\":\"Q1?\"}\n\n[1,2]\n");
        Result result = llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}");
        assertThat(result).failedWith(ExitCode.USAGE).errContains("bad.jsonl:3: not a JSON object, but array");
        assertThat(llmo.server().getRequestCount()).isZero();

        Path csv = Files.writeString(llmo.home().resolve("rows.csv"), "question,x\nQ1?,1\n\"Q2?\n");
        assertThat(llmo.run("batch", "run", csv.toString(), "--prompt", "{{question}}"))
                .failedWith(ExitCode.USAGE).errContains("rows.csv:3: a quoted field is not closed");
        Path missing = Files.writeString(llmo.home().resolve("rows2.csv"), "q\nQ1?\n");
        assertThat(llmo.run("batch", "run", missing.toString(), "--prompt", "{{question}}"))
                .failedWith(ExitCode.USAGE).errContains("rows2.csv:2: no column 'question' for {{question}}");
    }

    @Test
    void aCsvDatasetFromStdinWithQuotedFieldsIsOneCallPerRowAndResultsGoToOut() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        Path out = llmo.home().resolve("results.jsonl");
        Result result = llmo.cli().stdin("id,question\r\na,\"Q1?, with a comma\"\r\nb,\"Q2? \"\"quoted\"\"\nsecond line\"\r\n")
                .run("batch", "run", "-", "--prompt", "{{question}}", "--out", out.toString());
        assertThat(result).succeeded().outIsEmpty();
        List<JsonNode> lines = JsonLines.of(Files.readString(out));
        assertThat(lines).extracting(l -> l.get("id").asText()).containsExactly("a", "b");
        assertThat(lines).extracting(l -> l.get("text").asText()).containsExactly("A1 from m1", "A2 from m1");
        assertThat(result.err()).contains("2/2 calls");
    }

    @Test
    void aResumeAfterACrashSendsOnlyTheCallsWhoseResultsAreNotInTheRecord() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        Path data = dataset(60);
        Result first = llmo.cli().env("LLMO_MAX_RETRIES", "2").run("batch", "run", data.toString(), "--prompt",
                "{{question}}", "-m", "mock/m1", "-m", "mock/m2");
        assertThat(first).succeeded();
        // what a kill -9 leaves: the first 50 entries, and half of the next line
        Path record;
        try (var files = Files.list(llmo.dir().resolve("batches"))) {
            record = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow(); // not its .lock
        }
        List<String> lines = Files.readAllLines(record);
        String kept = String.join("\n", lines.subList(0, 52)) + "\n" + lines.get(52).substring(0, 40);
        Files.writeString(record, kept);
        server.perCall.clear();

        Result resumed = llmo.cli().env("LLMO_MAX_RETRIES", "2").run("batch", "resume", "last");

        assertThat(resumed).succeeded().errContains("the record's last line was torn", "70 of 120 calls to run");
        assertThat(server.perCall).hasSize(70);
        server.perCall.forEach((call, count) -> assertThat(count.get()).as(call)
                .isEqualTo(call.endsWith("/50") ? 2 : 1));
        List<JsonNode> results = JsonLines.of(resumed.out());
        assertThat(results).hasSize(120);
        assertThat(results).extracting(l -> l.get("row").asInt() + l.get("model").asText())
                .isEqualTo(JsonLines.of(first.out()).stream().map(l -> l.get("row").asInt() + l.get("model").asText())
                        .toList());
        assertThat(llmo.run("batch", "verify", "last")).succeeded();
        assertThat(llmo.run("batch", "resume", "last")).succeeded().errContains("0 of 120 calls to run");
        assertThat(server.perCall).hasSize(70);
    }

    @Test
    void anEvalChecksEachAnswerHasAJudgeGradeItAndReportsPerModel() throws Exception {
        RowServer server = new RowServer() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                String body = request.getBody().clone().readUtf8();
                if (body.contains("You grade an answer")) {
                    // the judge: passes answers of odd rows
                    Matcher row = Pattern.compile("Answer: A(\\d+)").matcher(body);
                    boolean odd = row.find() && Integer.parseInt(row.group(1)) % 2 == 1;
                    return new MockResponse().setHeader("content-type", "application/json").setBody("""
                            {"id":"j","object":"chat.completion","model":"judge","choices":[{"index":0,"message":\
                            {"role":"assistant","content":"%s. Because."},"finish_reason":"stop"}],"usage":\
                            {"prompt_tokens":50,"completion_tokens":3,"total_tokens":53}}""".formatted(odd ? "PASS" : "FAIL"));
                }
                return super.dispatch(request);
            }
        };
        llmo.server().setDispatcher(server);
        Files.writeString(llmo.home().resolve("qa.csv"), "question,expected\nQ1?,A1\nQ2?,A2\nQ3?,A9\nQ4?,A4\n");
        Path eval = Files.writeString(llmo.home().resolve("eval.yaml"), """
                prompt: "Answer {{question}}"
                models: [mock/m1, mock/m2]
                asserts:
                  - contains: "{{expected}} from"
                  - max-latency: 60s
                  - judge: { model: mock/m1, rubric: "Expected {{expected}}" }
                """);

        Result run = llmo.run("batch", "run", llmo.home().resolve("qa.csv").toString(), "--eval", eval.toString(),
                "--assert", "regex ^A\\d");

        assertThat(run).succeeded().errContains("judging the answers");
        List<JsonNode> lines = JsonLines.of(run.out());
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0).get("asserts").toString()).isEqualTo("[true,true,null,true]");
        assertThat(lines.get(4).get("asserts").toString()).as("row 3 answers A3, not A9")
                .isEqualTo("[false,true,null,true]");
        // every answer judged once
        assertThat(server.perCall).hasSize(8);

        Result report = llmo.run("batch", "report", "last", "--json");
        assertThat(report).succeeded();
        JsonNode json = JSON.readTree(report.out());
        // rows 1 and 3 pass the judge; row 3 fails contains: only row 1 passes everything
        assertThat(json.get("models").get(0).get("passed").asInt()).isEqualTo(1);
        assertThat(json.get("models").get(0).get("pass_rate").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(json.get("models").get(1).get("passed_by_assert").toString()).isEqualTo("[3,4,2,4]");
        assertThat(json.get("judge_cost_usd").decimalValue()).isPositive();
        Result table = llmo.run("batch", "report", "last");
        assertThat(table).succeeded().outContains("mock/m1", "25.0%", "judges:");
        // the numbers line up under their headings, the widest ones too
        String heading = table.out().lines().findFirst().orElseThrow();
        assertThat(heading).startsWith("MODEL").contains("TOKENS IN  TOKENS OUT").endsWith("USD");
        assertThat(table.out().lines().skip(1).filter(line -> line.startsWith("mock/")))
                .allSatisfy(line -> assertThat(line).hasSize(heading.length()));
        Result narrow = llmo.cli().tty("o").env("COLUMNS", "60").env("NO_COLOR", "1").run("batch", "report", "last");
        assertThat(narrow.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(60));
        assertThat(narrow.err()).contains("llmo: note: left out to fit the terminal: P95, P50");
        assertThat(llmo.run("batch", "report", "last", "--min-pass-rate", "30%")).failedWith(ExitCode.FAILURE)
                .errContains("pass rate (25%) is below --min-pass-rate 30%");
        assertThat(llmo.run("batch", "report", "last", "--min-pass-rate", "0.2")).succeeded();

        // a resume judges nothing again
        assertThat(llmo.run("batch", "resume", "last")).succeeded().errContains("0 of 8 calls to run");
        assertThat(llmo.server().getRequestCount()).isEqualTo(16);

        // what a kill -9 while judging leaves: every answer, the first two verdicts. The six answers not judged yet
        // are missing, not failed: the rate is of the two judged, and --min-pass-rate says it is not known yet
        Path record;
        try (var files = Files.list(llmo.dir().resolve("batches"))) {
            record = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<String> entries = Files.readAllLines(record);
        int firstJudge = 0;
        while (!entries.get(firstJudge).contains("\"batch.judge\"")) {
            firstJudge++;
        }
        Files.writeString(record, String.join("\n", entries.subList(0, firstJudge + 2)) + "\n");
        Result partial = llmo.run("batch", "report", "last", "--json");
        assertThat(partial).succeeded().errContains("6 of 8 calls", "not finished");
        // the judges ran at once: which two answers have their verdicts varies
        List<JsonNode> models = List.of(JSON.readTree(partial.out()).get("models").get(0),
                JSON.readTree(partial.out()).get("models").get(1));
        assertThat(models).extracting(m -> m.get("calls").asInt()).satisfies(c -> assertThat(c.get(0) + c.get(1))
                .isEqualTo(2));
        assertThat(models).extracting(m -> m.get("missing").asInt()).satisfies(c -> assertThat(c.get(0) + c.get(1))
                .isEqualTo(6));
        assertThat(models).allSatisfy(m -> assertThat(m.get("pass_rate").isNull()).isEqualTo(m.get("calls").asInt() == 0));
        assertThat(llmo.run("batch", "report", "last", "--min-pass-rate", "0.2")).failedWith(ExitCode.FAILURE)
                .errContains("is not finished (6 calls missing), so its pass rate is not known");
    }

    @Test
    void aJsonSchemaCheckPassesJsonThatFollowsTheSchemaAndTheRecordKeepsTheSchemaItself() throws Exception {
        llmo.server().setDispatcher(new RowServer() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                String body = request.getBody().clone().readUtf8();
                Matcher row = QUESTION.matcher(body);
                int n = row.find() ? Integer.parseInt(row.group(1)) : 0;
                // row 1: JSON that follows the schema; row 2: JSON without the required field; row 3: prose
                String content = n == 1 ? "{\\\"answer\\\":\\\"A1\\\"}" : n == 2 ? "{\\\"other\\\":1}" : "A3";
                return new MockResponse().setHeader("content-type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":\
                        "assistant","content":"%s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,\
                        "completion_tokens":5,"total_tokens":15}}""".formatted(content));
            }
        });
        Path schema = Files.writeString(llmo.home().resolve("answer.schema.json"),
                "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}},\"required\":[\"answer\"]}");

        Result run = llmo.run("batch", "run", dataset(3).toString(), "--prompt", "{{question}}", "-m", "mock/m1",
                "--assert", "json-schema " + schema);

        assertThat(run).succeeded();
        assertThat(JsonLines.of(run.out())).extracting(line -> line.get("asserts").toString())
                .containsExactly("[true]", "[false]", "[false]");
        // the record holds the schema, not the file's path: a resume elsewhere, after the file is gone, still checks it
        Files.delete(schema);
        assertThat(llmo.run("batch", "resume", "last")).succeeded().errContains("0 of 3 calls to run");
        assertThat(llmo.run("batch", "report", "last", "--json")).succeeded().outContains("\"passed\":1");
        assertThat(llmo.run("batch", "run", dataset(1).toString(), "--prompt", "{{question}}", "--assert",
                "json-schema name, age inte")).failedWith(ExitCode.USAGE)
                .errContains("bad assertion 'json-schema name, age inte'", "unknown type 'inte'");
    }

    @Test
    void aBadAssertionIsAUsageErrorBeforeAnythingIsSent() throws Exception {
        Path data = dataset(3);
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--assert", "startswith x"))
                .failedWith(ExitCode.USAGE).errContains("bad assertion 'startswith x': unknown kind 'startswith'");
        assertThat(llmo.run("batch", "run", data.toString(), "--prompt", "{{question}}", "--assert", "regex ("))
                .failedWith(ExitCode.USAGE).errContains("not a regular expression");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aSavedTemplateGivesThePromptSystemPromptModelsAndPlaceholderDefaults() throws Exception {
        RowServer server = new RowServer();
        llmo.server().setDispatcher(server);
        assertThat(llmo.run("run", "--save", "qa", "-m", "mock/m2", "-s", "You answer {{style}}.", "-p", "style",
                "tersely", "Answer {{question}}")).succeeded();
        Path data = dataset(3);

        Result result = llmo.run("batch", "run", data.toString(), "-t", "qa");

        assertThat(result).succeeded();
        assertThat(JsonLines.of(result.out())).extracting(l -> l.get("text").asText())
                .containsExactly("A1 from m2", "A2 from m2", "A3 from m2");
        assertThat(llmo.run("batch", "show", "last")).succeeded().outContains("prompt:   Answer {{question}}",
                "system:   You answer {{style}}.", "model:    mock/m2: 3 ok");
        assertThat(llmo.run("batch", "run", data.toString(), "-t", "qa", "--prompt", "x"))
                .failedWith(ExitCode.USAGE).errContains("-t and --prompt do not go together");
        assertThat(llmo.run("batch", "run", data.toString(), "-t", "nope")).failedWith(ExitCode.CONFIG);
    }
}
