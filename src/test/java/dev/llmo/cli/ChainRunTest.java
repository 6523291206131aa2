package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.util.ArrayList;
import java.util.List;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo chain run} against a mock server that answers with what it was asked: the data flow between steps,
 * conditions, loops, fan-out, JSON, the dry run and the event log.
 */
class ChainRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - { name: writer, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                      - { name: critic, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                      - { name: fixer, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                      - { name: failing }
                    """)
            .configYaml("""
                    main_llm: mock/writer
                    chains:
                      broken:
                        - "Draft>/Developer)-mock/writer"
                        - "Critique>/Tester)-mock/failing"
                        - "Fix>/Developer)-mock/fixer"
                      compact:
                        - "Draft>/Developer)-mock/writer"
                        - "Critique>/Tester)-mock/critic"
                      full:
                        description: draft, two reviews, fix until approved
                        steps:
                          - { name: draft, model: mock/writer, prompt: "Write: {{input}}" }
                          - { name: review, parallel: [mock/critic, mock/writer], prompt: "Review: {{draft}}" }
                          - name: skipped
                            model: mock/critic
                            when: "review contains 'never said'"
                          - name: fix
                            model: mock/fixer
                            prompt: "FIXME {{draft}} / {{output}}{{skipped}}"
                            repeat: { until: "output contains 'LGTM'", max: 3 }
                    """);
    private final List<JsonNode> bodies = new ArrayList<>();

    @BeforeEach
    void eachModelSaysWhatItSaw() {
        // Each model answers "<model> saw: <last user message>", so every test can see what flowed where.
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = JSON.readTree(request.getBody().readUtf8());
                    synchronized (bodies) {
                        bodies.add(body);
                    }
                    if (body.get("model").asText().equals("failing")) {
                        return new MockResponse().setResponseCode(400).setBody("{\"error\":{\"message\":\"no\"}}");
                    }
                    JsonNode messages = body.get("messages");
                    String last = messages.get(messages.size() - 1).get("content").asText();
                    String answer = body.get("model").asText() + " saw: " + last;
                    if (last.contains("FIXME") && body.get("model").asText().equals("fixer")) {
                        answer = bodies.stream().filter(b -> b.get("model").asText().equals("fixer")).count() >= 2
                                ? "fixed, LGTM" : "still FIXME";
                    }
                    return OpenAiAnswers.streamed(answer, 10, 5);
                } catch (Exception e) {
                    return new MockResponse().setResponseCode(500);
                }
            }
        });
    }

    @Test
    void compactChainPassesEachAnswerOnWithTheStepNameAsInstructionAndTheRolesSystemPrompt() throws Exception {
        Result result = llmo.run("chain", "run", "compact", "a", "CSV", "parser");

        assertThat(result).succeeded().outIs("critic saw: Critique\n\nwriter saw: Draft\n\na CSV parser\n");
        assertThat(bodies.get(0).at("/messages/0/content").asText()).startsWith("You are a senior software engineer");
        assertThat(bodies.get(1).at("/messages/0/content").asText()).startsWith("You are a meticulous software tester");
        assertThat(bodies.get(1).get("messages")).hasSize(2);
    }

    @Test
    void aChainThatFailsBeforeItsLastStepPrintsTheAnswersItGot() {
        Result result = llmo.run("chain", "run", "broken", "a parser");

        assertThat(result).failedWith(ExitCode.FAILURE).outIs("""
                == Draft mock/writer ==
                writer saw: Draft

                a parser

