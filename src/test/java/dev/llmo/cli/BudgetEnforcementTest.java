package dev.llmo.cli;

import dev.llmo.OpenAiAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets and windows are enforced before anything is sent: exit 5, the numbers, a logged refusal. */
class BudgetEnforcementTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: gpt-4o-mini
                      context_window: 300
                      max_output_tokens: 100
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    - name: unpriced
                      max_output_tokens: 100
                """.formatted(server.url("/v1")));
        config = dir.resolve("config.yaml");
        Files.writeString(config, "main_llm: mock/gpt-4o-mini\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    private List<Event> onlyLog() throws Exception {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return EventLog.read(files.findFirst().orElseThrow());
        }
    }

    @Test
    void aRunOverItsMaxCostIsRefusedBeforeSending() throws Exception {
        CliRun.Result result = cli().run("run", "--max-cost", "0.00001", "hello");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).contains("could cost up to").contains("--max-cost").contains("nothing was sent");
        assertThat(server.getRequestCount()).isZero();
        // nothing was sent, so nothing was recorded: no conversation for a later -c to continue
        assertThat(home.resolve("llmo/conversations")).doesNotExist();
    }

    @Test
    void theDailyBudgetOfConfigIsEnforced() throws Exception {
        Files.writeString(config, "main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 0.00001 }\n");

        CliRun.Result result = cli().run("run", "hello");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).contains("daily budget");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void anUnknownPriceUnderABudgetIsRefusedWithHowToAddIt() {
        CliRun.Result result = cli().run("run", "-m", "mock/unpriced", "--max-cost", "1", "hello");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).contains("price of mock/unpriced is unknown").contains("pricing:");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aMessageLargerThanTheWindowIsRefusedWithTheNumbers() {
        CliRun.Result result = cli().run("run", "word ".repeat(400));

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).containsPattern("needs [\\d,]+ tokens").contains("300-token context window");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void underABudgetACutStreamIsCountedAtItsWorstCaseNotForgotten() throws Exception {
        Files.writeString(config, "main_llm: mock/gpt-4o-mini\nbudget: { daily_usd: 1.00 }\n");
        server.enqueue(new okhttp3.mockwebserver.MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n")
                .setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.DISCONNECT_AT_END));

        CliRun.Result result = cli().run("run", "hello");

        assertThat(result.exitCode()).isEqualTo(1);
        Event response = onlyLog().stream().filter(e -> e.type().equals("response")).findFirst().orElseThrow();
        assertThat(response.data().get("complete").asBoolean()).isFalse();
        // no usage came: the 100-token output limit and the input are counted, so the daily total includes it
        assertThat(response.data().get("cost_micro_usd").asLong()).isPositive();
    }

    @Test
    void withinBudgetTheCallIsSentAndPriced() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("ok", 8, 1));

        CliRun.Result result = cli().run("run", "--max-cost", "0.01", "hello");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("ok\n");
    }

    private void writeClaude(String extra) throws Exception {
        Files.writeString(home.resolve("llmo/models.yaml"), """
                claude:
                  type: anthropic
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: claude-sonnet-4-5
                      context_window: 200000
                      max_output_tokens: 64000
                      pricing: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
                %s""".formatted(server.url("/"), extra));
    }

    private void answerAsClaude() {
        server.enqueue(new okhttp3.mockwebserver.MockResponse().setBody("{\"type\":\"message\",\"content\":[{"
                + "\"type\":\"text\",\"text\":\"Hi.\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":8,"
                + "\"output_tokens\":3}}"));
    }

    private long sentMaxTokens() throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(server.takeRequest().getBody().readUtf8())
                .get("max_tokens").asLong();
    }

    @Test
    void withoutMaxTokensTheDefaultCapIsBothSentAndReservedNotTheModelsWholeOutputLimit() throws Exception {
        writeClaude("");
        Files.writeString(config, "main_llm: claude/claude-sonnet-4-5\nbudget: { per_run_usd: 1.00 }\n");
        answerAsClaude();

        CliRun.Result sent = cli().run("run", "--no-stream", "hi");

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(sentMaxTokens()).isEqualTo(8192);
        assertThat(onlyLog().stream().filter(e -> e.type().equals("request")).findFirst().orElseThrow().data()
                .at("/options/max_tokens").asLong()).isEqualTo(8192);

        // 8,192 tokens at $15 per million is $0.12: a per-run budget of $0.01 still refuses, honestly, at the cap
        Files.writeString(config, "main_llm: claude/claude-sonnet-4-5\nbudget: { per_run_usd: 0.01 }\n");
        CliRun.Result refused = cli().run("run", "--no-stream", "hi");

        assertThat(refused.exitCode()).isEqualTo(5);
        assertThat(refused.err()).contains("this request could cost up to $0.12").contains("8,192 output tokens max")
                .contains("-o max_tokens=N");
        assertThat(server.getRequestCount()).isEqualTo(1);

        // a lower cap passes: for one run, or for the model
        answerAsClaude();
        CliRun.Result lowered = cli().run("run", "--no-stream", "-o", "max_tokens=500", "hi");
        assertThat(lowered.exitCode()).as(lowered.err()).isZero();
        assertThat(sentMaxTokens()).isEqualTo(500);

        writeClaude("      default_max_tokens: 500\n");
        answerAsClaude();
        CliRun.Result modelDefault = cli().run("run", "--no-stream", "hi");
        assertThat(modelDefault.exitCode()).as(modelDefault.err()).isZero();
        assertThat(sentMaxTokens()).isEqualTo(500);
    }

    @Test
    void theGlobalDefaultCapIsConfigurableAndNeverAboveTheModelsOutputLimit() throws Exception {
        writeClaude("""
                    - name: claude-small
                      max_output_tokens: 1000
                      pricing: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
                """);
        Files.writeString(config, "main_llm: claude/claude-sonnet-4-5\ndefaults: { max_tokens: 300 }\n");
        answerAsClaude();
        answerAsClaude();

        assertThat(cli().run("run", "--no-stream", "hi").exitCode()).isZero();
        assertThat(sentMaxTokens()).isEqualTo(300);
        Files.writeString(config, "main_llm: claude/claude-small\n");
        assertThat(cli().run("run", "--no-stream", "hi").exitCode()).isZero();
        assertThat(sentMaxTokens()).isEqualTo(1000);

        Files.writeString(config, "defaults: { max_tokens: lots }\n");
        CliRun.Result bad = cli().run("run", "hi");
        assertThat(bad.exitCode()).isEqualTo(3);
        assertThat(bad.err()).contains("max_tokens");
    }
}
