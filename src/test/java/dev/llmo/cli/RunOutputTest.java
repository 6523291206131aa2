package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches stdout: a write that fails is never exit 0 (a full disk is exit 1, a reader that went away 141), and
 * on a terminal the control characters of a server's text are shown, not obeyed; in a pipe they pass unchanged.
 */
class RunOutputTest {
    private static final String ESC = "\u001b";
    /** Clears the screen and sets the window title: what a hostile answer would do to a terminal. */
    private static final String HOSTILE = "ok" + ESC + "[2J" + ESC + "]0;pwned\u0007\r\u009b31mend";

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("models: [{ name: m1 }, { name: m2 }]")
            .configYaml("main_llm: mock/m1\nchains:\n  echo:\n    steps:\n      - name: s\n        model: mock/m1\n"
                    + "        prompt: \"{{input}}\"\n");

    /** A stdout whose every write fails as {@code message} says (EPIPE, ENOSPC). */
    private static OutputStream failing(String message) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException(message);
            }
        };
    }

    @Test
    void aFullDiskIsExit1WithOneLineAndARecordedFailure() throws Exception {
        llmo.server().enqueue(streamed("the answer"));
        Result run = llmo.cli().stdout(failing("No space left on device")).run("run", "hi");

        assertThat(run).failedWith(ExitCode.FAILURE);
        assertThat(run.err()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        assertThat(dev.llmo.eventlog.Logged.text(events.get(events.size() - 3))).isEqualTo("the answer");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("failed");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedPipeIsExit141SilentlyAndLoggedAsStdoutClosed() throws Exception {
        llmo.server().enqueue(streamed("the answer"));
        Result run = llmo.cli().stdout(failing("Broken pipe")).run("run", "hi");

        assertThat(run).failedWith(ExitCode.STDOUT_CLOSED);
        assertThat(run.err()).as("silent, as a tool killed by SIGPIPE").isEmpty();
        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        assertThat(events.get(events.size() - 2).data().get("kind").asText()).isEqualTo("stdout_closed");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("stdout_closed");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(141);
    }

    @Test
    void aClosedPipeStopsEveryCallOfAParallelRun() throws Exception {
        llmo.server().enqueue(streamed("one"));
        llmo.server().enqueue(streamed("two"));
        Result run = llmo.cli().stdout(failing("Broken pipe")).run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run).failedWith(ExitCode.STDOUT_CLOSED);
        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("stdout_closed");
    }

    @Test
    void listingCommandsAlsoFailWhenStdoutDoes() {
        Result run = llmo.cli().stdout(failing("No space left on device")).run("models");
        assertThat(run).failedWith(ExitCode.FAILURE);
        assertThat(run.err()).startsWith("llmo: error: cannot write to stdout: No space left on device;");
    }

    @Test
    void onATerminalControlCharactersOfTheAnswerAreShownNotObeyed() throws Exception {
        llmo.server().enqueue(streamed(HOSTILE));
        Result run = llmo.cli().tty("o").run("run", "hi");

        assertThat(run).succeeded().outIs("ok^[[2J^[]0;pwned^G^MM-^[31mend\n");

        // the log holds the answer as it came; its replay on a terminal shows it as run did
        List<Event> events = llmo.onlyLogEvents();
        assertThat(dev.llmo.eventlog.Logged.text(events.get(events.size() - 2))).isEqualTo(HOSTILE);
        String id = llmo.onlyId();
        assertThat(llmo.cli().tty("o").run("log", "replay", id).out()).isEqualTo(run.out());
        assertThat(llmo.run("log", "replay", id).out()).isEqualTo(HOSTILE + "\n");
    }

    @Test
    void inAPipeTheAnswerPassesUnchanged() throws Exception {
        llmo.server().enqueue(streamed(HOSTILE + "\ttab\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Result run = llmo.cli().stdout(bytes).run("run", "hi");

        assertThat(run).succeeded();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(HOSTILE + "\ttab\n");
    }

    /**
     * JSON escapes only U+0000 to U+001F: on a terminal DEL and the C1 controls (a C1 CSI is U+009B) are escaped too,
     * as JSON that decodes to the same text; in a pipe the line is as it was. Run, chain run and batch run alike.
     */
    @Test
    void onATerminalJsonLinesEscapeDelAndC1ControlsAndInAPipeTheyPassUnchanged() throws Exception {
        String answer = HOSTILE + "\u007f\u0085\u009f";
        List<List<String>> commands = List.of(List.of("run", "--json", "hi"), List.of("chain", "run", "echo", "--json", "hi"),
                List.of("batch", "run", "-", "--prompt", "{{q}}"));
        for (List<String> command : commands) {
            String[] args = command.toArray(String[]::new);
            llmo.server().enqueue(answered(command, answer));
            Result terminal = llmo.cli().tty("o").stdin("{\"q\":\"hi\"}\n").run(args);
            assertThat(terminal).as("%s", command).succeeded();
            assertThat(terminal.out()).as("%s", command).doesNotContain("\u007f", "\u0085", "\u009b", "\u009f")
                    .contains("\\u009b31mend\\u007f\\u0085\\u009f");
            assertThat(textOf(terminal.out())).as("%s", command).isEqualTo(answer);

            llmo.server().enqueue(answered(command, answer));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            assertThat(llmo.cli().stdout(bytes).stdin("{\"q\":\"hi\"}\n").run(args)).succeeded();
            String piped = bytes.toString(StandardCharsets.UTF_8);
            assertThat(piped).as("%s", command).contains("\u009b31mend\u007f\u0085\u009f");
            assertThat(textOf(piped)).as("%s", command).isEqualTo(answer);
        }
    }

    /** {@code text} as {@code command} asks for it: a batch's calls are not streamed. */
    private static MockResponse answered(List<String> command, String text) {
        if (!command.get(0).equals("batch")) {
            return streamed(text);
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        body.putArray("choices").addObject().put("finish_reason", "stop").putObject("message")
                .put("role", "assistant").put("content", text);
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body.toString());
    }

    /** The answer's text in the one JSON line of {@code out}. */
    private static String textOf(String out) throws IOException {
        com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.strip());
        return line.get("text").asText();
    }

    @Test
    void theLiveMultiModelViewShowsControlCharacters() {
        llmo.server().enqueue(streamed(HOSTILE));
        llmo.server().enqueue(streamed("plain"));
        Result run = llmo.cli().tty("o").run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run).succeeded();
        assertThat(run.out()).contains("ok^[[2J^[]0;pwned^G^MM-^[31mend").doesNotContain(ESC + "]0;pwned");
    }

    @Test
    void aServersErrorMessageIsShownNotObeyedOnATerminalAndUnchangedInAPipe() {
        String body = "{\"error\":{\"message\":\"bad" + "\\u001b[2J" + "request\",\"type\":\"invalid_request_error\"}}";
        llmo.server().enqueue(new MockResponse().setResponseCode(400).setBody(body));
        Result terminal = llmo.cli().tty("e").run("run", "hi");
        assertThat(terminal).failedWith(ExitCode.FAILURE);
        assertThat(terminal.err()).contains("bad^[[2Jrequest").doesNotContain(ESC + "[2J");

        llmo.server().enqueue(new MockResponse().setResponseCode(400).setBody(body));
        Result pipe = llmo.run("run", "hi");
        assertThat(pipe.err()).contains("bad" + ESC + "[2Jrequest");
    }
}
