package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.IOException;
import java.io.OutputStream;
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
 * A chain run, or a live multi-model view, whose stdout fails: a reader that went away stops it at once (exit 141)
 * and a full disk fails it (exit 1), and session.end in the log says the same as the exit code.
 */
class ChainStdoutTest {
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        // a request nobody expected gets a 404 at once instead of waiting forever for an answer to be queued
        QueueDispatcher dispatcher = new QueueDispatcher();
        dispatcher.setFailFast(true);
        server.setDispatcher(dispatcher);
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [{ name: m1 }, { name: m2 }]
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/m1
                chains:
                  two:
                    steps:
                      - { name: draft, model: mock/m1, prompt: "Write: {{input}}" }
                      - { name: review, model: mock/m2, prompt: "Review: {{draft}}" }
                """);
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    /** A stdout whose every write fails as {@code message} says (EPIPE, ENOSPC). */
    private static OutputStream failing(String message) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException(message);
            }
        };
    }

    private List<Event> events() throws IOException {
        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.findFirst().orElseThrow();
        }
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
        return EventLog.read(log);
    }

    private static Event last(List<Event> events) {
        return events.get(events.size() - 1);
    }

    private static List<String> errorKinds(List<Event> events) {
        return events.stream().filter(e -> e.type().equals("error")).map(e -> e.data().get("kind").asText()).toList();
    }

    @Test
    void aClosedPipeStopsTheStreamedLastStepAndTheLogSaysStdoutClosed() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the draft"));
        server.enqueue(OpenAiAnswers.streamed("the review"));
        Result run = cli().stdout(failing("Broken pipe")).run("chain", "run", "two", "x");

        assertThat(run.exitCode()).isEqualTo(141);
        assertThat(run.err()).as("silent, as a tool killed by SIGPIPE").isEmpty();
        List<Event> events = events();
        assertThat(errorKinds(events)).containsExactly("stdout_closed");
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
        assertThat(last(events).data().get("exit_code").asInt()).isEqualTo(141);
    }

    @Test
    void aClosedPipeStopsAJsonChainAfterTheFirstLineItCouldNotWrite() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the draft"));
        server.enqueue(OpenAiAnswers.streamed("the review"));
        Result run = cli().stdout(failing("Broken pipe")).run("chain", "run", "two", "--json", "x");

        assertThat(run.exitCode()).isEqualTo(141);
        assertThat(server.getRequestCount()).as("the second step is never sent: nobody reads it").isEqualTo(1);
        List<Event> events = events();
        assertThat(errorKinds(events)).containsExactly("stdout_closed");
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
    }

    @Test
    void aFullDiskFailsTheChainWithExit1AndTheLogSaysFailed() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the draft"));
        server.enqueue(OpenAiAnswers.streamed("the review"));
        Result run = cli().stdout(failing("No space left on device")).run("chain", "run", "two", "--json", "x");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
        List<Event> events = events();
        assertThat(errorKinds(events)).containsExactly("failure");
        assertThat(last(events).data().get("status").asText()).isEqualTo("failed");
        assertThat(last(events).data().get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedTerminalStopsEveryCallOfTheLiveView() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("one"));
        server.enqueue(OpenAiAnswers.streamed("two"));
        Result run = cli().tty("o").stdout(failing("Broken pipe")).run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run.exitCode()).isEqualTo(141);
        List<Event> events = events();
        // each call was stopped and logged so, not only the run's end
        assertThat(events.stream().filter(e -> e.type().equals("error") && e.data().hasNonNull("request")))
                .hasSize(2).allSatisfy(e -> assertThat(e.data().get("kind").asText()).isEqualTo("stdout_closed"));
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
    }
}
