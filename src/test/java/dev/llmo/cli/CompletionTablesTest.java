package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The tables each completion script completes commands, options and fixed values from, asked in the real shell,
 * against picocli's model of every command: a command or option added, renamed or hidden without the scripts
 * following fails here. zsh and fish are skipped where missing, unless LLMO_REQUIRE_SHELLS is set.
 */
class CompletionTablesTest {
    @TempDir
    Path dir;
    List<Command> model;
    CompletionScripts scripts;

    /** One command of the model: its words after {@code llmo}, subcommands, options and fixed option values. */
    record Command(String path, Set<String> subcommands, Set<String> options, Set<String> flags,
                   Map<String, List<String>> fixedValues) {
    }

    @BeforeEach
    void readTheModel() {
        StringWriter sink = new StringWriter();
        CliEnvironment environment = new CliEnvironment(new ByteArrayInputStream(new byte[0]), new PrintWriter(sink),
                new PrintWriter(sink), Map.of("HOME", dir.toString()), dir, dir, "");
        CommandLine root = LlmoCli.tree(new CliContext(environment, new GlobalOptions(false, false)), null);
        model = new ArrayList<>();
        walk(root, "");
        scripts = new CompletionScripts(root);
    }

    private void walk(CommandLine command, String path) {
        Set<String> subcommands = new LinkedHashSet<>();
        command.getSubcommands().values().stream().filter(sub -> !sub.getCommandSpec().usageMessage().hidden())
                .forEach(sub -> subcommands.add(sub.getCommandName()));
        Set<String> options = new TreeSet<>();
        Set<String> flags = new TreeSet<>();
        Map<String, List<String>> fixed = new HashMap<>();
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (option.hidden()) {
                continue;
            }
            options.addAll(Arrays.asList(option.names()));
            for (String name : option.names()) {
                if (option.arity().max() == 0) {
                    flags.add(name);
                } else if (option.completionCandidates() != null) {
                    List<String> values = new ArrayList<>();
                    option.completionCandidates().forEach(values::add);
                    fixed.put(name, values);
                }
            }
        }
        model.add(new Command(path, subcommands, options, flags, fixed));
        for (String sub : subcommands) {
            walk(command.getSubcommands().get(sub), path.isEmpty() ? sub : path + " " + sub);
        }
    }

    @Test
    void theModelHasWhatTheTestNeeds() {
        assertThat(model).extracting(Command::path).contains("", "run", "chain run", "vault unlock", "log export")
                .doesNotContain("__cds-train");
        assertThat(model.get(0).fixedValues()).isEmpty();
        assertThat(model.stream().filter(c -> c.path().equals("cost")).findFirst().orElseThrow().fixedValues())
                .containsEntry("--by", List.of("model", "day"));
    }

    @Test
    void bashTablesAreTheModel() throws Exception {
        sharedTablesAreTheModel("bash", scripts.bash(), List.of("bash"));
    }

    @Test
    void zshTablesAreTheModel() throws Exception {
        assumeShell("zsh");
        sharedTablesAreTheModel("zsh", scripts.zsh(), List.of("zsh", "-f"));
    }

    /**
     * What follows each question to bash or zsh: a mark that ends its answer. The answers go straight to stdout, not
     * through {@code "$(...)"}, which forks a subshell per question (about 2,000 forks a shell, most of this class's
     * time).
     */
    private static final String END = "; printf '\\036\\n'\n";

    /** bash and zsh answer from the same functions: ask them every command's subcommands, options and values. */
    private void sharedTablesAreTheModel(String shell, String script, List<String> command) throws Exception {
        StringBuilder queries = new StringBuilder();
        for (Command c : model) {
            String p = "'" + c.path() + "'";
            queries.append("printf 'S\\t%s\\t' ").append(p).append("; _llmo_subcommands ").append(p).append(END);
            queries.append("printf 'O\\t%s\\t' ").append(p).append("; _llmo_options ").append(p).append(END);
            for (String option : c.options()) {
                queries.append("printf 'V\\t%s\\t%s\\t' ").append(p).append(" '").append(option)
                        .append("'; _llmo_value ").append(p).append(" '").append(option).append("' || echo FLAG").append(END);
            }
        }
        // each answer ends in an END mark: the answer's own line break, if any, and the mark's make one
        List<String> lines = String.join("\n", run(shell, script, queries.toString(), command))
                .replace("\n\u001e", "").replace("\u001e", "").lines().toList();

        Map<String, Command> byPath = new HashMap<>();
        model.forEach(c -> byPath.put(c.path(), c));
        int values = 0;
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            Command c = byPath.get(f[1]);
            switch (f[0]) {
                case "S" -> assertThat(words(f[2])).as(shell + " subcommands of '" + f[1] + "'")
                        .isEqualTo(c.subcommands());
                case "O" -> assertThat(words(f[2])).as(shell + " options of '" + f[1] + "'").isEqualTo(c.options());
                default -> {
                    values++;
                    String what = shell + " value of '" + f[1] + " " + f[2] + "'";
                    if (c.flags().contains(f[2])) {
                        assertThat(f[3]).as(what).isEqualTo("FLAG");
                    } else if (c.fixedValues().containsKey(f[2])) {
                        assertThat(f[3]).as(what).isEqualTo("list:" + String.join(" ", c.fixedValues().get(f[2])));
                    } else {
                        assertThat(f[3]).as(what).matches("any:|dyn:[a-z-]+");
                    }
                }
            }
        }
        assertThat(lines).hasSize(2 * model.size() + values);
        assertThat(values).isEqualTo(model.stream().mapToInt(c -> c.options().size()).sum());
    }

    @Test
    void fishTablesAreTheModel() throws Exception {
        assumeShell("fish");
        StringBuilder queries = new StringBuilder();
        for (Command c : model) {
            String line = c.path().isEmpty() ? "llmo " : "llmo " + c.path() + " ";
            if (!c.subcommands().isEmpty()) {
                queries.append("for w in (complete -C'").append(line).append("'); printf 'S\\t%s\\t%s\\n' '")
                        .append(c.path()).append("' (string split -f1 \\t -- $w); end\n");
            }
            queries.append("for w in (complete -C'").append(line).append("-'); printf 'O\\t%s\\t%s\\n' '")
                    .append(c.path()).append("' (string split -f1 \\t -- $w); end\n");
            c.fixedValues().forEach((option, values) -> queries.append("for w in (complete -C'").append(line)
                    .append(option).append(" '); printf 'V\\t%s\\t%s\\t%s\\n' '").append(c.path()).append("' '")
                    .append(option).append("' (string split -f1 \\t -- $w); end\n"));
        }
        List<String> lines = run("fish", scripts.fish(), queries.toString(), List.of("fish", "--no-config"));

        for (Command c : model) {
            assertThat(column(lines, "S", c.path(), null)).as("fish subcommands of '" + c.path() + "'")
                    .isEqualTo(c.subcommands().isEmpty() ? Set.of() : c.subcommands());
            assertThat(column(lines, "O", c.path(), null)).as("fish options of '" + c.path() + "'")
                    .isEqualTo(c.options());
            c.fixedValues().forEach((option, values) -> assertThat(column(lines, "V", c.path(), option))
                    .as("fish values of '" + c.path() + " " + option + "'").isEqualTo(new TreeSet<>(values)));
        }
    }

    private static Set<String> column(List<String> lines, String kind, String path, String option) {
        Set<String> found = new TreeSet<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f[0].equals(kind) && f[1].equals(path) && (option == null || f[2].equals(option))) {
                found.add(f[f.length - 1]);
            }
        }
        return found;
    }

    private static Set<String> words(String text) {
        return text.isBlank() ? Set.of() : new TreeSet<>(List.of(text.trim().split(" +")));
    }

    private List<String> run(String shell, String script, String queries, List<String> command) throws Exception {
        Path file = dir.resolve("completion." + shell);
        Files.writeString(file, script);
        Path queryFile = dir.resolve("queries." + shell);
        Files.writeString(queryFile, (shell.equals("zsh") ? "compdef() { :; }\n" : "") + "source " + file + "\n" + queries);
        List<String> all = new ArrayList<>(command);
        all.add(queryFile.toString());
        Process process = new ProcessBuilder(all).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    private static void assumeShell(String shell) {
        boolean present = List.of(System.getenv("PATH").split(":")).stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d, shell)));
        if (System.getenv("LLMO_REQUIRE_SHELLS") != null) {
            assertThat(present).as(shell + " is required (LLMO_REQUIRE_SHELLS is set)").isTrue();
        }
        assumeTrue(present, shell + " is not installed");
    }
}
