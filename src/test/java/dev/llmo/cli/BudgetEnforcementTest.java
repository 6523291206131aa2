package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Budgets and windows are enforced before anything is sent: exit 5, the numbers, a logged refusal. */
class BudgetEnforcementTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - name: gpt-4o-mini
                        context_window: 300
                        max_output_tokens: 100
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                      - name: unpriced
                        max_output_tokens: 100
                    """)
            .configYaml("main_llm: mock/gpt-4o-mini\n");

    @Test
    void aRunOverItsMaxCostIsRefusedBeforeSending() throws Exception {
        CliRun.Result result = llmo.run("run", "--max-cost", "0.00001", "hello");

        assertThat(result).failedWith(ExitCode.BUDGET);
        assertThat(result.err()).contains("could cost up to").contains("--max-cost").contains("nothing was sent");
        assertThat(llmo.server().getRequestCount()).isZero();
        // nothing was sent, so nothing was recorded: no conversation for a later -c to continue
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void theDailyBudgetOfConfigIsEnforced() throws Exception {
        llmo.configYaml("main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 0.00001 }\n");

        CliRun.Result result = llmo.run("run", "hello");

        assertThat(result).failedWith(ExitCode.BUDGET).errContains("daily budget");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void anUnknownPriceUnderABudgetIsRefusedWithHowToAddIt() {
        CliRun.Result result = llmo.run("run", "-m", "mock/unpriced", "--max-cost", "1", "hello");

        assertThat(result).failedWith(ExitCode.BUDGET);
        assertThat(result.err()).contains("price of mock/unpriced is unknown").contains("pricing:");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aMessageLargerThanTheWindowIsRefusedWithTheNumbers() {
        CliRun.Result result = llmo.run("run", "word ".repeat(400));

        assertThat(result).failedWith(ExitCode.BUDGET);
        assertThat(result.err()).containsPattern("needs [\\d,]+ tokens").contains("300-token context window");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void underABudgetACutStreamIsCountedAtItsWorstCaseNotForgotten() throws Exception {
        llmo.configYaml("main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 1.00 }\n");
        llmo.server().enqueue(new okhttp3.mockwebserver.MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n")
                .setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.DISCONNECT_AT_END));

        CliRun.Result result = llmo.run("run", "hello");

        assertThat(result).failedWith(ExitCode.FAILURE);
        Event response = llmo.onlyLogEvents().stream().filter(e -> e.type().equals("response")).findFirst()
                .orElseThrow();
        assertThat(response.data().get("complete").asBoolean()).isFalse();
        // no usage came: the 100-token output limit and the input are counted, so the daily total includes it; a
        // prompt this short is held at its size in bytes, but charged at its counted tokens, not at that bound
        long counted = dev.llmo.context.TokenCounters.create().forModel(dev.llmo.config.ProviderType.OPENAI, "mock",
                "gpt-4o-mini").count(null, java.util.List.of(dev.llmo.provider.ChatMessage.user("hello")));
        java.math.BigDecimal worst = dev.llmo.cost.UsageCost.worstCase(new dev.llmo.config.Pricing(
                new java.math.BigDecimal("0.15"), new java.math.BigDecimal("0.60"), null, null, null), counted, 100);
        assertThat(response.data().get("cost_micro_usd").asLong()).isEqualTo(dev.llmo.cost.Usd.toMicro(worst));
    }

    @Test
    void aShortPromptHeldAtItsSizeInBytesThatWouldPassTheBudgetIsCountedAndLetThrough() throws Exception {
        // 4,000 bytes of "word " are 800 tokens: held at 4,000 it would pass a budget its count respects
        llmo.mockProvider("""
                models:
                  - name: gpt-4o-mini
                    context_window: 128000
                    max_output_tokens: 100
                    pricing: { input_per_mtok: 10, output_per_mtok: 10 }
                """);
        llmo.server().enqueue(streamed("ok", 8, 1));

        CliRun.Result result = llmo.run("run", "--max-cost", "0.02", "word ".repeat(800).strip());

        assertThat(result).succeeded().outIs("ok\n");
        CliRun.Result refused = llmo.run("run", "--max-cost", "0.005", "word ".repeat(800).strip());
        assertThat(refused).failedWith(ExitCode.BUDGET);
        assertThat(refused.err()).containsPattern("\\(8\\d\\d input tokens, 100 output tokens max\\)");
    }

    @Test
    void underABudgetARequestSentThatTimesOutCountsAtItsWorstCaseInTheDayAndInCost() throws Exception {
        llmo.configYaml("main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 1.00 }\n");
        // the server has the request, and answers after the deadline: the provider may bill it all the same
        llmo.server().enqueue(streamed("late", 8, 1).setHeadersDelay(3, java.util.concurrent.TimeUnit.SECONDS));

        CliRun.Result result = llmo.run("run", "--timeout", "0.3", "hello");

        assertThat(result).failedWith(ExitCode.FAILURE).errContains("within 300 ms (--timeout)");
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
        Event response = llmo.onlyLogEvents().stream().filter(e -> e.type().equals("response")).findFirst()
                .orElseThrow();
        assertThat(response.data().get("complete").asBoolean()).isFalse();
        assertThat(response.data().get("parts")).isEmpty();
        long counted = response.data().get("cost_micro_usd").asLong();
        assertThat(counted).isPositive();
        assertThat(llmo.onlyLogEvents()).extracting(Event::type).containsSubsequence("request", "response", "error",
                "session.end");
        assertThat(llmo.run("cost")).succeeded().outContains("mock/gpt-4o-mini", dev.llmo.cost.Usd.formatMicro(counted));
    }

    @Test
    void underABudgetARequestThatNeverReachedTheServerCountsNothing() throws Exception {
        llmo.configYaml("main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 1.00 }\n");
        llmo.server().shutdown(); // connection refused: the request never left

        CliRun.Result result = llmo.run("run", "--timeout", "0.3", "hello");

        assertThat(result).failedWith(ExitCode.FAILURE).errContains("cannot connect");
        // nothing left the machine, so nothing counts today
        assertThat(llmo.run("cost")).errContains("no model calls recorded");
    }

    @Test
    void withinBudgetTheCallIsSentAndPriced() throws Exception {
        llmo.server().enqueue(streamed("ok", 8, 1));

        CliRun.Result result = llmo.run("run", "--max-cost", "0.01", "hello");

        assertThat(result).succeeded().outIs("ok\n");
    }

    private void writeClaude(String extra) throws Exception {
        Files.writeString(llmo.dir().resolve("models.yaml"), """
                claude:
                  type: anthropic
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: claude-sonnet-4-5
                      context_window: 200000
                      max_output_tokens: 64000
                      pricing: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
                %s""".formatted(llmo.server().url("/"), extra));
    }

    private void answerAsClaude() {
        llmo.server().enqueue(new okhttp3.mockwebserver.MockResponse().setBody("{\"type\":\"message\",\"content\":[{"
                + "\"type\":\"text\",\"text\":\"Hi.\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":8,"
                + "\"output_tokens\":3}}"));
    }

    private long sentMaxTokens() throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(llmo.server().takeRequest().getBody().readUtf8())
                .get("max_tokens").asLong();
    }

    @Test
    void withoutMaxTokensTheDefaultCapIsBothSentAndReservedNotTheModelsWholeOutputLimit() throws Exception {
        writeClaude("");
        llmo.configYaml("main_llm: claude/claude-sonnet-4-5\nbudget: { per_run_usd: 1.00 }\n");
        answerAsClaude();

        CliRun.Result sent = llmo.run("run", "--no-stream", "hi");

        assertThat(sent).succeeded();
        assertThat(sentMaxTokens()).isEqualTo(8192);
        assertThat(llmo.onlyLogEvents().stream().filter(e -> e.type().equals("request")).findFirst().orElseThrow().data()
                .at("/options/max_tokens").asLong()).isEqualTo(8192);

        // 8,192 tokens at $15 per million is $0.12: a per-run budget of $0.01 still refuses, honestly, at the cap
        llmo.configYaml("main_llm: claude/claude-sonnet-4-5\nbudget: { per_run_usd: 0.01 }\n");
        CliRun.Result refused = llmo.run("run", "--no-stream", "hi");

        assertThat(refused).failedWith(ExitCode.BUDGET);
        assertThat(refused.err()).contains("this request could cost up to $0.12").contains("8,192 output tokens max")
                .contains("-o max_tokens=N");
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);

        // a lower cap passes: for one run, or for the model
        answerAsClaude();
        CliRun.Result lowered = llmo.run("run", "--no-stream", "-o", "max_tokens=500", "hi");
        assertThat(lowered).succeeded();
        assertThat(sentMaxTokens()).isEqualTo(500);

        writeClaude("      default_max_tokens: 500\n");
        answerAsClaude();
        CliRun.Result modelDefault = llmo.run("run", "--no-stream", "hi");
        assertThat(modelDefault).succeeded();
        assertThat(sentMaxTokens()).isEqualTo(500);
    }

    @Test
    void theGlobalDefaultCapIsConfigurableAndNeverAboveTheModelsOutputLimit() throws Exception {
        writeClaude("""
                    - name: claude-small
                      max_output_tokens: 1000
                      pricing: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
                """);
        llmo.configYaml("main_llm: claude/claude-sonnet-4-5\ndefaults: { max_tokens: 300 }\n");
        answerAsClaude();
        answerAsClaude();

        assertThat(llmo.run("run", "--no-stream", "hi")).succeeded();
        assertThat(sentMaxTokens()).isEqualTo(300);
        llmo.configYaml("main_llm: claude/claude-small\n");
        assertThat(llmo.run("run", "--no-stream", "hi")).succeeded();
        assertThat(sentMaxTokens()).isEqualTo(1000);

        llmo.configYaml("defaults: { max_tokens: lots }\n");
        CliRun.Result bad = llmo.run("run", "hi");
        assertThat(bad).failedWith(ExitCode.CONFIG).errContains("max_tokens");
    }
}
