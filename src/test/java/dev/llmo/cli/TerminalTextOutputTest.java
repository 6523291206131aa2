package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.MockServers;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text llmo did not write — chain names, descriptions and prompts from a project's config, model names from a
 * config or a server, models named in the log — is shown, not obeyed, on a terminal and passes unchanged in a pipe.
 */
class TerminalTextOutputTest {
    private static final String ESC = "\u001b";
    /** Clears the screen and sets the window title, in YAML's double-quoted escapes. */
    private static final String YAML_NASTY = "\\e[2J\\e]0;owned\\a";

    @TempDir
    Path home;

    private void config(String yaml) throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/config.yaml"), yaml);
    }

    private void hostileChain() throws Exception {
        config("chains:\n  \"evil" + YAML_NASTY + "\":\n    description: \"looks fine" + YAML_NASTY + "\"\n"
                + "    steps:\n      - name: \"step" + YAML_NASTY + "\"\n        model: gemini\n"
                + "        prompt: \"hello" + YAML_NASTY + " {{input}}\"\n");
    }

    @Test
    void chainListAndShowMakeControlsVisibleOnATerminalOnly() throws Exception {
        hostileChain();
        for (String sub : List.of("list", "show")) {
            String[] args = sub.equals("list") ? new String[] {"chain", "list"}
                    : new String[] {"chain", "show", "evil" + ESC + "[2J" + ESC + "]0;owned\u0007"};
            CliRun.Result terminal = CliRun.in(home).tty("o").run(args);
            assertThat(terminal).succeeded();
            assertThat(terminal.out()).contains("evil^[[2J^[]0;owned^G", "looks fine^[[2J").doesNotContain(ESC, "\u0007");

            CliRun.Result pipe = CliRun.in(home).run(args);
            assertThat(pipe.out()).contains("evil" + ESC + "[2J" + ESC + "]0;owned\u0007");
        }
        CliRun.Result show = CliRun.in(home).tty("o").run("chain", "show", "evil" + ESC + "[2J" + ESC + "]0;owned\u0007");
        assertThat(show.out()).contains("1. step^[[2J", "   | hello^[[2J^[]0;owned^G {{input}}");
    }

    @Test
    void chainDryRunMakesControlsVisibleOnATerminal() throws Exception {
        hostileChain();
        CliRun.Result plan = CliRun.in(home).tty("o").run("chain", "run", "evil" + ESC + "[2J" + ESC + "]0;owned\u0007",
                "--dry-run", "x");
        assertThat(plan).succeeded();
        assertThat(plan.out()).contains("^[[2J").doesNotContain(ESC);
    }

    @Test
    void modelNamesFromConfigAreVisibleInTheTable() throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/models.yaml"), "mock:\n  type: openai\n  base_url: http://127.0.0.1:9/v1\n"
                + "  models: [\"m" + YAML_NASTY + "\"]\n");
        CliRun.Result terminal = CliRun.in(home).tty("o").run("models");
        assertThat(terminal).succeeded();
        assertThat(terminal.out()).contains("mock/m^[[2J^[]0;owned^G").doesNotContain("\u0007", ESC + "[2J");
        assertThat(CliRun.in(home).run("models").out()).contains("mock/m" + ESC + "[2J");
    }

    @Test
    void modelNamesFromAServerAreVisibleOnATerminal() throws Exception {
        try (MockWebServer server = MockServers.create()) {
            server.enqueue(new MockResponse().setBody("{\"data\":[{\"id\":\"gpt" + "\\u001b[2J" + "\\u009b31m\","
                    + "\"display_name\":\"Nice\\u001b]52;c;ZXZpbA==\\u0007\"}],\"has_more\":false}"));
            server.enqueue(new MockResponse().setBody("{\"data\":[{\"id\":\"gpt" + "\\u001b[2J" + "\\u009b31m\","
                    + "\"display_name\":\"Nice\\u001b]52;c;ZXZpbA==\\u0007\"}],\"has_more\":false}"));
            Path dir = Files.createDirectories(home.resolve("llmo"));
            Files.writeString(dir.resolve("models.yaml"), "openai: ~\nanthropic: ~\ngemini: ~\nollama: ~\n"
                    + "openrouter: ~\ngroq: ~\nan: { type: anthropic, base_url: " + server.url("/an")
                    + ", api_key_name: AN_KEY }\n");
            Files.writeString(dir.resolve("config.yaml"), "main_llm: an/x\n");

            CliRun.Result terminal = CliRun.in(home).env("AN_KEY", "k").tty("o").run("models", "--remote");
            assertThat(terminal).succeeded();
            assertThat(terminal.out()).contains("an/gpt^[[2JM-^[31m", "Nice^[]52;c;ZXZpbA==^G")
                    .doesNotContain(ESC, "\u009b", "\u0007");
            CliRun.Result pipe = CliRun.in(home).env("AN_KEY", "k").run("models", "--remote");
            assertThat(pipe.out()).contains("an/gpt" + ESC + "[2J\u009b31m");
        }
    }

    @Test
    void modelsNamedInTheLogAreVisibleInLogList() throws Exception {
        try (EventLog log = EventLog.create(home.resolve("llmo/conversations"), new EventData.SessionStart("run", dev.llmo.eventlog.RunMode.SINGLE,
                List.of("evil" + ESC + "]0;owned\u0007/m"), null, "test"))) {
            log.append(EventData.Message.user("hi"));
        }
        // wide enough that the models column is not cut to fit the terminal
        CliRun.Result terminal = CliRun.in(home).tty("o").env("COLUMNS", "200").run("log", "list");
        assertThat(terminal).succeeded();
        assertThat(terminal.out()).contains("evil^[]0;owned^G/m").doesNotContain("\u0007");
        assertThat(CliRun.in(home).run("log", "list").out()).contains("evil" + ESC + "]0;owned\u0007/m");
    }

    @Test
    void logExportShowsControlsOnATerminalAndIsByteExactInAPipe() throws Exception {
        String hostile = "red " + ESC + "[31mRED" + ESC + "[0m " + ESC + "]0;title\u0007 \u009b2J end";
        try (EventLog log = EventLog.create(home.resolve("llmo/conversations"), new EventData.SessionStart("run",
                dev.llmo.eventlog.RunMode.SINGLE, List.of("mock/m"), null, "test"))) {
            log.append(EventData.Message.user(hostile));
        }
        for (String format : List.of("md", "json")) {
            CliRun.Result terminal = CliRun.in(home).tty("o").run("log", "export", "last", "--format", format);
            assertThat(terminal).succeeded();
            // Markdown is shown as log show shows it; JSON stays JSON, with the C1 CSI escaped
            assertThat(terminal.out()).doesNotContain(ESC, "\u0007", "\u009b")
                    .contains(format.equals("md") ? "M-^[2J end" : "\\u009b2J end");

            CliRun.Result pipe = CliRun.in(home).run("log", "export", "last", "--format", format);
            assertThat(pipe.out()).contains(format.equals("md") ? hostile : "\\u001B[31mRED", "\u009b2J end");
        }
        assertThat(CliRun.in(home).tty("o").run("log", "export", "last").out()).contains("red ^[[31mRED^[[0m ^[]0;title^G");
    }
}
