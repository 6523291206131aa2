package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.QueueDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that sent nothing (no request left the machine: no key, refused by a budget, connection refused)
 * leaves no conversation file; one that did send leaves exactly one.
 */
class NothingSentTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        // a request nobody expected gets a 404 at once instead of waiting forever for an answer to be queued
        QueueDispatcher dispatcher = new QueueDispatcher();
        dispatcher.setFailFast(true);
        server.setDispatcher(dispatcher);
        server.start();
        writeModels(server.url("/v1").toString());
        config = home.resolve("llmo/config.yaml");
        Files.writeString(config, "main_llm: mock/m1\n");
    }

    private void writeModels(String baseUrl) throws IOException {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                      max_output_tokens: 100
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                """.formatted(baseUrl));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    private List<Path> conversations() throws IOException {
        Path dir = home.resolve("llmo/conversations");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void noKeyLeavesNoConversation() throws Exception {
        CliRun noKey = CliRun.in(home).env("LLMO_MAX_RETRIES", "0");

        assertThat(noKey.run("run", "hello").exitCode()).isEqualTo(4);
        assertThat(noKey.run("run", "--json", "-m", "mock/m1", "-m", "mock", "hello").exitCode()).isEqualTo(4);
        assertThat(noKey.stdin("hello\n").run("chat").exitCode()).isEqualTo(4);
        assertThat(noKey.run("chain", "run", "code_review", "--json", "x").exitCode()).isEqualTo(4);

        assertThat(conversations()).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void theJsonLinesOfMultiModelRunsAndChainsNameNoConversationWhenNoneWasLeft() throws Exception {
        CliRun noKey = CliRun.in(home).env("LLMO_MAX_RETRIES", "0");

        Result parallel = noKey.run("run", "--json", "-m", "mock/m1", "-m", "mock", "hello");
        Result pipeline = noKey.run("run", "--json", "--sequential", "-m", "mock/m1", "-m", "mock", "hello");
        Result chain = noKey.run("chain", "run", "code_review", "--json", "x");

        assertThat(conversations()).isEmpty();
        for (Result run : List.of(parallel, pipeline, chain)) {
            assertThat(run.exitCode()).isEqualTo(4);
            List<String> lines = run.out().lines().toList();
            assertThat(lines).isNotEmpty();
            // as one model's run --json: the id of a file that does not exist is never printed
            assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"conversation\":null"));
        }
        assertThat(parallel.out().lines()).hasSize(2);
    }

    @Test
    void aCallThatSentNothingNamesTheConversationAnotherCallOfTheRunKept() throws Exception {
        Files.writeString(home.resolve("llmo/models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [{ name: m1 }]
                nokey:
                  type: openai
                  base_url: %s
                  api_key_name: NOKEY_API_KEY
                  models: [{ name: m1 }]
                """.formatted(server.url("/v1"), server.url("/v1")));
        // the call that sends answers after the one without a key has ended
        server.enqueue(OpenAiAnswers.streamed("hi").setBodyDelay(300, java.util.concurrent.TimeUnit.MILLISECONDS));

        Result run = cli().run("run", "--json", "-m", "nokey/m1", "-m", "mock/m1", "hello");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(conversations()).hasSize(1);
        String id = conversations().get(0).getFileName().toString().replace(".jsonl", "");
        assertThat(run.out().lines()).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"conversation\":\"" + id + "\""));
    }

    @Test
    void aBudgetRefusalLeavesNoConversation() throws Exception {
        Files.writeString(config, "main_llm: mock/m1\nbudget: { daily_usd: 0.000001 }\n");

        Result run = cli().run("run", "hello");
        Result json = cli().run("run", "--json", "hello");
        Result maxCost = cli().run("run", "--max-cost", "0.000001", "hello");
        Result chat = cli().stdin("hello\n").run("chat");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(json.exitCode()).isEqualTo(5);
        // the JSON line names no conversation: there is none
        assertThat(json.out()).contains("\"conversation\":null");
        assertThat(maxCost.exitCode()).isEqualTo(5);
        assertThat(chat.exitCode()).isEqualTo(5);
        assertThat(conversations()).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void anOptionTheWireFormatCannotTakeIsAUsageErrorBeforeAnythingIsSent() throws Exception {
        Result budget = cli().run("run", "-o", "reasoning_budget=2000", "hello");
        Result both = cli().run("run", "-o", "reasoning_effort=low", "-o", "reasoning_budget=2000", "hello");

        assertThat(budget.exitCode()).isEqualTo(2);
        assertThat(budget.err().lines().toList()).containsExactly("llmo: error: option 'reasoning_budget' cannot be "
                + "sent to mock/m1: the openai format takes an effort level, not a token budget; use -o "
                + "reasoning_effort=low|medium|high instead");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("options reasoning_effort and reasoning_budget both set the reasoning");
        assertThat(conversations()).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aConnectionRefusedLeavesNoConversation() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        writeModels("http://127.0.0.1:" + closedPort + "/v1");

        Result run = cli().run("run", "hello");
        Result chat = cli().stdin("hello\nagain\n").run("chat");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("connection refused");
        assertThat(chat.exitCode()).isEqualTo(1);
        assertThat(conversations()).isEmpty();
    }

    @Test
    void aRequestThatWasSentLeavesOneVerifiableConversation() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("Hi.", 3, 2));
        server.enqueue(new okhttp3.mockwebserver.MockResponse().setResponseCode(500)
                .setBody("{\"error\":{\"message\":\"boom\"}}"));

        assertThat(cli().run("run", "hello").exitCode()).isZero();
        assertThat(cli().run("run", "hello").exitCode()).isEqualTo(1); // it reached the server: it is kept

        assertThat(conversations()).hasSize(2);
        for (Path file : conversations()) {
            assertThat(ChainVerifier.verify(file).ok()).isTrue();
        }
        assertThat(cli().run("log", "list").out().lines().count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aContinuedConversationIsNeverRemoved() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("Hi.", 3, 2));
        assertThat(cli().run("run", "hello").exitCode()).isZero();

        Result noKey = CliRun.in(home).env("LLMO_MAX_RETRIES", "0").run("run", "-c", "more");

        assertThat(noKey.exitCode()).isEqualTo(4);
        assertThat(conversations()).hasSize(1);
        assertThat(ChainVerifier.verify(conversations().get(0)).ok()).isTrue();
    }
}
