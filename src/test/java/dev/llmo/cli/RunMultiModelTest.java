package dev.llmo.cli;

import dev.llmo.OpenAiAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * {@code llmo run} with several models, in process: the piped sections, JSON per model, the pipeline, partial
 * failures and their exit codes, the live view and {@code --compare}, and what {@code -c} does afterwards. The mock
 * server answers each model by its name: {@code answer of MODEL}; model {@code bad} gets HTTP 429.
 */
class RunMultiModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    private MockWebServer server;
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    /** When set, every request waits until this many are in flight. */
    private volatile CountDownLatch together;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                JsonNode body;
                try {
                    body = JSON.readTree(request.getBody().readUtf8());
                } catch (IOException e) {
                    return new MockResponse().setResponseCode(400);
                }
                bodies.add(body);
                CountDownLatch latch = together;
                if (latch != null) {
                    latch.countDown();
                    latch.await(10, TimeUnit.SECONDS);
                }
                String model = body.get("model").asText();
                if (model.equals("bad")) {
                    return new MockResponse().setResponseCode(429).setBody("{\"error\":{\"message\":\"slow down\"}}");
                }
                JsonNode messages = body.get("messages");
                String input = messages.get(messages.size() - 1).get("content").asText();
                return answer(model.startsWith("echo") ? model + "(" + input + ")" : "answer of " + model);
            }
        });
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    - name: m2
                      pricing: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
                    - name: m3
                    - name: bad
                    - name: echo1
                    - name: echo2
                    - name: echo3
                locked:
                  type: openai
                  base_url: %s
                  api_key_name: LOCKED_API_KEY
                  default_model: x
                """.formatted(server.url("/v1"), server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private static MockResponse answer(String text) {
        return OpenAiAnswers.streamed(text, 10, 4);
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    private List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.sorted().toList();
        }
    }

    @Test
    void pipedEachAnswerIsUnderItsModelsHeaderInTheGivenOrder() {
        together = new CountDownLatch(3); // all three in flight at once, or no answer at all

        Result result = cli().run("run", "-m", "mock/m3", "-m", "mock/m1", "-m", "mock/m2", "Say hi");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                == mock/m3 ==
                answer of m3

                == mock/m1 ==
                answer of m1

                == mock/m2 ==
                answer of m2
                """);
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aModelGivenTwiceIsCalledTwiceAndLabelledApart() {
        Result result = cli().run("run", "--parallel", "-m", "mock/m1", "-m", "mock/m1", "hi");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("== mock/m1 ==\n").contains("== mock/m1 #2 ==\n");
        assertThat(bodies).hasSize(2);
    }

    @Test
    void jsonIsOneObjectPerModelInPlanOrderWithTheConversation() throws Exception {
        Result result = cli().run("run", "--json", "-m", "mock/m2", "-m", "mock/m1", "hi");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(first.get("model").asText()).isEqualTo("mock/m2");
        assertThat(first.get("text").asText()).isEqualTo("answer of m2");
        assertThat(second.get("model").asText()).isEqualTo("mock/m1");
        // 10 × 0.15 + 4 × 0.60 = 3.9 micro-USD
        assertThat(lines.get(1)).contains("\"cost_usd\":0.0000039,");
        String id = logs().get(0).getFileName().toString().replace(".jsonl", "");
        assertThat(first.get("conversation").asText()).isEqualTo(id);
        assertThat(second.get("conversation").asText()).isEqualTo(id);
        assertThat(first.get("error").isNull()).isTrue();
    }

    @Test
    void partialFailureShowsTheErrorInItsSectionAndExits1() {
        Result result = cli().run("run", "-m", "mock/m1", "-m", "mock/bad", "-m", "mock/m2", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("""
                == mock/m1 ==
                answer of m1

                == mock/bad ==
                error: mock answered HTTP 429 (rate limited): slow down

                == mock/m2 ==
                answer of m2
                """);
        assertThat(result.err()).startsWith("llmo: error: 1 of 3 models failed: mock/bad: mock answered HTTP 429 "
                + "(rate limited): slow down").hasLineCount(1);
    }

    @Test
    void partialFailureInJsonHasTheErrorObject() throws Exception {
        Result result = cli().run("run", "--json", "-m", "mock/bad", "-m", "mock/m1", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode failed = JSON.readTree(lines.get(0));
        assertThat(failed.get("text").isNull()).isTrue();
        assertThat(failed.get("error").get("kind").asText()).isEqualTo("rate_limited");
        assertThat(failed.get("error").get("status").asInt()).isEqualTo(429);
        assertThat(failed.get("conversation").asText()).isNotEmpty();
        assertThat(JSON.readTree(lines.get(1)).get("text").asText()).isEqualTo("answer of m1");
    }

    @Test
    void theExitCodeIsTheFirstFailureInPlanOrder() {
        Result keyFirst = cli().run("run", "-m", "locked", "-m", "mock/bad", "-m", "mock/m1", "hi");
        Result callFirst = cli().run("run", "-m", "mock/bad", "-m", "locked", "-m", "mock/m1", "hi");

        assertThat(keyFirst.exitCode()).isEqualTo(4);
        assertThat(keyFirst.err()).startsWith("llmo: error: 2 of 3 models failed: locked/x: no API key for provider "
                + "'locked': LOCKED_API_KEY is not set; mock/bad: mock answered HTTP 429");
        assertThat(callFirst.exitCode()).isEqualTo(1);
        assertThat(callFirst.out()).contains("== mock/m1 ==\nanswer of m1\n");
    }

    @Test
    void usageLinesPerModelAndATotalOnStderr() {
        Result result = cli().run("run", "-u", "-m", "mock/m1", "-m", "mock/m3", "hi");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.err().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("mock/m1: 10 in, 4 out tokens, $0.0000039, ");
        assertThat(lines.get(1)).startsWith("mock/m3: 10 in, 4 out tokens, cost unknown, ");
        assertThat(lines.get(2)).startsWith("total: 2 models, $0.0000039 (+ 1 unknown), ").endsWith(" wall");
    }

    @Test
    void sequentialPassesEachAnswerOnAndPrintsTheLast() {
        Result result = cli().run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/echo2", "-m", "mock/echo3",
                "start");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("echo3(echo2(echo1(start)))\n");
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(1).get("messages").toString()).isEqualTo(
                "[{\"role\":\"user\",\"content\":\"echo1(start)\"}]");
        assertThat(bodies.get(2).get("messages").toString()).contains("echo2(echo1(start))");
    }

    @Test
    void sequentialJsonShowsEveryStep() throws Exception {
        Result result = cli().run("run", "--sequential", "--json", "-m", "mock/echo1", "-m", "mock/echo2", "go");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("text").asText()).isEqualTo("echo1(go)");
        assertThat(JSON.readTree(lines.get(1)).get("text").asText()).isEqualTo("echo2(echo1(go))");
        assertThat(JSON.readTree(lines.get(1)).get("model").asText()).isEqualTo("mock/echo2");
    }

    @Test
    void aFailedStepStopsThePipelineWithItsExitCode() {
        Result result = cli().run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/bad", "-m", "mock/echo2",
                "go");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("llmo: error: step 2 of 3 (mock/bad) failed: mock answered HTTP 429 "
                + "(rate limited): slow down; step 3 was not run");
        assertThat(bodies).hasSize(2);
    }

    @Test
    void aParallelRunIsOneVerifiableConversationWithEveryCall() throws Exception {
        assertThat(cli().run("run", "-m", "mock/m1", "-m", "mock/bad", "-m", "mock/m2", "hi").exitCode())
                .isEqualTo(1);

        assertThat(logs()).hasSize(1);
        List<Event> events = EventLog.read(logs().get(0));
        assertThat(events.get(0).data().get("command").asText()).isEqualTo("run --parallel");
        assertThat(events.get(0).data().get("models").toString()).isEqualTo("[\"mock/m1\",\"mock/bad\",\"mock/m2\"]");
        assertThat(events.stream().filter(e -> e.type().equals("request"))).hasSize(3)
                .allSatisfy(e -> assertThat(e.data().get("context").toString()).isEqualTo("[[1,1]]"));
        assertThat(events.stream().filter(e -> e.type().equals("response"))).hasSize(2);
        assertThat(events.stream().filter(e -> e.type().equals("error"))).hasSize(1);
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("failed");
        assertThat(ChainVerifier.verify(logs().get(0)).ok()).isTrue();
    }

    @Test
    void continueAfterAParallelRunIsRefusedAndSendsNothing() throws Exception {
        assertThat(cli().run("run", "-m", "mock/m1", "-m", "mock/m2", "hi").exitCode()).isZero();
        long before = Files.size(logs().get(0));
        String id = logs().get(0).getFileName().toString().replace(".jsonl", "");

        Result last = cli().run("run", "-c", "and then?");
        Result byId = cli().run("run", "--cid", id.substring(0, 10), "-m", "mock/m1", "and then?");

        assertThat(last.exitCode()).isEqualTo(2);
        assertThat(last.err()).isEqualTo("llmo: error: conversation " + id + " ended with a parallel run of 2 models: "
                + "there is no one answer to continue from; start a new conversation, or see the "
                + "answers with 'llmo log show " + id + "' and quote the one to build on\n");
        assertThat(byId.exitCode()).isEqualTo(2);
        Result chat = cli().stdin("and then?\n").run("chat", "--continue");
        assertThat(chat.exitCode()).as("chat refuses it too").isEqualTo(2);
        assertThat(chat.err()).contains("there is no one answer to continue from");
        assertThat(bodies).hasSize(2);
        assertThat(Files.size(logs().get(0))).as("nothing appended").isEqualTo(before);
    }

    @Test
    void continueAfterAPipelineSendsItsTranscript() throws Exception {
        assertThat(cli().run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/echo2", "go").exitCode())
                .isZero();

        Result next = cli().run("run", "-c", "-m", "mock/m1", "shorter");

        assertThat(next.exitCode()).isZero();
        assertThat(next.out()).isEqualTo("answer of m1\n");
        assertThat(bodies.get(2).get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"content\":\"echo1(go)\"},{\"role\":\"user\",\"content\":\"echo1(go)\"},"
                + "{\"role\":\"assistant\",\"content\":\"echo2(echo1(go))\"},{\"role\":\"user\",\"content\":"
                + "\"shorter\"}]");
        assertThat(ChainVerifier.verify(logs().get(0)).ok()).isTrue();
    }

    @Test
    void aParallelRunMayContinueASingleModelConversation() {
        assertThat(cli().run("run", "first").exitCode()).isZero();

        Result result = cli().run("run", "-c", "-m", "mock/m2", "-m", "mock/m3", "second");

        assertThat(result.exitCode()).isZero();
        assertThat(bodies.get(1).get("messages").toString()).isEqualTo(bodies.get(2).get("messages").toString())
                .contains("answer of m1").endsWith("{\"role\":\"user\",\"content\":\"second\"}]");
    }

    @Test
    void compareShowsEachAnswerWithItsStatsAndATable() {
        Result result = cli().run("run", "--compare", "-m", "mock/m1", "-m", "mock/m2", "-m", "mock/bad", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).startsWith("== mock/m1 ==  4 tokens · 12 chars · ").endsWith(" · $0.0000039");
        assertThat(lines.get(1)).isEqualTo("answer of m1");
        assertThat(result.out()).contains("== mock/bad ==  failed after ")
                .contains("error: mock answered HTTP 429 (rate limited): slow down\n");
        int table = lines.indexOf(lines.stream().filter(l -> l.startsWith("MODEL")).findFirst().orElseThrow());
        assertThat(lines.get(table)).matches("MODEL +STATUS +OUT TOKENS +CHARS +LATENCY +FIRST TOKEN +COST");
        assertThat(lines.get(table + 1)).matches("mock/m1 +ok +4 +12 +.* \\$0\\.0000039");
        assertThat(lines.get(table + 3)).matches("mock/bad +rate_limited +- +0 +.* +-");
        assertThat(lines.get(table + 4)).startsWith("fastest: mock/m").contains("cheapest: mock/m1");
    }

    @Test
    void onATerminalTheLiveViewRedrawsThenShowsTheAnswersInFull() {
        Result result = cli().tty("o").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("\u001b[2K") // lines cleared and redrawn
                .contains("\u001b[2F\u001b[J") // the view erased before the answers
                .contains("\u001b[1m== mock/m1 ==\u001b[0m  ") // coloured headers: stdout is a terminal
                .contains("\u001b[32m✓\u001b[0m mock/m1");
        String afterView = result.out().substring(result.out().lastIndexOf("\u001b[J") + 3);
        assertThat(afterView.replaceAll("\u001b\\[[0-9;]*m", "")).startsWith("== mock/m1 ==  4 tokens · 12 chars · ")
                .contains("\nanswer of m1\n\n== mock/m2 ==  4 tokens").endsWith("answer of m2\n");
    }

    @Test
    void theLiveViewHasNoColourWithNoColor() {
        Result result = cli().tty("o").env("NO_COLOR", "1").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).doesNotContainPattern("\u001b\\[[0-9;]*m").contains("== mock/m1 ==  ")
                .contains("✓ mock/m1");
    }

    @Test
    void flagsThatDoNotGoTogetherAreUsageErrors() {
        Result zero = cli().run("run", "--concurrency", "0", "-m", "mock/m1", "-m", "mock/m2", "hi");
        Result compareJson = cli().run("run", "--compare", "--json", "-m", "mock/m1", "-m", "mock/m2", "hi");
        Result compareSequential = cli().run("run", "--compare", "--sequential", "-m", "mock/m1", "-m", "mock/m2",
                "hi");
        Result bothModes = cli().run("run", "--parallel", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).startsWith("llmo: error: --concurrency must be at least 1, not 0");
        assertThat(compareJson.exitCode()).isEqualTo(2);
        assertThat(compareSequential.exitCode()).isEqualTo(2);
        assertThat(bothModes.exitCode()).isEqualTo(2);
        assertThat(bodies).isEmpty();
    }

    @Test
    void anUnknownModelAmongSeveralIsAConfigErrorBeforeAnythingIsSent() {
        Result result = cli().run("run", "-m", "mock/m1", "-m", "nosuch", "hi");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(bodies).isEmpty();
    }
}
