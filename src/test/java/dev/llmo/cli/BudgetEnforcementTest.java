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
}