                == Critique mock/failing ==
                error: mock answered HTTP 400 (bad request): no
                """);
        assertThat(result.err()).startsWith("llmo: error: mock answered HTTP 400 (bad request): no").hasLineCount(1);
        assertThat(bodies).hasSize(2);
    }

    @Test
    void yamlChainWithFanOutConditionAndBoundedLoop() throws Exception {
        Result result = llmo.cli().stdin("a haiku").run("chain", "run", "full", "--json");

        assertThat(result).succeeded();
        List<JsonNode> lines = result.out().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(lines).extracting(l -> l.get("step").asText() + "/" + l.get("model").asText())
                .containsExactly("draft/mock/writer", "review/mock/critic", "review/mock/writer", "fix/mock/fixer",
                        "fix/mock/fixer");
        assertThat(lines.get(4).get("text").asText()).isEqualTo("fixed, LGTM");
        assertThat(lines.get(4).get("iteration").asInt()).isEqualTo(2);
        assertThat(lines).allSatisfy(l -> assertThat(l.get("conversation").asText()).hasSize(26));
        // the fan-out's output is both answers under headers, and the loop saw its own previous output
        JsonNode firstFix = bodies.stream().filter(b -> b.get("model").asText().equals("fixer")).findFirst().orElseThrow();
        assertThat(firstFix.at("/messages/0/content").asText()).isEqualTo("FIXME writer saw: Write: a haiku / "
                + "== mock/critic ==\ncritic saw: Review: writer saw: Write: a haiku\n\n== mock/writer ==\n"
                + "writer saw: Review: writer saw: Write: a haiku");
        assertThat(bodies).noneMatch(b -> b.at("/messages/0/content").asText().contains("never said"));

        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.stream().filter(e -> e.type().equals("chain.step")).map(e -> e.data().get("step").asText()
                + (e.data().get("skipped").asBoolean() ? "-" : "")))
                .containsExactly("draft", "review", "skipped-", "fix", "fix");
        assertThat(events.get(0).data().get("models").toString())
                .isEqualTo("[\"mock/writer\",\"mock/critic\",\"mock/fixer\"]");
    }

    @Test
    void aChainRunReplaysOffline() throws Exception {
        Result run = llmo.run("chain", "run", "full", "a poem");
        assertThat(run).succeeded();
        int sent = llmo.server().getRequestCount();
        String id = llmo.onlyId();

        Result replay = llmo.run("log", "replay", id);

        assertThat(replay).succeeded().errContains("replayed 5 calls");
        assertThat(replay.out()).isEqualTo(run.out()).isEqualTo("fixed, LGTM\n");
        assertThat(llmo.server().getRequestCount()).isEqualTo(sent);
    }

    @Test
    void dryRunPrintsThePlanWithCostsAndSendsNothing() {
        Result result = llmo.run("chain", "run", "full", "--dry-run", "a haiku");

        assertThat(result).succeeded();
        assertThat(result.out()).contains("chain full: 4 steps; sends nothing").contains("4. fix  (up to 3 runs)")
                .contains("mock/critic: ").containsPattern("at most \\$0\\.\\d+");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void dryRunSaysWhatTheBudgetWouldSayToTheRun() throws Exception {
        Result human = llmo.run("chain", "run", "full", "--dry-run", "--max-cost", "0.0005", "a haiku");
        Result json = llmo.run("chain", "run", "full", "--dry-run", "--json", "--max-cost", "0.0005", "a haiku");
        Result within = llmo.run("chain", "run", "full", "--dry-run", "--max-cost", "1", "a haiku");

        assertThat(human).succeeded();
        assertThat(human.out()).containsPattern("\nwould be refused \\(exit 5\\): chain 'full' could cost up to "
                + "\\$0\\.00\\d+, more than the per-run "
                + "budget of \\$0\\.0005 \\(--max-cost\\); raise --max-cost, lower the models' max_output_tokens in "
                + "models.yaml or the steps' repeat max in the chain\n$");
        assertThat(json).succeeded();
        List<String> lines = json.out().lines().toList();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(lines.size() - 1))
                .get("budget_refusal").asText()).startsWith("chain 'full' could cost up to $0.00");
        assertThat(within.out()).doesNotContain("would be refused");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void aStepWhoseModelHasNoKeyStopsTheChainBeforeTheFirstStepIsSent() {
        llmo.configYaml("""
                chains:
                  nokey:
                    steps:
                      - { name: a, model: mock/writer, prompt: "Write: {{input}}" }
                      - { name: b, model: openai/gpt-4o-mini, prompt: "Review: {{a}}" }
                """);

        Result result = llmo.run("chain", "run", "nokey", "a haiku");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).outIsEmpty().errIs("llmo: error: chain 'nokey', step 'b' "
                + "uses openai/gpt-4o-mini, but there is no API key for provider 'openai': OPENAI_API_KEY is not set; "
                + "nothing was sent; run 'llmo vault set OPENAI_API_KEY' or 'export OPENAI_API_KEY=…'\n");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void aChainWhoseWorstCasePassesMaxCostSendsNothingThoughItsFirstStepWouldFit() {
        // draft alone is bounded at about $0.0002; the whole chain, loops at their max, at about $0.0016
        Result result = llmo.run("chain", "run", "full", "--max-cost", "0.0005", "a haiku");

        assertThat(result).failedWith(ExitCode.BUDGET).outIsEmpty()
                .errContains("chain 'full' could cost up to $0.00", "more than the per-run budget of $0.0005 "
                        + "(--max-cost); nothing was sent; raise --max-cost, lower the models' max_output_tokens");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    /** Four steps over three priced models. */
    private static final String FULL_CHAIN = """
            chains:
              full:
                - "Draft>/Developer)-mock/writer"
                - "Critique>/Tester)-mock/critic"
                - "Fix>/Developer)-mock/fixer"
                - "Again>/Tester)-mock/critic"
            """;

    @Test
    void aChainWhoseWorstCasePassesTheConfiguredBudgetsSendsNothing() {
        llmo.configYaml("budget: { per_run_usd: 0.0005 }\n" + FULL_CHAIN);
        assertThat(llmo.run("chain", "run", "full", "a haiku")).failedWith(ExitCode.BUDGET)
                .errContains("per-run budget of $0.0005 (budget.per_run_usd); nothing was sent; "
                        + "raise budget.per_run_usd in config.yaml (or pass --max-cost USD for this run)");
        assertThat(llmo.server().getRequestCount()).isZero();
        // --max-cost replaces budget.per_run_usd, and within it the chain runs
        assertThat(llmo.run("chain", "run", "full", "--max-cost", "0.01", "a haiku")).succeeded();
        int sent = llmo.server().getRequestCount();
        llmo.configYaml("budget: { daily_usd: 0.0005 }\n" + FULL_CHAIN);
        assertThat(llmo.run("chain", "run", "full", "a haiku")).failedWith(ExitCode.BUDGET)
                .errContains("spent today that would pass the daily budget of $0.0005; nothing was sent; "
                        + "raise budget.daily_usd in config.yaml, lower the models' max_output_tokens");
        assertThat(llmo.server().getRequestCount()).isEqualTo(sent);
        // today's budget already spent by the run above: no smaller chain fits, so none is suggested
        llmo.configYaml("budget: { daily_usd: 0.000001 }\n" + FULL_CHAIN);
        Result spent = llmo.run("chain", "run", "full", "a haiku");
        assertThat(spent).failedWith(ExitCode.BUDGET).errContains("; the daily budget of $0.000001 is spent ($",
                " today); nothing was sent; raise budget.daily_usd in config.yaml, or wait until tomorrow\n");
        assertThat(spent.err()).doesNotContain("max_output_tokens", "repeat max");
        assertThat(llmo.server().getRequestCount()).isEqualTo(sent);
    }

    @Test
    void aChainWithAStepOfUnknownPriceIsRefusedUnderABudget() {
        Result result = llmo.run("chain", "run", "broken", "--max-cost", "1", "a parser");

        assertThat(result).failedWith(ExitCode.BUDGET).errContains("the price or answer limit of mock/failing is "
                + "unknown, so the worst case of chain 'broken' cannot be checked against the budget; nothing was sent");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void noInputIsAUsageErrorAndAnUnknownChainIsExit3() {
        assertThat(llmo.run("chain", "run", "full")).failedWith(ExitCode.USAGE);
        assertThat(llmo.run("chain", "run", "ful", "x")).failedWith(ExitCode.CONFIG);
    }
}
