package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command's help has examples, and {@code llmo help TOPIC} prints the guide bundled with llmo. */
class HelpTest {
    @TempDir
    Path home;

    /** The path of every visible command without subcommands, e.g. [vault, set]. */
    private List<List<String>> leaves() {
        List<List<String>> leaves = new ArrayList<>();
        collect(tree(), List.of(), leaves);
        return leaves;
    }

    /** The command tree, as picocli reads it. */
    private CommandLine tree() {
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        return LlmoCli.tree(new CliContext(environment, new GlobalOptions(false, false)), null);
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> leaves) {
        if (command.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        if (command.getSubcommands().isEmpty()) {
            leaves.add(path);
            return;
        }
        command.getSubcommands().forEach((name, sub) -> {
            // an alias (vault rm) is the same command under another name
            if (name.equals(sub.getCommandName())) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, leaves);
            }
        });
    }

    @Test
    void everyLeafCommandsHelpEndsWithExamplesOfThatCommand() {
        List<List<String>> leaves = leaves();
        assertThat(leaves).contains(List.of("run"), List.of("vault", "set"), List.of("log", "list"),
                List.of("chain", "run"), List.of("help")).hasSizeGreaterThan(20);
        for (List<String> leaf : leaves) {
            List<String> args = new ArrayList<>(leaf);
            args.add("--help");
            CliRun.Result result = CliRun.in(home).run(args.toArray(String[]::new));
            String command = "llmo " + String.join(" ", leaf);
            assertThat(result).as(command).succeeded();
            String examples = result.out().contains("\nExamples:\n")
                    ? result.out().substring(result.out().indexOf("\nExamples:\n")) : "";
            assertThat(examples).as(command + " --help has an Examples: section with an example of itself")
                    .containsAnyOf("  " + command, "$(" + command, "(" + command); // eval "$(llmo vault unlock)"
        }
    }

    @Test
    void everyExampleIsPrintedOnLinesOfItsOwnThatCopyAndPasteAsTheyAre() {
        CommandLine root = tree();
        List<List<String>> commands = new ArrayList<>(leaves());
        commands.add(List.of());
        for (List<String> path : commands) {
            CommandLine command = root;
            for (String name : path) {
                command = command.getSubcommands().get(name);
            }
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            // not a terminal: picocli's width, 80 columns, at which a longer line would break inside its quotes
            List<String> shown = CliRun.in(home).run(args.toArray(String[]::new)).out().lines().toList();
            for (String example : command.getCommandSpec().usageMessage().footer()) {
                if (example.startsWith("  ")) {
                    assertThat(shown).as("llmo " + String.join(" ", path) + " --help").contains(example);
                }
            }
        }
    }

    @Test
    void helpListsEveryPageOfTheGuideWithItsTitle() throws Exception {
        List<String> pages;
        try (Stream<Path> files = Files.list(Path.of("docs/usage"))) {
            pages = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        }
        CliRun.Result result = CliRun.in(home).run("help");

        assertThat(result).succeeded().errIsEmpty();
        List<String> listed = result.out().lines().filter(l -> l.startsWith("  "))
                .map(l -> l.strip().split(" ")[0]).toList();
        assertThat(listed).isEqualTo(pages);
        assertThat(result.out()).contains("  chat  ", "Chat\n", "  event-log  ", "The event log\n");
    }

    @Test
    void helpTopicPrintsTheBundledPage() throws Exception {
        CliRun.Result result = CliRun.in(home).run("help", "event-log");
        CliRun.Result withSuffix = CliRun.in(home).run("help", "chat.md");

        assertThat(result).succeeded().outIs(Files.readString(Path.of("docs/usage/event-log.md")));
        assertThat(withSuffix.out()).isEqualTo(Files.readString(Path.of("docs/usage/chat.md")));
    }

    @Test
    void helpOfACommandIsItsUsage() {
        CliRun.Result help = CliRun.in(home).run("help", "models");
        CliRun.Result usage = CliRun.in(home).run("models", "--help");

        assertThat(help).succeeded();
        assertThat(help.out()).isEqualTo(usage.out()).startsWith("Usage: llmo models");
    }

    @Test
    void theListsFooterSaysWhereACommandsOptionsAreForCommandsThatArePagesToo() {
        CliRun.Result list = CliRun.in(home).run("help");
        CliRun.Result chatPage = CliRun.in(home).run("help", "chat");
        CliRun.Result chatOptions = CliRun.in(home).run("chat", "--help");

        assertThat(list.out()).endsWith("\nA command's options and examples: llmo COMMAND --help (also llmo help "
                + "COMMAND, for a command with no page above).\n");
        // chat is both: a page is what 'help chat' shows, so its options are only under 'chat --help'
        assertThat(list.out()).contains("  chat  ");
        assertThat(chatPage.out()).isNotEqualTo(chatOptions.out()).doesNotStartWith("Usage:");
        assertThat(chatOptions.out()).startsWith("Usage: llmo chat");
    }

    @Test
    void anUnknownTopicIsAUsageErrorWithTheClosestOne() {
        CliRun.Result result = CliRun.in(home).run("help", "confguration");

        assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: no help topic 'confguration' (did you mean "
                + "'configuration'?); 'llmo help' lists the topics\n");
    }

    @Test
    void theRootHelpPointsToTheBundledGuideNotToTheSources() {
        CliRun.Result result = CliRun.in(home).run("--help");

        assertThat(result.out()).contains("Guide: llmo help", "  help  ").doesNotContain("docs/usage");
    }
}
