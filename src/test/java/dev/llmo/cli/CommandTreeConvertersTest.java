package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * LlmoCli tells picocli not to register its java.sql and java.time converters (a start-up cost, ADR-003): an
 * option of such a type would then fail to convert at run time. Every option and parameter is checked here.
 */
class CommandTreeConvertersTest {
    @TempDir
    Path home;

    @Test
    void noOptionOrParameterNeedsAConverterThatIsNotRegistered() {
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                Map.of("LLMO_HOME", home.resolve("llmo").toString()), home, home, "");
        CommandLine root = LlmoCli.tree(new CliContext(environment, new GlobalOptions(false, false)), null);
        List<String> excluded = new ArrayList<>();
        List<ArgSpec> args = new ArrayList<>();
        collect(root, args);

        for (ArgSpec arg : args) {
            List<Class<?>> types = new ArrayList<>(List.of(arg.auxiliaryTypes()));
            types.add(arg.type());
            for (Class<?> type : types) {
                if (type.getName().matches(System.getProperty("picocli.converters.excludes"))
                        && arg.converters().length == 0) {
                    excluded.add(arg.command().qualifiedName() + " " + arg.paramLabel() + ": " + type.getName());
                }
            }
        }

        assertThat(args).hasSizeGreaterThan(100);
        assertThat(excluded).isEmpty();
    }

    private static void collect(CommandLine command, List<ArgSpec> args) {
        args.addAll(command.getCommandSpec().args());
        command.getSubcommands().values().forEach(sub -> collect(sub, args));
    }
}
