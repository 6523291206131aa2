package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches stdout: a write that fails is never exit 0 (a full disk is exit 1, a reader that went away 141), and
 * on a terminal the control characters of a server's text are shown, not obeyed; in a pipe they pass unchanged.
 */
class RunOutputTest {
    private static final String ESC = "\u001b";
    /** Clears the screen and sets the window title: what a hostile answer would do to a terminal. */
    private static final String HOSTILE = "ok" + ESC + "[2J" + ESC + "]0;pwned\u0007\r\u009b31mend";

    @TempDir
    Path home;
    private MockWebServer server;

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
                  models: [{ name: m1 }, { name: m2 }]
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
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

    @Test
    void aFullDiskIsExit1WithOneLineAndARecordedFailure() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the answer"));
        Result run = cli().stdout(failing("No space left on device")).run("run", "hi");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
        List<Event> events = events();
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        assertThat(dev.llmo.eventlog.Logged.text(events.get(events.size() - 3))).isEqualTo("the answer");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("failed");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedPipeIsExit141SilentlyAndLoggedAsStdoutClosed() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the answer"));
        Result run = cli().stdout(failing("Broken pipe")).run("run", "hi");

        assertThat(run.exitCode()).isEqualTo(141);
        assertThat(run.err()).as("silent, as a tool killed by SIGPIPE").isEmpty();
        List<Event> events = events();
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        assertThat(events.get(events.size() - 2).data().get("kind").asText()).isEqualTo("stdout_closed");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("stdout_closed");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(141);
    }

    @Test
    void aClosedPipeStopsEveryCallOfAParallelRun() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("one"));
        server.enqueue(OpenAiAnswers.streamed("two"));
        Result run = cli().stdout(failing("Broken pipe")).run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run.exitCode()).isEqualTo(141);
        List<Event> events = events();
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("stdout_closed");
    }

    @Test
    void listingCommandsAlsoFailWhenStdoutDoes() {
        Result run = cli().stdout(failing("No space left on device")).run("models");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("llmo: error: cannot write to stdout: No space left on device;");
    }

    @Test
    void onATerminalControlCharactersOfTheAnswerAreShownNotObeyed() throws Exception {
        server.enqueue(OpenAiAnswers.streamed(HOSTILE));
        Result run = cli().tty("o").run("run", "hi");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("ok^[[2J^[]0;pwned^G^MM-^[31mend\n");

        // the log holds the answer as it came; its replay on a terminal shows it as run did
        List<Event> events = events();
        assertThat(dev.llmo.eventlog.Logged.text(events.get(events.size() - 2))).isEqualTo(HOSTILE);
        String id;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            id = files.findFirst().orElseThrow().getFileName().toString().replace(".jsonl", "");
        }
        assertThat(cli().tty("o").run("log", "replay", id).out()).isEqualTo(run.out());
        assertThat(cli().run("log", "replay", id).out()).isEqualTo(HOSTILE + "\n");
    }

    @Test
    void inAPipeTheAnswerPassesUnchanged() throws Exception {
        server.enqueue(OpenAiAnswers.streamed(HOSTILE + "\ttab\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Result run = cli().stdout(bytes).run("run", "hi");

        assertThat(run.exitCode()).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(HOSTILE + "\ttab\n");
    }

    @Test
    void theLiveMultiModelViewShowsControlCharacters() {
        server.enqueue(OpenAiAnswers.streamed(HOSTILE));
        server.enqueue(OpenAiAnswers.streamed("plain"));
        Result run = cli().tty("o").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("ok^[[2J^[]0;pwned^G^MM-^[31mend").doesNotContain(ESC + "]0;pwned");
    }

    @Test
    void aServersErrorMessageIsShownNotObeyedOnATerminalAndUnchangedInAPipe() {
        String body = "{\"error\":{\"message\":\"bad" + "\\u001b[2J" + "request\",\"type\":\"invalid_request_error\"}}";
        server.enqueue(new MockResponse().setResponseCode(400).setBody(body));
        Result terminal = cli().tty("e").run("run", "hi");
        assertThat(terminal.exitCode()).isEqualTo(1);
        assertThat(terminal.err()).contains("bad^[[2Jrequest").doesNotContain(ESC + "[2J");

        server.enqueue(new MockResponse().setResponseCode(400).setBody(body));
        Result pipe = cli().run("run", "hi");
        assertThat(pipe.err()).contains("bad" + ESC + "[2Jrequest");
    }
}
