package dev.llmo.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Hidden: exercises the common paths once so that the launcher can record them in the AppCDS archive
 * (src/main/launcher/llmo.sh). Prints nothing.
 */
@Command(name = "__cds-train", hidden = true)
final class CdsTrainingCommand implements Callable<Integer> {
    private static final List<List<String>> PATHS = List.of(
            List.of("--help"), List.of("--version"), List.of("models"), List.of("models", "--json"),
            List.of("run", "--help"), List.of("run", "-m", "no-such-model", "x"), List.of("chain", "list"),
            List.of("--no-such-flag"));

    private final CliContext context;

    CdsTrainingCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CliEnvironment real = context.environment();
        for (List<String> args : PATHS) {
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            CliEnvironment quiet = new CliEnvironment(new ByteArrayInputStream(new byte[0]), sink, sink, real.env(),
                    real.workingDir(), real.home(), "");
            LlmoCli.execute(args.toArray(String[]::new), quiet);
        }
        return 0;
    }
}
