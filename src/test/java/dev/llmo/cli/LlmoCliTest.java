package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmoCliTest {
    @TempDir
    Path home;

    private CliRun.Result run(String... args) {
        return CliRun.in(home).run(args);
    }

    private Path userFile(String name, String text) throws IOException {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void helpListsEveryCommandOfTheContract() {
        CliRun.Result result = run("--help");

        assertThat(result).succeeded();
        assertThat(result.out()).contains("Usage: llmo", "--debug", "--no-color", "--version")
                .doesNotContain("__cds-train");
        for (String command : List.of("run", "chat", "chain", "vault", "models", "log", "cost", "install-completion")) {
            assertThat(result.out()).containsPattern("(?m)^  " + command + " ");
        }
        assertThat(result.err()).isEmpty();
    }

    @Test
    void theRootHelpWithCommandNamesOnlyIsTheWholeTreesHelp() {
        CliEnvironment environment = new CliEnvironment(java.io.InputStream.nullInputStream(),
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()),
                java.util.Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        CliContext context = new CliContext(environment, new GlobalOptions(false, false));
        picocli.CommandLine namesOnly = LlmoCli.namesOnly(context);
        picocli.CommandLine whole = LlmoCli.tree(context, null);

        picocli.CommandLine rootHelp = LlmoCli.rootHelp(context);

        assertThat(namesOnly.getSubcommands().keySet()).isEqualTo(whole.getSubcommands().keySet());
        assertThat(rootHelp.getSubcommands()).isEmpty();
        for (int width : new int[] {80, 55, 120}) {
            for (picocli.CommandLine command : List.of(namesOnly, whole, rootHelp)) {
                command.setUsageHelpWidth(width);
            }
            for (picocli.CommandLine.Help.Ansi ansi : picocli.CommandLine.Help.Ansi.values()) {
                String expected = whole.getUsageMessage(ansi);
                assertThat(namesOnly.getUsageMessage(ansi)).as(ansi.name() + " " + width).isEqualTo(expected)
                        .contains("Send a prompt to one model", "[COMMAND]").doesNotContain("__cds-train");
                assertThat(rootHelp.getUsageMessage(ansi)).as(ansi.name() + " " + width).isEqualTo(expected);
            }
        }
        // what the root lists is each command's own first line, hidden or not as the command is
        for (String name : LlmoCli.COMMANDS.keySet()) {
            picocli.CommandLine.Model.UsageMessageSpec own = whole.getSubcommands().get(name).getCommandSpec()
                    .usageMessage();
            picocli.CommandLine.Model.UsageMessageSpec listed = namesOnly.getSubcommands().get(name).getCommandSpec()
                    .usageMessage();
            assertThat(listed.hidden()).as(name).isEqualTo(own.hidden());
            assertThat(own.header()).as(name).isEmpty();
            if (!own.hidden()) {
                assertThat(listed.description()).as(name).containsExactly(own.description()[0]);
            }
        }
    }

    @Test
    void noArgumentsShowsHelp() {
        assertThat(run().out()).contains("Usage: llmo");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("run", "chat", "chain", "vault", "models", "log", "cost", "install-completion")) {
            CliRun.Result result = run(command, "--help");
            assertThat(result).as(command).succeeded();
            assertThat(result.out()).as(command).contains("Usage: llmo " + command);
        }
    }

    @Test
    void logVerifyBuildsOnlyVerifyWithTheSameOptionsAndHelpAsTheWholeTree() {
        CliEnvironment environment = new CliEnvironment(java.io.InputStream.nullInputStream(),
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()),
                java.util.Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        CliContext context = new CliContext(environment, new GlobalOptions(false, false));
        picocli.CommandLine lean = LlmoCli.commandLine(context, new ErrorReporter(context),
                new String[] {"--no-color", "log", "verify", "--all"});
        picocli.CommandLine whole = LlmoCli.tree(context, null);

        assertThat(lean.getSubcommands().keySet()).containsExactly("log");
        assertThat(lean.getSubcommands().get("log").getSubcommands().keySet()).containsExactly("verify");
        picocli.CommandLine verify = lean.getSubcommands().get("log").getSubcommands().get("verify");
        picocli.CommandLine wholeVerify = whole.getSubcommands().get("log").getSubcommands().get("verify");
        assertThat(verify.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF))
                .isEqualTo(wholeVerify.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
        // "verify" anywhere else is not the command: those get the whole of `log`
        assertThat(LlmoCli.commandLine(context, new ErrorReporter(context), new String[] {"log", "show", "verify"})
                .getSubcommands().get("log").getSubcommands()).containsKeys("show", "verify", "list");
    }

    @Test
    void logVerifyOfAFileRunsAndAnswersVersionAndHelp() throws IOException {
        Path log = home.resolve("talk.jsonl");
        dev.llmo.eventlog.SyntheticLog.write(log, 10_000, 7);

        assertThat(run("log", "verify", log.toString())).succeeded();
        assertThat(run("log", "verify", log.toString()).out()).startsWith("ok  talk  ");
        assertThat(run("log", "verify", "--version").out()).contains("llmo ");
        assertThat(run("log", "verify", "--help").out()).contains("Usage: llmo log verify");
        assertThat(run("--debug", "log", "verify", "--nope").exitCode()).isEqualTo(ExitCode.USAGE.code());
    }

    @Test
    void versionNamesTheRelease() {
        CliRun.Result result = run("--version");

        assertThat(result).succeeded();
        assertThat(result.out()).startsWith("llmo ").contains("Java ");
    }

    @Test
    void badFlagIsUsageErrorOnOneLine() {
        CliRun.Result result = run("models", "--bogus");

        assertThat(result).failedWith(ExitCode.USAGE)
                .errIs("llmo: error: Unknown option: '--bogus'; see 'llmo models --help'\n")
                .outIsEmpty();
    }

    @Test
    void aCommandsOptionBeforeTheCommandIsNamedAsSuch() {
        // picocli took "local" for a mistyped command and said run takes no arguments
        assertThat(run("-m", "local", "run", "hi")).failedWith(ExitCode.USAGE).errIs("llmo: error: option '-m' comes "
                + "before the command 'run': a command's options go after its name; write llmo run -m …\n")
                .outIsEmpty();
        assertThat(run("--no-color", "--option=temperature=1", "run", "hi")).failedWith(ExitCode.USAGE)
                .errContains("option '--option' comes before the command 'run'").errDoesNotContain("temperature");
        assertThat(run("--debug", "-x")).failedWith(ExitCode.USAGE).errContains("Unknown option: '-x'");
        // llmo's own options in every form picocli takes stay where they are; a mistyped command is named as such
        assertThat(run("--debug=true", "--no-color", "models", "--json")).succeeded();
        assertThat(run("-hV", "models")).succeeded();
        assertThat(run("rnu", "-m", "local", "run")).failedWith(ExitCode.USAGE).errContains("unknown command 'rnu'");
    }

    @Test
    void anExtraArgumentSaysWhatTheCommandTakes() {
        assertThat(run("models", "fake")).failedWith(ExitCode.USAGE).errIs("llmo: error: unexpected argument "
                + "'fake': llmo models takes no arguments; see 'llmo models --help'\n").outIsEmpty();
        assertThat(run("log", "show", "a", "b", "c")).failedWith(ExitCode.USAGE).errIs("llmo: error: unexpected "
                + "arguments 'b', 'c': llmo log show takes only ID; see 'llmo log show --help'\n").outIsEmpty();
    }

    @Test
    void mistypedCommandSuggestsTheRightOne() {
        CliRun.Result result = run("modles");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).isEqualTo("llmo: error: unknown command 'modles' (did you mean 'models'?); "
                + "see 'llmo --help'\n");
    }

    @Test
    void badEnumValueIsUsageError() {
        CliRun.Result result = run("install-completion", "--shell", "tcsh");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).startsWith("llmo: error: Invalid value for option '--shell'").contains("bash, zsh, fish");
    }

    @Test
    void flagValuesThatAreNotNumbersOrClashSayWhyInPlainWords() {
        CliRun.Result money = run("run", "--max-cost", "abc", "hi");
        assertThat(money).failedWith(ExitCode.USAGE);
        assertThat(money.err()).isEqualTo("llmo: error: Invalid value for option '--max-cost': 'abc' is not a number "
                + "(write e.g. 0.50); see 'llmo run --help'\n");

        CliRun.Result clash = run("run", "--parallel", "--sequential", "hi");
        assertThat(clash).failedWith(ExitCode.USAGE);
        assertThat(clash.err()).startsWith("llmo: error: --parallel, --sequential are mutually exclusive");

        // picocli would name --cid by its longest name, --resume, which the user may never have typed
        for (String[] command : new String[][] {{"run", "-c", "--cid", "abc", "hi"}, {"chat", "--cid", "abc", "-c"}}) {
            CliRun.Result twice = run(command);
            assertThat(twice).failedWith(ExitCode.USAGE);
            assertThat(twice.err()).isEqualTo("llmo: error: -c/--continue and --cid/--resume both choose the "
                    + "conversation to continue; give one of them: -c for the conversation used last, --cid ID for "
                    + "another\n");
        }
    }

    @Test
    void unknownModelIsConfigErrorWithSuggestions() {
        CliRun.Result result = run("run", "-m", "gpt-4o-mni", "hello");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).startsWith("llmo: error: unknown model 'gpt-4o-mni' (did you mean 'openai/gpt-4o-mini'")
                .doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void unknownRoleAndChainAreConfigErrors() {
        assertThat(run("chat", "-r", "Tester2")).failedWith(ExitCode.CONFIG);
        CliRun.Result chain = run("chain", "show", "code_reveiw");
        assertThat(chain).failedWith(ExitCode.CONFIG)
                .errContains("unknown chain 'code_reveiw' (did you mean 'code_review'?)");
    }

    @Test
    void anLlmoHomeThatIsAFileIsNamedInsteadOfEachFileUnderIt() throws IOException {
        Path file = Files.writeString(home.resolve("not-a-dir"), "x");

        CliRun.Result result = CliRun.in(home).env("LLMO_HOME", file.toString()).run("models");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).isEqualTo("llmo: error: " + file + " is not a directory; point LLMO_HOME at a "
                + "directory (llmo makes it when it is missing)\n");
    }

    @Test
    void badYamlIsExit3WithPathLineColumnAndNoStackTrace() throws IOException {
        Path file = userFile("models.yaml", "openai:\n  base_url: [unclosed\n");

        CliRun.Result result = run("models");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).startsWith("llmo: error: " + file + ":3:").hasLineCount(1).doesNotContain("at dev.");
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        userFile("config.yaml", "main_llm: [\n");

        CliRun.Result result = run("--debug", "models");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).contains("llmo: error: ").contains("\tat dev.llmo.");
    }

    @Test
    void unknownConfigKeyIsExit3() throws IOException {
        Path file = userFile("config.yaml", "main_llm: openai\nbudgte: { daily_usd: 1 }\n");

        CliRun.Result result = run("models");

        assertThat(result).failedWith(ExitCode.CONFIG)
                .errContains(file + ":2:1: unknown key 'budgte' in config.yaml (did you mean 'budget'?)");
    }

    @Test
    void modelsShowsEveryModelWithItsSourceLayer() throws IOException {
        userFile("models.yaml", "local:\n  type: openai\n  base_url: http://localhost:8080/v1\n  models: [qwen3:8b]\n");

        CliRun.Result result = run("models");

        assertThat(result).succeeded();
        assertThat(result.out().lines().findFirst().orElseThrow()).startsWith("MODEL").contains("SOURCE");
        assertThat(result.out()).containsPattern("openai/gpt-4o-mini \\(default\\) +4o-mini +128,000 +16,384 +0.15 +0.60 +built-in")
                .containsPattern("local/qwen3:8b \\(default\\) .*\\? +\\? +user " + home.resolve("llmo/models.yaml"));
        assertThat(result.out()).doesNotContain("\u001b[");
    }

    @Test
    void modelsJsonIsOneObjectPerModel() throws IOException {
        CliRun.Result result = run("models", "--json");

        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> rows = result.out().lines().map(line -> {
            try {
                return mapper.readTree(line);
            } catch (IOException e) {
                throw new AssertionError(line, e);
            }
        }).toList();
        assertThat(rows).hasSizeGreaterThan(20);
        JsonNode mini = rows.stream().filter(r -> r.get("id").asText().equals("openai/gpt-4o-mini")).findFirst().orElseThrow();
        assertThat(mini.get("context_window").asLong()).isEqualTo(128000);
        assertThat(mini.get("pricing").get("output_per_mtok").decimalValue()).isEqualByComparingTo("0.60");
        assertThat(mini.get("source").asText()).isEqualTo("built-in");
        assertThat(mini.get("default").asBoolean()).isTrue();
    }

    @Test
    void colourOnlyOnATerminalAndNeverWithNoColor() {
        assertThat(CliRun.in(home).tty("oe").run("models").out()).contains("\u001b[1m");
        assertThat(CliRun.in(home).tty("oe").env("NO_COLOR", "1").run("models").out()).doesNotContain("\u001b[");
        assertThat(CliRun.in(home).tty("oe").run("--no-color", "models").out()).doesNotContain("\u001b[");
        assertThat(CliRun.in(home).tty("oe").run("models", "--no-color").out()).doesNotContain("\u001b[");
    }
}
