package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link RunArguments} reads a command line the way picocli does, or leaves it to picocli: for every line it accepts,
 * picocli's parse (the one {@link LlmoCli#execute} would otherwise run) succeeds and leaves the same values in every
 * field of the run, its mixins and groups.
 */
class RunArgumentsTest {
    /** Options and words a random line is mostly made of: the options this reader takes, and values. */
    private static final String[] WORDS = {
        "-m", "--model", "-r", "--role", "--mode", "-s", "--system", "-o", "--option", "-c", "--continue", "--cid",
        "--resume", "--no-log", "-T", "--tool", "--approve", "--yolo", "-a", "--attach", "--attach-type", "-t",
        "--template", "--save", "-f", "--fragment", "--sf", "--max-cost", "--parallel", "--sequential", "--compare",
        "--json", "--no-stream", "-u", "--usage", "--dry-run", "hi", "two words", "openai/gpt-4o", "k=v", "k=",
        "a=b=c", "0.5", " 1 ", "abc", "1e3", "run", "chat", "ünïcode", "$HOME", "\"a=b\"=c", "x\"=y\"=z", "k=\"v",
        "k=\\\"v\\\"", "a\\b",
    };

    /** And now and then one that picocli reads in a way of its own, or that this reader leaves to it. */
    private static final String[] ODD = {
        "--timeout", "--concurrency", "--max-tool-rounds", "-p", "--schema", "--schema-multi", "--schema-retries",
        "--reasoning", "--no-reasoning", "-h", "--help", "-V", "--version", "--debug", "--no-color", "--model=x",
        "-mx", "-uj", "--", "-", "", "@args", "-x", "--nope", "-5", "=v", "-1.5",
    };

    @TempDir
    Path home;

    @Test
    void theCommonRunsAreReadWithoutPicocliAsPicocliReadsThem() {
        String[][] lines = {
            {"run", "hi"},
            {"run", "-m", "openai/gpt-4o-mini", "Explain", "TCP"},
            {"run", "--max-cost", "1", "-m", "benchpriced/gpt-4o-mini", "hi"},
            {"run", "-m", "openai", "-m", "gemini", "--parallel", "--json", "Haiku about rain"},
            {"run", "-m", "a", "-m", "b", "--sequential", "--compare", "x"},
            {"run", "-r", "Developer", "-o", "temperature=0.2", "-o", "max_tokens=500", "Write a binary search"},
            {"run", "-c", "Shorter, please"},
            {"run", "--cid", "3f2a", "-s", "Be brief", "--no-stream", "-u", "go on"},
            {"run", "-f", "README.md", "--sf", "-", "-a", "photo.jpg", "--attach-type", "image/png", "What is here?"},
            {"run", "-T", "fs.*", "--approve", "fs.read_file", "--yolo", "--dry-run", "--no-log", "Read it"},
            {"run", "--save", "review", "-t", "other", "-o", "a=b=c", "Review {{input}}"},
            {"run", "--model", "x", "--role", "R", "--system", "S", "--option", "k=", "--usage", "hi"},
        };
        for (String[] line : lines) {
            RunCommand read = RunArguments.read(line, CommandFields.context(home));
            assertThat(read).as(String.join(" ", line)).isNotNull();
            assertThat(CommandFields.of(read)).as(String.join(" ", line)).isEqualTo(picocli(line));
        }
        RunCommand budget = RunArguments.read(lines[2], CommandFields.context(home));
        assertThat(CommandFields.of(budget)).containsEntry("maxCost", "1")
                .containsEntry("models", "[\"benchpriced/gpt-4o-mini\"]").containsEntry("prompt", "[\"hi\"]")
                .containsEntry("mode", "null");
    }

