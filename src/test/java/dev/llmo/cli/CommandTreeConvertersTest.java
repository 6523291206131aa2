package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * LlmoCli tells picocli not to register the converters it makes by reflection (java.sql, java.time, java.nio.file: a
 * start-up cost, ADR-003) and registers its own for Path: an option of another such type would fail to convert at run
 * time. Every option and parameter is checked here.
 */
class CommandTreeConvertersTest {
    /** What picocli converts without reflection, and what LlmoCli registers (BigDecimal over picocli's, Path). */
    private static final Set<Class<?>> CONVERTED = Set.of(Object.class, String.class, StringBuilder.class,
            char[].class, CharSequence.class, Byte.class, byte.class, Boolean.class, boolean.class, Character.class,
            char.class, Short.class, short.class, Integer.class, int.class, Long.class, long.class, Float.class,
            float.class, Double.class, double.class, File.class, URI.class, URL.class, BigDecimal.class,
            BigInteger.class, Path.class);

    @TempDir
    Path home;

    @Test
    void noOptionOrParameterNeedsAConverterThatIsNotRegistered() {
        CommandLine root = LlmoCli.tree(context(), null);
        List<String> excluded = new ArrayList<>();
        List<ArgSpec> args = new ArrayList<>();
        collect(root, args);

        for (ArgSpec arg : args) {
            List<Class<?>> types = new ArrayList<>(List.of(arg.auxiliaryTypes()));
            if (!arg.isMultiValue()) {
                types.add(arg.type());
            }
            for (Class<?> type : types) {
                if (!type.isEnum() && !CONVERTED.contains(type) && arg.converters().length == 0) {
                    excluded.add(arg.command().qualifiedName() + " " + arg.paramLabel() + ": " + type.getName());
                }
            }
        }

        assertThat(args).hasSizeGreaterThan(100);
        assertThat(excluded).isEmpty();
    }

    @Test
    void aPathOptionIsConvertedAndABadPathIsAUsageError() {
        CliContext context = context();
        CommandLine root = LlmoCli.commandLine(context, new ErrorReporter(context),
                new String[] {"batch", "run", "--eval", "x.yaml"});
        CommandLine batchRun = root.getSubcommands().get("batch").getSubcommands().get("run");

        root.parseArgs("batch", "run", "--eval", "evals/x.yaml", "data.jsonl");
        assertThat(batchRun.getCommandSpec().findOption("--eval").<Path>getValue()).isEqualTo(Path.of("evals/x.yaml"));
        assertThatThrownBy(() -> root.parseArgs("batch", "run", "--eval", "bad\0name", "data.jsonl"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'bad\0name' is not a usable path");
    }

    private CliContext context() {
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        return new CliContext(environment, new GlobalOptions(false, false));
    }

    private static void collect(CommandLine command, List<ArgSpec> args) {
        args.addAll(command.getCommandSpec().args());
        command.getSubcommands().values().forEach(sub -> collect(sub, args));
    }
}
