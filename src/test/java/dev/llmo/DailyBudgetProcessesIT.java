package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily budget holds across real processes: two {@code llmo run} started together against a slow server, with
 * a daily budget that fits one of them. Whichever order they reach the check in (the other's call in flight, or
 * already logged), exactly one is sent; the other exits 5 having sent nothing and written no conversation.
 */
class DailyBudgetProcessesIT {
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        // input is free and an answer is at most 1,000 tokens at $1 per million: every call costs up to $0.001,
        // and the mock reports exactly that, so a finished call counts as much as one in flight
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      max_output_tokens: 1000
                      pricing: { input_per_mtok: 0, output_per_mtok: 1 }
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\nbudget: { daily_usd: 0.0015 }\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @Test
    void twoRunsStartedTogetherUnderADailyBudgetThatFitsOneSendExactlyOne() throws Exception {
        for (int i = 0; i < 2; i++) { // two answers, so that a broken guard shows as two sends, not a hang
            server.enqueue(OpenAiAnswers.streamed("Hello", 7, 1000).setBodyDelay(2, TimeUnit.SECONDS));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BinaryRun.Result>> runs = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                String prompt = "question " + i;
                runs.add(pool.submit(() -> {
                    go.await();
                    return BinaryRun.in(home).env("MOCK_API_KEY", "sk-it").env("LLMO_MAX_RETRIES", "0")
                            .run("run", prompt);
                }));
            }
            go.countDown();
            List<BinaryRun.Result> results = new ArrayList<>();
            for (Future<BinaryRun.Result> run : runs) {
                results.add(run.get(120, TimeUnit.SECONDS));
            }

            assertThat(results.stream().map(BinaryRun.Result::exitCode)).containsExactlyInAnyOrder(0, 5);
            BinaryRun.Result refused = results.stream().filter(r -> r.exitCode() == 5).findFirst().orElseThrow();
            assertThat(refused.err()).startsWith("llmo: error: ").contains("daily budget of $0.0015")
                    .contains("nothing was sent");
            assertThat(refused.out()).isEmpty();
            assertThat(server.getRequestCount()).isEqualTo(1);
            try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
                assertThat(files).hasSize(1);
            }
            // no hold is left behind once both have ended
            assertThat(Files.readAllLines(home.resolve("llmo/reservations.jsonl"))).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
