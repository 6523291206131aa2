package dev.llmo.cli;

import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.cli.terminal.ErrorLine;
import dev.llmo.config.NameSuggestions;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.Unexpected;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where errors become what the user sees and the exit code: one line on stderr,
 * {@code llmo: error: what; how to fix it}, and the stack trace only with --debug.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    /** What is said when memory ran out, wherever it was caught (constants: {@code Main} has them ready early). */
    public static final String OUT_OF_MEMORY = "out of memory";
    public static final String OUT_OF_MEMORY_FIX = "give the JVM more with JAVA_TOOL_OPTIONS=-Xmx2g (or ask for "
            + "less: a shorter history, fewer models at once)";

    private final CliContext context;

    ErrorReporter(CliContext context) {
        this.context = context;
    }

    /** The exit code for any failure that reaches the top. */
    static ExitCode exitCodeOf(Throwable error) {
        if (error instanceof LlmoException e) {
            return e.exitCode();
        }
        if (error instanceof ParameterException) {
            return ExitCode.USAGE;
        }
        return ExitCode.FAILURE;
    }

    @Override
    public int handleExecutionException(Exception error, CommandLine commandLine, ParseResult parseResult) {
        return report(error);
    }

    @Override
    public int handleParseException(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        // picocli starts some messages with its own "Error: "; ours already says it
        String message = error.getMessage().replaceFirst("^Error: ", "");
        String fix = "see '" + command.getCommandSpec().qualifiedName() + " --help'";
        Matcher notKeyValue = ErrorPatterns.NOT_KEY_VALUE.matcher(message);
        if (notKeyValue.matches()) {
            // picocli's "Value for option option '--option' (KEY=VALUE) should be in KEY=VALUE format but was x"
            message = "-o needs KEY=VALUE, got '" + notKeyValue.group(1) + "'";
            fix = "e.g. -o temperature=0.2";
        } else if (message.startsWith("Invalid value for")) {
            // picocli names Java types: "'x' is not a double", "'x' is not an int"
            message = message.replaceFirst("' is not a (double|float)$", "' is not a number")
                    .replaceFirst("' is not an? (int|long|short)$", "' is not a whole number");
        } else if (error instanceof picocli.CommandLine.MutuallyExclusiveArgsException
                && message.startsWith("--continue, --resume=ID are mutually exclusive")) {
            // picocli names each option by its longest name: --resume, where the user may have typed --cid
            message = "-c/--continue and --cid/--resume both choose the conversation to continue";
            fix = "give one of them: -c for the conversation used last, --cid ID for another";
        } else if (error instanceof UnmatchedArgumentException
                && command.getCommandSpec().qualifiedName().startsWith("llmo vault")) {
            // what was typed may be a secret (vault set X --value=sk-…): never repeat it
            message = "unexpected argument (not shown: it may be a secret; llmo never takes secrets on the command "
                    + "line)";
        } else if (error instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String word = unmatched.getUnmatched().get(0);
            var subcommands = command.getSubcommands().keySet();
            if (subcommands.contains(word)) {
                message = "'" + word + "' after '--' is an argument, not a command";
            } else if (!word.startsWith("-") && !subcommands.isEmpty()) {
                String hint = NameSuggestions.didYouMean(word, subcommands);
                message = "unknown command '" + word + "'" + (hint.isEmpty() ? "" : " (" + hint + ")");
            } else if (!word.startsWith("-")) {
                // picocli: "Unmatched argument at index 1: 'fake'"; say what the command takes instead
                message = extraArguments(command, unmatched.getUnmatched());
            } else if (!unmatched.getSuggestions().isEmpty()) {
                message += " (did you mean '" + String.join("' or '", unmatched.getSuggestions()) + "'?)";
            }
        }
        print(message, fix, error);
        return ExitCode.USAGE.code();
    }

    /** {@code unexpected argument 'fake': llmo models takes no arguments} (or the ones it takes). */
    private static String extraArguments(CommandLine command, java.util.List<String> extra) {
        var spec = command.getCommandSpec();
        var labels = spec.positionalParameters().stream().filter(p -> !p.hidden()).map(p -> p.paramLabel()).toList();
        return "unexpected argument" + (extra.size() == 1 ? " " : "s ") + "'" + String.join("', '", extra) + "': "
                + spec.qualifiedName() + (labels.isEmpty() ? " takes no arguments"
                        : " takes only " + String.join(" ", labels));
    }

    /** Prints the error and returns its exit code. */
    int report(Throwable error) {
        if (error instanceof LlmoException e && e.exitCode() == ExitCode.STDOUT_CLOSED && !context.debug()) {
            // the reader of stdout went away on purpose (| head): silent, as a tool killed by SIGPIPE is
            return e.exitCode().code();
        }
        if (outOfMemory(error)) {
            // not "a bug in llmo": the heap was too small for what was asked (a call thread caught it and ended)
            print(OUT_OF_MEMORY, OUT_OF_MEMORY_FIX, error);
            return ExitCode.FAILURE.code();
        }
        if (error instanceof LlmoException e) {
            print(e.getMessage(), e.fix(), e);
        } else {
            print("internal error: " + Unexpected.describe(error),
                    "this is a bug in llmo; rerun with --debug and report the stack trace", error);
        }
        return exitCodeOf(error).code();
    }

    /** Whether memory running out is what caused {@code error}, anywhere in its chain of causes. */
    static boolean outOfMemory(Throwable error) {
        int depth = 0;
        for (Throwable cause = error; cause != null && depth < 64; cause = cause.getCause(), depth++) {
            if (cause instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    private void print(String message, String fix, Throwable error) {
        PrintWriter err = context.err();
        // a server's error message is text from outside: on a terminal its control characters are shown, not obeyed
        boolean terminal = context.environment().stderrIsTerminal();
        err.println(ErrorLine.of(TerminalText.forTerminal(message, terminal), TerminalText.forTerminal(fix, terminal),
                context.colorErr()));
        if (context.debug()) {
            // the trace repeats those messages (a cause's too): shown, not obeyed, as well
            err.print(TerminalText.forTerminal(Unexpected.trace(error), terminal));
        }
        err.flush();
    }

    /** Compiled when an error needs them: every start loaded this class, few report a malformed option. */
    private static final class ErrorPatterns {
        static final Pattern NOT_KEY_VALUE = Pattern.compile(
                "Value for option option '--option' \\(KEY=VALUE\\) should be in KEY=VALUE format but was (.*)",
                Pattern.DOTALL);
    }
}
