package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo run} with several models, in process: the piped sections, JSON per model, the pipeline, partial
 * failures and their exit codes, the live view and {@code --compare}, and what {@code -c} does afterwards. The mock
 * server answers each model by its name: {@code answer of MODEL}; model {@code bad} gets HTTP 429, {@code cut} a stream
 * cut after "partial answer", {@code long} an answer cut at its token limit.
 */
class RunMultiModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .modelsYaml("""
                    mock:
                      type: openai
                      base_url: {server}
                      api_key_name: MOCK_API_KEY
                      models:
                        - name: m1
                          pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                        - name: m2
                          pricing: { input_per_mtok: 1.00, output_per_mtok: 2.00 }
                        - name: m3
                        - name: bad
                        - name: cut
                        - name: long
                        - name: echo1
                        - name: echo2
                        - name: echo3
                    pasted:
                      type: anthropic
                      base_url: {server}
                      api_key_name: PASTED_API_KEY
                      default_model: x
                    locked:
                      type: openai
                      base_url: {server}
                      api_key_name: LOCKED_API_KEY
                      default_model: x
                    """)
            .configYaml("main_llm: mock/m1\n");
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    /** When set, every request waits until this many are in flight. */
    private volatile CountDownLatch together;

    @BeforeEach
    void answerEachModelByItsName() {
        llmo.server().setDispatcher(new Dispatcher() {
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
                if (model.equals("cut")) {
                    return OpenAiAnswers.sse("data: " + OpenAiAnswers.delta("\"partial \"") + "\n\ndata: "
                            + OpenAiAnswers.delta("\"answer\"") + "\n\n"); // no finish_reason, no [DONE]
                }
                if (model.equals("long")) {
                    return OpenAiAnswers.events(OpenAiAnswers.delta("\"cut her\""),
                            OpenAiAnswers.STOP.replace("\"stop\"", "\"length\""));
                }
                JsonNode messages = body.get("messages");
                String input = messages.get(messages.size() - 1).get("content").asText();
                return answer(model.startsWith("echo") ? model + "(" + input + ")" : "answer of " + model);
            }
        });
    }

    private static MockResponse answer(String text) {
        return OpenAiAnswers.streamed(text, 10, 4);
    }

    @Test
    void pipedEachAnswerIsUnderItsModelsHeaderInTheGivenOrder() {
        together = new CountDownLatch(3); // all three in flight at once, or no answer at all

        Result result = llmo.run("run", "-m", "mock/m3", "-m", "mock/m1", "-m", "mock/m2", "Say hi");

        assertThat(result).succeeded();
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
        Result result = llmo.run("run", "--parallel", "-m", "mock/m1", "-m", "mock/m1", "hi");

        assertThat(result).succeeded();
        assertThat(result.out()).contains("== mock/m1 ==\n").contains("== mock/m1 #2 ==\n");
        assertThat(bodies).hasSize(2);
    }

    @Test
    void jsonIsOneObjectPerModelInPlanOrderWithTheConversation() throws Exception {
        Result result = llmo.run("run", "--json", "-m", "mock/m2", "-m", "mock/m1", "hi");

        assertThat(result).succeeded();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(first.get("model").asText()).isEqualTo("mock/m2");
        assertThat(first.get("text").asText()).isEqualTo("answer of m2");
        assertThat(second.get("model").asText()).isEqualTo("mock/m1");
        // 10 × 0.15 + 4 × 0.60 = 3.9 micro-USD
        assertThat(lines.get(1)).contains("\"cost_usd\":0.0000039,");
        String id = llmo.onlyId();
        assertThat(first.get("conversation").asText()).isEqualTo(id);
        assertThat(second.get("conversation").asText()).isEqualTo(id);
        assertThat(first.get("error").isNull()).isTrue();
    }

    @Test
    void partialFailureShowsTheErrorInItsSectionAndExits1() {
        Result result = llmo.run("run", "-m", "mock/m1", "-m", "mock/bad", "-m", "mock/m2", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
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
        Result result = llmo.run("run", "--json", "-m", "mock/bad", "-m", "mock/m1", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
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
        Result keyFirst = llmo.run("run", "-m", "locked", "-m", "mock/bad", "-m", "mock/m1", "hi");
        Result callFirst = llmo.run("run", "-m", "mock/bad", "-m", "locked", "-m", "mock/m1", "hi");

        assertThat(keyFirst).failedWith(ExitCode.CREDENTIALS);
        assertThat(keyFirst.err()).startsWith("llmo: error: 2 of 3 models failed: locked/x: no API key for provider "
                + "'locked': LOCKED_API_KEY is not set; mock/bad: mock answered HTTP 429");
        assertThat(callFirst).failedWith(ExitCode.FAILURE);
        assertThat(callFirst.out()).contains("== mock/m1 ==\nanswer of m1\n");
    }

    @Test
    void aKeyNoHeaderCanCarryFailsItsModelAloneWithoutShowingTheKey() {
        Result result = llmo.cli().env("PASTED_API_KEY", "sk-ant-pasted-secret\u2026")
                .run("run", "-m", "pasted", "-m", "mock/m1", "hi");

        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.out()).contains("== mock/m1 ==\nanswer of m1\n");
        assertThat(result.err()).contains("pasted/x: PASTED_API_KEY has a character an HTTP header cannot carry "
                + "(U+2026 at position 21: a pasted '\u2026'?)").doesNotContain("sk-ant-pasted");
    }

    @Test
    void usageLinesPerModelAndATotalOnStderr() {
        Result result = llmo.run("run", "-u", "-m", "mock/m1", "-m", "mock/m3", "hi");

        assertThat(result).succeeded();
        List<String> lines = result.err().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("mock/m1: 10 in, 4 out tokens, $0.0000039, ");
        assertThat(lines.get(1)).startsWith("mock/m3: 10 in, 4 out tokens, cost unknown, ");
        assertThat(lines.get(2)).startsWith("total: 2 models, $0.0000039 (+ 1 unknown), ").endsWith(" wall");
    }

    @Test
    void sequentialPassesEachAnswerOnAndPrintsTheLast() {
        Result result = llmo.run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/echo2", "-m", "mock/echo3",
                "start");

        assertThat(result).succeeded();
        assertThat(result.out()).isEqualTo("echo3(echo2(echo1(start)))\n");
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(1).get("messages").toString()).isEqualTo(
                "[{\"role\":\"user\",\"content\":\"echo1(start)\"}]");
        assertThat(bodies.get(2).get("messages").toString()).contains("echo2(echo1(start))");
    }

    @Test
    void sequentialJsonShowsEveryStep() throws Exception {
        Result result = llmo.run("run", "--sequential", "--json", "-m", "mock/echo1", "-m", "mock/echo2", "go");

        assertThat(result).succeeded();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("text").asText()).isEqualTo("echo1(go)");
        assertThat(JSON.readTree(lines.get(1)).get("text").asText()).isEqualTo("echo2(echo1(go))");
        assertThat(JSON.readTree(lines.get(1)).get("model").asText()).isEqualTo("mock/echo2");
    }

    @Test
    void aFailedStepStopsThePipelineWithItsExitCode() {
        Result result = llmo.run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/bad", "-m", "mock/echo2",
                "go");

        // the answers that came before the failure are not lost: each step that ran under its header
        assertThat(result).failedWith(ExitCode.FAILURE).outIs("""
                == mock/echo1 ==
                echo1(go)

                == mock/bad ==
                error: mock answered HTTP 429 (rate limited): slow down
                """);
        assertThat(result.err()).startsWith("llmo: error: step 2 of 3 (mock/bad) failed: mock answered HTTP 429 "
                + "(rate limited): slow down; step 3 was not run").hasLineCount(1);
        assertThat(bodies).hasSize(2);
    }

    @Test
    void aStepCutMidStreamKeepsWhatArrivedInTextAndJson() throws Exception {
        Result text = llmo.run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/cut", "-m", "mock/echo2", "go");
        Result json = llmo.run("run", "--sequential", "--json", "-m", "mock/echo1", "-m", "mock/cut", "go");
        Result parallel = llmo.run("run", "--json", "-m", "mock/cut", "-m", "mock/m1", "go");

        assertThat(text).failedWith(ExitCode.FAILURE).outIs("""
                == mock/echo1 ==
                echo1(go)

                == mock/cut ==
                partial answer
                error: the answer from mock ended before it was complete (the stream was cut)
                """);
        List<String> steps = json.out().lines().toList();
        assertThat(json).failedWith(ExitCode.FAILURE);
        assertThat(JSON.readTree(steps.get(0)).get("text").asText()).isEqualTo("echo1(go)");
        assertThat(JSON.readTree(steps.get(1)).get("text").asText()).isEqualTo("partial answer");
        assertThat(JSON.readTree(steps.get(1)).get("error").get("kind").asText()).isEqualTo("incomplete");
        assertThat(parallel).failedWith(ExitCode.FAILURE);
        assertThat(JSON.readTree(parallel.out().lines().findFirst().orElseThrow()).get("text").asText())
                .isEqualTo("partial answer");
    }

    @Test
    void aModelCutAtItsTokenLimitIsNotedUnderItsName() {
        Result parallel = llmo.run("run", "-m", "mock/m1", "-m", "mock/long", "hi");
        Result sequential = llmo.run("run", "--sequential", "-m", "mock/long", "-m", "mock/m1", "hi");

        assertThat(parallel).succeeded().errContains("llmo: mock/long: note: the answer was cut at the output token "
                + "limit; raise it with -o max_tokens=N");
        assertThat(sequential).succeeded().outIs("answer of m1\n").errContains("llmo: step 1/2 mock/long: note: the "
                + "answer was cut at the output token limit");
    }

    @Test
    void aParallelRunIsOneVerifiableConversationWithEveryCall() throws Exception {
        assertThat(llmo.run("run", "-m", "mock/m1", "-m", "mock/bad", "-m", "mock/m2", "hi"))
                .failedWith(ExitCode.FAILURE);

        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.get(0).data().get("command").asText()).isEqualTo("run --parallel");
        assertThat(events.get(0).data().get("models").toString()).isEqualTo("[\"mock/m1\",\"mock/bad\",\"mock/m2\"]");
        assertThat(events.stream().filter(e -> e.type().equals("request"))).hasSize(3)
                .allSatisfy(e -> assertThat(e.data().get("context").toString()).isEqualTo("[[1,1]]"));
        assertThat(events.stream().filter(e -> e.type().equals("response"))).hasSize(2);
        assertThat(events.stream().filter(e -> e.type().equals("error"))).hasSize(1);
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("failed");
    }

    @Test
    void continueAfterAParallelRunIsRefusedAndSendsNothing() throws Exception {
        assertThat(llmo.run("run", "-m", "mock/m1", "-m", "mock/m2", "hi")).succeeded();
        long before = Files.size(llmo.onlyLog());
        String id = llmo.onlyId();

        Result last = llmo.run("run", "-c", "and then?");
        Result byId = llmo.run("run", "--cid", id.substring(0, 10), "-m", "mock/m1", "and then?");

        assertThat(last).failedWith(ExitCode.USAGE);
        assertThat(last.err()).isEqualTo("llmo: error: conversation " + id + " ended with a parallel run of 2 models: "
                + "there is no one answer to continue from; start a new conversation, or see the "
                + "answers with 'llmo log show " + id + "' and quote the one to build on\n");
        assertThat(byId).failedWith(ExitCode.USAGE);
        Result chat = llmo.cli().stdin("and then?\n").run("chat", "--continue");
        assertThat(chat).as("chat refuses it too").failedWith(ExitCode.USAGE)
                .errContains("there is no one answer to continue from");
        assertThat(bodies).hasSize(2);
        assertThat(Files.size(llmo.onlyLog())).as("nothing appended").isEqualTo(before);
    }

    @Test
    void continueAfterAPipelineSendsItsTranscript() throws Exception {
        assertThat(llmo.run("run", "--sequential", "-m", "mock/echo1", "-m", "mock/echo2", "go")).succeeded();

        Result next = llmo.run("run", "-c", "-m", "mock/m1", "shorter");

        assertThat(next).succeeded();
        assertThat(next.out()).isEqualTo("answer of m1\n");
        assertThat(bodies.get(2).get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"content\":\"echo1(go)\"},{\"role\":\"user\",\"content\":\"echo1(go)\"},"
                + "{\"role\":\"assistant\",\"content\":\"echo2(echo1(go))\"},{\"role\":\"user\",\"content\":"
                + "\"shorter\"}]");
        assertThat(ChainVerifier.verify(llmo.onlyLog()).ok()).isTrue();
    }

    @Test
    void aParallelRunMayContinueASingleModelConversation() {
        assertThat(llmo.run("run", "first")).succeeded();

        Result result = llmo.run("run", "-c", "-m", "mock/m2", "-m", "mock/m3", "second");

        assertThat(result).succeeded();
        assertThat(bodies.get(1).get("messages").toString()).isEqualTo(bodies.get(2).get("messages").toString())
                .contains("answer of m1").endsWith("{\"role\":\"user\",\"content\":\"second\"}]");
    }

    @Test
    void compareShowsEachAnswerWithItsStatsAndATable() {
        Result result = llmo.run("run", "--compare", "-m", "mock/m1", "-m", "mock/m2", "-m", "mock/bad", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
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
        Result result = llmo.cli().tty("o").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(result).succeeded();
        assertThat(result.out()).contains("\u001b[2K") // lines cleared and redrawn
                .contains("\u001b[2F\u001b[J") // the view erased before the answers
                .contains("\u001b[1m== mock/m1 ==\u001b[0m  ") // coloured headers: stdout is a terminal
                .contains("\u001b[32m✓\u001b[0m mock/m1");
        String afterView = result.out().substring(result.out().lastIndexOf("\u001b[J") + 3);
        assertThat(afterView.replaceAll("\u001b\\[[0-9;]*m", "")).startsWith("== mock/m1 ==  4 tokens · 12 chars · ")
                .contains("\nanswer of m1\n\n== mock/m2 ==  4 tokens").endsWith("answer of m2\n");
    }

    @Test
    void theLiveViewsLinesFitTheWidthTheTerminalSaysWithoutColumnsExported() {
        // bash and zsh do not export COLUMNS: the terminal is asked; a longer line would wrap and spoil each redraw
        Result narrow = llmo.cli().tty("o").env("NO_COLOR", "1").terminalColumns(60)
                .run("run", "-m", "mock/m1", "-m", "mock/bad", "hi");
        Result wide = llmo.cli().tty("o").env("NO_COLOR", "1").terminalColumns(120)
                .run("run", "-m", "mock/m1", "-m", "mock/bad", "hi");

        List<String> narrowLines = viewLines(narrow.out());
        assertThat(narrowLines).anyMatch(line -> line.startsWith("✗ mock/bad"))
                .allSatisfy(line -> assertThat(line.length()).isLessThan(60));
        // the failed model's line (its error is long) is cut at 60 columns, not at 80
        assertThat(narrowLines.stream().filter(line -> line.startsWith("✗")).findFirst().orElseThrow())
                .hasSize(59).endsWith("…");
        assertThat(viewLines(wide.out()).stream().filter(line -> line.startsWith("✗")).findFirst().orElseThrow())
                .endsWith("slow down");
    }

    /** The lines the live view drew: each starts by clearing its screen line. */
    private static List<String> viewLines(String out) {
        return java.util.Arrays.stream(out.split("\u001b\\[2K")).skip(1)
                .map(part -> part.lines().findFirst().orElse("")).toList();
    }

    @Test
    void theLiveViewHasNoColourWithNoColor() {
        Result result = llmo.cli().tty("o").env("NO_COLOR", "1").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(result).succeeded();
        assertThat(result.out()).doesNotContainPattern("\u001b\\[[0-9;]*m").contains("== mock/m1 ==  ")
                .contains("✓ mock/m1");
    }

    @Test
    void flagsThatDoNotGoTogetherAreUsageErrors() {
        Result zero = llmo.run("run", "--concurrency", "0", "-m", "mock/m1", "-m", "mock/m2", "hi");
        Result compareJson = llmo.run("run", "--compare", "--json", "-m", "mock/m1", "-m", "mock/m2", "hi");
        Result compareSequential = llmo.run("run", "--compare", "--sequential", "-m", "mock/m1", "-m", "mock/m2",
                "hi");
        Result bothModes = llmo.run("run", "--parallel", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(zero).failedWith(ExitCode.USAGE);
        assertThat(zero.err()).startsWith("llmo: error: --concurrency must be at least 1, not 0");
        assertThat(compareJson).failedWith(ExitCode.USAGE);
        assertThat(compareSequential).failedWith(ExitCode.USAGE);
        assertThat(bothModes).failedWith(ExitCode.USAGE);
        assertThat(bodies).isEmpty();
    }

    @Test
    void anUnknownModelAmongSeveralIsAConfigErrorBeforeAnythingIsSent() {
        Result result = llmo.run("run", "-m", "mock/m1", "-m", "nosuch", "hi");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(bodies).isEmpty();
    }
}
