package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo run -T} and {@code llmo chat} with tools: a model (MockWebServer in the OpenAI format) that calls a real command tool (a python3 script
 * that reverses a text and counts its runs), approved or refused by the policy and the flags, within the round limit
 * and the budget, recorded and replayed offline.
 */
class ToolLoopCliTest {
    /** A chain whose first step offers the reverse tool and whose second shouts what it answered. */
    private static final String REV_CHAIN = """
              rev:
                steps:
                  - name: reverse
                    prompt: "Reverse {{input}}"
                    tools: [reverse]
                  - name: shout
                    prompt: "Shout {{reverse}}"
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().mockProvider("""
            models:
              - name: m
                pricing: { input_per_mtok: 1000, output_per_mtok: 1000 }
            """);

    private Path runs;

    @BeforeEach
    void reverseTool() throws Exception {
        runs = llmo.home().resolve("runs.txt");
        Path script = llmo.home().resolve("reverse.py");
        Files.writeString(script, """
                import json, sys
                args = json.load(sys.stdin)
                with open(%s, "a") as runs:
                    runs.write("ran\\n")
                print(args["text"][::-1], end="")
                """.formatted(JSON.writeValueAsString(runs.toString())));
        config("");
    }

    private void config(String extra) {
        llmo.configYaml("""
                main_llm: mock/m
                tools:
                  reverse:
                    description: Reverses a text
                    command: [python3, %s]
                    schema: { type: object, properties: { text: { type: string } }, required: [text] }
                %s""".formatted(llmo.home().resolve("reverse.py"), extra));
    }

    private int toolRuns() throws Exception {
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    private List<String> bodies() throws Exception {
        List<String> bodies = new ArrayList<>();
        RecordedRequest request;
        while ((request = llmo.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            bodies.add(request.getBody().readUtf8());
        }
        return bodies;
    }

    private void modelCallsReverse(String text) {
        llmo.server().enqueue(OpenAiAnswers.toolCalls("call_1", "reverse", "{\"text\":\"" + text + "\"}"));
    }

    @Test
    void withoutATerminalAToolThePolicyWouldAskAboutIsRefusedAndTheModelIsTold() throws Exception {
        modelCallsReverse("abc");
        llmo.server().enqueue(OpenAiAnswers.streamed("I could not run it."));

        CliRun.Result result = llmo.run("run", "-T", "reverse", "Reverse abc");

        assertThat(result).succeeded().outIs("I could not run it.\n")
                .errContains("refused reverse", "--approve reverse");
        assertThat(toolRuns()).isZero();
        List<String> bodies = bodies();
        assertThat(bodies.get(0)).contains("\"name\":\"reverse\"").contains("Reverses a text");
        // no person was asked: the model is told what refused, not that the user did
        assertThat(bodies.get(1)).contains("this call of reverse is not allowed (decided by ").doesNotContain("the user");
    }

    /**
     * On a terminal stderr a run with tools waits behind the spinner as any run does; what is said about a tool call
     * there (here a refusal: stdin is not a terminal, so nobody can be asked) comes after the spinner's line is erased.
     */
    @Test
    void onATerminalARunWithToolsWaitsBehindTheSpinnerErasedBeforeWhatIsSaidOfTheToolCall() throws Exception {
        llmo.server().enqueue(OpenAiAnswers.toolCalls("call_1", "reverse", "{\"text\":\"abc\"}")
                .setHeadersDelay(400, java.util.concurrent.TimeUnit.MILLISECONDS));
        llmo.server().enqueue(OpenAiAnswers.streamed("I could not run it."));

        CliRun.Result result = llmo.cli().tty("e").run("run", "-T", "reverse", "Reverse abc");

        assertThat(result).succeeded().outIs("I could not run it.\n");
        String err = result.err();
        assertThat(err).startsWith("\r⠋ waiting for mock/m  ");
        int refused = err.indexOf("llmo: refused reverse");
        assertThat(refused).isPositive();
        assertThat(err.substring(0, refused)).endsWith("\r\u001b[K");
        assertThat(err.substring(refused)).doesNotContain("waiting for");
        assertThat(toolRuns()).isZero();
    }

    @Test
    void approvedTheToolRunsAndItsResultGoesBackInTheNextRound() throws Exception {
        modelCallsReverse("abc");
        llmo.server().enqueue(OpenAiAnswers.streamed("It is cba."));

        CliRun.Result result = llmo.run("run", "--json", "-T", "reverse", "--approve", "reverse", "Reverse abc");

        assertThat(result).succeeded();
        assertThat(toolRuns()).isEqualTo(1);
        assertThat(bodies().get(1)).contains("cba").contains("call_1");
        JsonNode line = JSON.readTree(result.out());
        assertThat(line.path("text").asText()).isEqualTo("It is cba.");
        assertThat(line.path("tool_calls").get(0).path("name").asText()).isEqualTo("reverse");
        assertThat(line.path("tool_results").get(0).path("content").asText()).isEqualTo("cba");
        assertThat(line.path("tool_rounds").asInt()).isEqualTo(1);
        assertThat(line.path("usage").path("input_tokens").asInt()).isEqualTo(6);

        CliRun.Result replay = llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId());
        assertThat(replay).succeeded().outContains("It is cba.");
        assertThat(toolRuns()).as("a replay runs no tool").isEqualTo(1);
        assertThat(llmo.run("log", "show", llmo.onlyId())).succeeded()
                .outContains("reverse call_1: allowed by --approve reverse", "── tool reverse");
    }

    /** A first round that thinks, says something and calls reverse; a last one that thinks and answers. */
    private void twoRoundsWithTextAndReasoning() {
        llmo.server().enqueue(OpenAiAnswers.events(
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"need tool\"}}]}",
                OpenAiAnswers.delta("\"let me check\""),
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"reverse\",\"arguments\":"
                        + "\"{\\\"text\\\":\\\"abc\\\"}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"));
        llmo.server().enqueue(OpenAiAnswers.events(
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"final\"}}]}",
                OpenAiAnswers.delta("\"done\""), OpenAiAnswers.STOP,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"));
    }

    @Test
    void theRoundsTextAndReasoningAreJoinedLineByLineOnEveryPathAsStdoutShowsThem() throws Exception {
        twoRoundsWithTextAndReasoning();
        assertThat(llmo.run("run", "-T", "reverse", "--yolo", "Reverse abc")).succeeded()
                .outIs("let me check\ndone\n");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).succeeded()
                .outIs("let me check\ndone\n");

        twoRoundsWithTextAndReasoning();
        CliRun.Result json = llmo.run("run", "--json", "-T", "reverse", "--yolo", "Reverse abc");

        assertThat(json).succeeded();
        JsonNode line = JSON.readTree(json.out());
        assertThat(line.path("text").asText()).isEqualTo("let me check\ndone");
        assertThat(line.path("reasoning").asText()).isEqualTo("need tool\nfinal");
        assertThat(toolRuns()).isEqualTo(2);
    }

    @Test
    void aFanOutPrintsEachModelsRoundsLineByLine() throws Exception {
        twoRoundsWithTextAndReasoning();
        twoRoundsWithTextAndReasoning();

        // one slot: the first model's loop ends before the second's starts, so the answers come in this order
        CliRun.Result result = llmo.run("run", "-m", "mock/m", "-m", "mock/m", "--concurrency", "1", "-T", "reverse",
                "--yolo", "Reverse abc");

        assertThat(result).succeeded();
        assertThat(result.out()).doesNotContain("checkdone");
        assertThat(result.out().split("let me check\ndone\n", -1)).hasSize(3);
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).as("its replay")
                .succeeded().outIs(result.out());
    }

    @Test
    void aChainStepWithToolRoundsPassesOnItsTextLineByLine() throws Exception {
        config("chains:\n" + REV_CHAIN + """
                  solo:
                    steps:
                      - name: reverse
                        prompt: "Reverse {{input}}"
                        tools: [reverse]
                """);
        twoRoundsWithTextAndReasoning();
        assertThat(llmo.run("chain", "run", "solo", "--yolo", "abc")).as("a streamed last step")
                .succeeded().outIs("let me check\ndone\n");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).as("its replay")
                .succeeded().outIs("let me check\ndone\n");
        bodies();

        twoRoundsWithTextAndReasoning();
        llmo.server().enqueue(OpenAiAnswers.streamed("DONE!"));

        CliRun.Result result = llmo.run("chain", "run", "rev", "--json", "--yolo", "abc");

        assertThat(result).succeeded();
        JsonNode first = JSON.readTree(result.out().lines().findFirst().orElseThrow());
        assertThat(first.path("text").asText()).isEqualTo("let me check\ndone");
        assertThat(first.path("reasoning").asText()).isEqualTo("need tool\nfinal");
        assertThat(bodies().get(2)).contains("Shout let me check\\ndone");
    }

    @Test
    void aToolWhoseSchemaChangedSinceIsNamedOnReplayAndWhenContinued() throws Exception {
        modelCallsReverse("abc");
        llmo.server().enqueue(OpenAiAnswers.streamed("It is cba."));
        assertThat(llmo.run("run", "-T", "reverse", "--yolo", "Reverse abc")).succeeded();
        llmo.configYaml("""
                main_llm: mock/m
                tools:
                  reverse:
                    description: Reverses a text
                    command: [python3, %s]
                    schema: { type: object, properties: { text: { type: string }, times: { type: integer } } }
                """.formatted(llmo.home().resolve("reverse.py")));

        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).succeeded()
                .errContains("tool reverse has changed since this conversation used it");
        llmo.server().enqueue(OpenAiAnswers.streamed("Again."));
        assertThat(llmo.run("run", "-c", "-T", "reverse", "Once more")).succeeded()
                .errContains("tool reverse has changed since this conversation used it");
    }

    @Test
    void aDenyRuleHoldsEvenWithYolo() throws Exception {
        config("""
                tool_policy:
                  - { tool: "rev*", args_match: "secret", decision: deny }
                """);
        modelCallsReverse("my secret");
        llmo.server().enqueue(OpenAiAnswers.streamed("Denied."));

        CliRun.Result result = llmo.run("run", "-T", "reverse", "--yolo", "Reverse my secret");

        assertThat(result).succeeded().outIs("Denied.\n").errContains("--yolo");
        assertThat(toolRuns()).isZero();
        assertThat(bodies().get(1)).contains("tool_policy rule 1");
    }

    @Test
    void aModelThatKeepsCallingToolsStopsAtTheRoundLimit() throws Exception {
        modelCallsReverse("a");
        modelCallsReverse("b");

        CliRun.Result result = llmo.run("run", "-T", "reverse", "--yolo", "--max-tool-rounds", "1", "Go");

        assertThat(result).failedWith(ExitCode.FAILURE).errContains("after 1 round of tool calls",
                "--max-tool-rounds");
        assertThat(toolRuns()).isEqualTo(1);
    }

    @Test
    void theBudgetHoldsAcrossRounds() throws Exception {
        String text = "lorem ipsum dolor sit amet ".repeat(40);
        modelCallsReverse(text);
        llmo.server().enqueue(OpenAiAnswers.streamed("Done."));

        // $1,000 per million tokens: the first round's worst case (its input and 10 answer tokens) fits in $0.20;
        // the second's, which also carries the long arguments and the long result, does not
        CliRun.Result result = llmo.run("run", "-T", "reverse", "--yolo", "-o", "max_tokens=10", "--max-cost",
                "0.20", "Reverse it");

        assertThat(result).failedWith(ExitCode.BUDGET);
        assertThat(toolRuns()).isEqualTo(1);
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void theUsageLineCountsTheRequestsSentNotARoundTheBudgetRefused() throws Exception {
        modelCallsReverse("abc");
        modelCallsReverse("lorem ipsum dolor sit amet ".repeat(40));

        // the third round carries the long arguments and their long result: its worst case passes $0.20
        CliRun.Result result = llmo.run("run", "-u", "-T", "reverse", "--yolo", "-o", "max_tokens=10",
                "--max-cost", "0.20", "Reverse it");

        assertThat(result).failedWith(ExitCode.BUDGET).errContains("$0.01 for 2 requests (2 rounds of tool calls)");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
        assertThat(toolRuns()).isEqualTo(2);
    }

    @Test
    void aDryRunCountsTheToolsDeclarations() throws Exception {
        long without = JSON.readTree(llmo.run("run", "--dry-run", "--json", "Reverse abc").out())
                .path("input_tokens").asLong();
        long with = JSON.readTree(llmo.run("run", "--dry-run", "--json", "-T", "reverse", "Reverse abc").out())
                .path("input_tokens").asLong();

        assertThat(with).isGreaterThan(without + 10);
        assertThat(toolRuns()).isZero();
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    /** Each round of tool calls is a request more, resending the rounds before it: the worst case counts them all. */
    @Test
    void aDryRunsWorstCaseCountsEveryRoundOfToolCalls() throws Exception {
        var plain = JSON.readTree(llmo.run("run", "--dry-run", "--json", "Reverse abc").out());
        var tools = JSON.readTree(llmo.run("run", "--dry-run", "--json", "-T", "reverse", "--max-tool-rounds", "2",
                "Reverse abc").out());
        CliRun.Result human = llmo.run("run", "--dry-run", "-T", "reverse", "--max-tool-rounds", "2", "Reverse abc");

        assertThat(plain.has("requests")).isFalse();
        assertThat(tools.path("requests").asInt()).isEqualTo(3);
        assertThat(tools.path("estimated_cost_usd").decimalValue())
                .isGreaterThan(plain.path("estimated_cost_usd").decimalValue().multiply(java.math.BigDecimal.valueOf(3)));
        assertThat(human.out()).contains(" for the first request\n", "  with tools: up to 3 requests (2 rounds of tool "
                + "calls, --max-tool-rounds), each resending the rounds before it: at most $");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aChatOffersTheToolsSlashToolsAdds() throws Exception {
        modelCallsReverse("abc");
        llmo.server().enqueue(OpenAiAnswers.streamed("It is cba."));
        llmo.server().enqueue(OpenAiAnswers.streamed("No tools now."));

        CliRun.Result result = llmo.cli().stdin("/tools\n/tools add reverse\nReverse abc\n/tools last\n"
                + "/tools rm rev*\n/tools\nAgain\n").run("chat", "--approve", "reverse");

        assertThat(result).succeeded();
        String shown = result.out() + result.err();
        assertThat(shown).contains("No tools are offered", "offering reverse", "no longer offering reverse",
                "reverse (call_1)\n  arguments: {\"text\":\"abc\"}\n  result: cba");
        assertThat(result.out()).contains("It is cba.", "No tools now.");
        assertThat(toolRuns()).isEqualTo(1);
        List<String> bodies = bodies();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0)).contains("\"tools\"");
        assertThat(bodies.get(1)).contains("cba");
        assertThat(bodies.get(2)).doesNotContain("\"tools\"");
    }

    @Test
    void aChainStepOffersTheToolsItsToolsKeyNames() throws Exception {
        config("chains:\n" + REV_CHAIN);
        modelCallsReverse("abc");
        llmo.server().enqueue(OpenAiAnswers.streamed("cba"));
        llmo.server().enqueue(OpenAiAnswers.streamed("CBA!"));

        CliRun.Result result = llmo.run("chain", "run", "rev", "--approve", "reverse", "abc");

        assertThat(result).succeeded().outIs("CBA!\n");
        assertThat(toolRuns()).isEqualTo(1);
        List<String> bodies = bodies();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0)).contains("\"tools\"");
        assertThat(bodies.get(1)).contains("cba").contains("call_1");
        assertThat(bodies.get(2)).as("the second step names no tools").doesNotContain("\"tools\"");
    }

    @Test
    void aChainsWorstCaseCountsAToolStepsDeclarationsAndEveryRound() throws Exception {
        config("""
                chains:
                  plain:
                    steps:
                      - name: reverse
                        prompt: "Reverse {{input}}"
                """ + REV_CHAIN);
        JsonNode plain = JSON.readTree(llmo.run("chain", "run", "plain", "--dry-run", "--json", "abc").out());
        CliRun.Result dry = llmo.run("chain", "run", "rev", "--dry-run", "--json", "abc");
        JsonNode tools = JSON.readTree(dry.out().lines().findFirst().orElseThrow());

        assertThat(tools.path("input_tokens").asLong()).as("the tool's declaration is sent")
                .isGreaterThan(plain.path("input_tokens").asLong() + 10);
        assertThat(tools.path("requests").asInt()).isEqualTo(11);
        assertThat(plain.path("requests").asInt()).isEqualTo(1);
        assertThat(tools.path("estimated_cost_usd").decimalValue())
                .isGreaterThan(plain.path("estimated_cost_usd").decimalValue().multiply(java.math.BigDecimal.TEN));
        assertThat(llmo.run("chain", "run", "rev", "--dry-run", "--max-tool-rounds", "2", "abc")).succeeded()
                .outContains("1. reverse  (tools: up to 3 requests per run, 2 rounds of tool calls)",
                        "tool steps through every round, tool results not counted");

        // what one request of each step costs passes; the rounds a looping tool step may take do not
        String maxCost = plain.path("estimated_cost_usd").decimalValue().multiply(java.math.BigDecimal.valueOf(4))
                .toPlainString();
        assertThat(llmo.run("chain", "run", "rev", "--yolo", "--max-cost", maxCost, "abc"))
                .failedWith(ExitCode.BUDGET).errContains("chain 'rev' could cost up to", "nothing was sent",
                        "--max-tool-rounds N");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(toolRuns()).isZero();
    }

    @Test
    void toolFlagsThatCannotMeanAnythingAreUsageErrorsBeforeAnythingIsSent() throws Exception {
        assertThat(llmo.run("run", "--yolo", "hi")).failedWith(ExitCode.USAGE)
                .errContains("--yolo is given but no tool is offered", "-T TOOL");
        assertThat(llmo.run("run", "--approve", "reverse", "hi")).failedWith(ExitCode.USAGE)
                .errContains("--approve is given but no tool is offered");
        assertThat(llmo.run("run", "-T", "reverse", "--max-tool-rounds", "0", "hi")).failedWith(ExitCode.USAGE)
                .errContains("--max-tool-rounds must be at least 1");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(toolRuns()).isZero();
    }

    @Test
    void aChatToolsCommandItDoesNotKnowSaysWhatItTakes() {
        CliRun.Result result = llmo.cli().stdin("/tools show\n/tools add\n").run("chat");

        assertThat(result.out() + result.err()).contains("unknown /tools action 'show'",
                "/tools add TOOL, /tools rm TOOL or /tools last", "missing argument: /tools add TOOL");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void anUnknownToolIsAUsageErrorBeforeAnythingIsSent() {
        CliRun.Result result = llmo.run("run", "-T", "revers", "hi");

        assertThat(result).failedWith(ExitCode.USAGE).errContains("reverse");
        assertThat(llmo.server().getRequestCount()).isZero();
    }
}