    @Test
    void whatPicocliReadsItsOwnWayIsLeftToIt() {
        String[][] lines = {
            {"run"}, {"chat", "hi"}, {"--debug", "run", "hi"}, {"run", "--help"}, {"run", "-h"}, {"run", "-V"},
            {"run", "--model=x", "hi"}, {"run", "-mx", "hi"}, {"run", "-uj", "hi"}, {"run", "--", "-x"},
            {"run", "@args"}, {"run", "-m", "@models"}, {"run", ""}, {"run", "-s", ""}, {"run", "-x"},
            {"run", "-m"}, {"run", "-m", "--json"}, {"run", "-s", "-be brief"}, {"run", "-s", "a", "--system", "b"},
            {"run", "--json", "--json"}, {"run", "--parallel", "--sequential"}, {"run", "-c", "--cid", "x"},
            {"run", "-o", "novalue"}, {"run", "-o", "=v"}, {"run", "--max-cost", "abc"}, {"run", "--timeout", "5"},
            {"run", "-p", "k", "v"}, {"run", "--reasoning"}, {"run", "--no-color", "hi"}, {"run", "-", "hi"},
            {"run", "-5"}, {"run", "-o", "x\"=y\"=1", "hi"}, {"run", "-o", "\"a=b\"=c", "hi"},
        };
        for (String[] line : lines) {
            assertThat(RunArguments.read(line, CommandFields.context(home))).as(String.join(" ", line)).isNull();
        }
    }

    @Test
    void randomLinesItAcceptsArePicocliSuccessesWithTheSameFields() {
        Random random = new Random(20261205);
        int accepted = 0;
        for (int n = 0; n < 6_000; n++) {
            List<String> words = new ArrayList<>(List.of("run"));
            for (int i = random.nextInt(9); i > 0; i--) {
                String[] from = random.nextInt(8) == 0 ? ODD : WORDS;
                words.add(from[random.nextInt(from.length)]);
            }
            if (readAsPicocliReadsIt(words.toArray(String[]::new))) {
                accepted++;
            }
        }
        // not vacuous: a good share of the lines is read without picocli (one in eight with this seed)
        assertThat(accepted).isGreaterThan(600);
    }

    @Test
    void randomOptionValuesAreReadAsPicocliReadsThem() {
        // the values picocli reads its own way: -o's KEY=VALUE split (quotes), and whatever the others hold
        String alphabet = "ab=\"\\ ,-'@";
        Random random = new Random(20261205);
        int accepted = 0;
        for (int n = 0; n < 3_000; n++) {
            StringBuilder value = new StringBuilder();
            for (int i = 1 + random.nextInt(7); i > 0; i--) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String option = List.of("-o", "--option", "-s", "-m", "--cid", "-f").get(random.nextInt(6));
            if (readAsPicocliReadsIt(new String[] {"run", option, value.toString(), "hi"})) {
                accepted++;
            }
        }
        assertThat(accepted).isGreaterThan(600);
    }

    @Test
    void everyOptionOfRunsModelIsReadAsPicocliReadsItOrLeftToIt() {
        // run's options as picocli has them now: an option renamed, or given a value, there is caught here
        CliContext context = CommandFields.context(home);
        CommandLine root = LlmoCli.parser(context, new ErrorReporter(context), new String[] {"run"});
        int accepted = 0;
        for (CommandLine.Model.OptionSpec option : root.getSubcommands().get("run").getCommandSpec().options()) {
            for (String name : option.names()) {
                for (String[] line : new String[][] {{"run", name, "hi"}, {"run", name, "k=v", "hi"}}) {
                    if (readAsPicocliReadsIt(line)) {
                        accepted++;
                    }
                }
            }
        }
        assertThat(accepted).isGreaterThan(30);
    }

    /** Whether the reader took {@code line}; when it did, it left the fields picocli's parse leaves. */
    private boolean readAsPicocliReadsIt(String[] line) {
        RunCommand read = RunArguments.read(line, CommandFields.context(home));
        if (read != null) {
            assertThat(CommandFields.of(read)).as(String.join(" | ", line)).isEqualTo(picocli(line));
        }
        return read != null;
    }

    /** The fields of the run picocli's parse of {@code line} leaves, as {@link LlmoCli#execute} would parse it. */
    private Object picocli(String[] line) {
        CliContext context = CommandFields.context(home);
        CommandLine root = LlmoCli.parser(context, new ErrorReporter(context), line);
        try {
            root.parseArgs(line);
        } catch (CommandLine.ParameterException e) {
            return "refused by picocli: " + e.getMessage();
        }
        return CommandFields.of(root.getSubcommands().get("run").getCommand());
    }
}
