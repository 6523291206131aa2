package dev.llmo.cli;

import dev.llmo.failure.LlmoException;
import dev.llmo.failure.UsageException;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;

/** Builds the picocli command line with llmo's factory, error handling and colours, and runs it. */
public final class LlmoCli {
    /** Every command, in the order --help lists them. */
    static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();
    /** The long options of llmo itself, which come before a command's name. */
    private static final Set<String> ROOT_OPTIONS = Set.of("--debug", "--no-color", "--help", "--version");
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";
    private static final String CLOSURES = "picocli.disable.closures";

    static {
        COMMANDS.put("run", RunCommand.class);
        COMMANDS.put("chat", ChatCommand.class);
        COMMANDS.put("chain", ChainCommand.class);
        COMMANDS.put("batch", BatchCommand.class);
        COMMANDS.put("vault", VaultCommand.class);
        COMMANDS.put("models", ModelsCommand.class);
        COMMANDS.put("log", LogCommand.class);
        COMMANDS.put("cost", CostCommand.class);
        COMMANDS.put("tools", ToolsCommand.class);
        COMMANDS.put("templates", TemplatesCommand.class);
        COMMANDS.put("trust", TrustCommand.class);
        COMMANDS.put("untrust", UntrustCommand.class);
        COMMANDS.put("install-completion", InstallCompletionCommand.class);
        COMMANDS.put("help", HelpCommand.class);
        COMMANDS.put("__cds-train", CdsTrainingCommand.class);
        // Every CommandLine picocli makes registers converters for 19 types of java.sql, java.time and java.nio.file
        // by reflection, testing each name against this regex first: about 80 classes and 40 regex compiles a start
        // (a run makes two CommandLines: ~11 ms of its wall time, ADR-003, "Sixteenth round"). Of those types llmo's
        // options use Path alone, whose converter commandLine() registers. Its documented switch:
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, ".*");
        }
        // Its default factory looks for Groovy's Closure class, for Groovy scripts' annotations, which llmo has none
        // of: a failed class lookup through the whole jar and an exception, ~2 ms of every command (ADR-003, "Tenth
        // round"). Its documented switch:
        if (System.getProperty(CLOSURES) == null) {
            System.setProperty(CLOSURES, "true");
        }
    }

    private LlmoCli() {
    }

    /** Runs one invocation and returns its exit code; never throws, but for the JVM failing (out of memory). */
    public static int execute(String[] args, CliEnvironment environment) {
        if (args.length == 2 && CompletionValues.COMMAND.equals(args[0])) {
            return CompletionValues.print(args[1], environment);
        }
        GlobalOptions options = GlobalOptions.scan(args, environment.env());
        CliContext context = new CliContext(environment, options);
        ErrorReporter reporter = new ErrorReporter(context);
        boolean outOfMemory = false;
        try {
            refuseOptionBeforeCommand(args);
            RunCommand run = RunArguments.read(args, context);
            int code;
            if (run != null) {
                // a plain run, read without picocli's model: what picocli's execute would then do (RunArguments)
                StartupWarmup.beginForPlainRun(context);
                code = run.call();
            } else {
                code = commandLine(context, reporter, args).execute(args);
            }
            // what a command printed must have reached stdout: PrintWriter swallows write errors, exit 0 must not
            LlmoException lost = code == 0 ? StdoutWriter.failure(environment.out()) : null;
            return lost == null ? code : reporter.report(lost);
        } catch (OutOfMemoryError e) {
            outOfMemory = true;
            throw e; // the entry point's handler ends the process at once, with one line
        } catch (RuntimeException | Error e) {
            return reporter.report(e);
        } finally {
            // the answer's end and the error line out first: closing the logs syncs them to disk, which on a loaded
            // machine took longer than a signal's hook waits for this command (exit 130 with nothing on stderr)
            environment.out().flush();
            environment.err().flush();
            if (!outOfMemory) {
                // left open for the entry point's handler, which ends the logs (error, session.end), then the process
                context.closeAll();
            }
            environment.out().flush();
            environment.err().flush();
            CancelOnInterrupt.ended();
        }
    }

    static CommandLine commandLine(CliContext context, ErrorReporter reporter, String[] args) {
        StartupWarmup.beginFor(firstCommandWord(args), args, context);
        return parser(context, reporter, args);
    }

    /** The command line that reads {@code args}, set up as {@link #execute} runs it. */
    static CommandLine parser(CliContext context, ErrorReporter reporter, String[] args) {
        // Building a command's model costs real start-up time, so only the command being run is built; help,
        // a mistyped command or no command at all need every name and get them all.
        String wanted = firstCommandWord(args);
        boolean all = !COMMANDS.containsKey(wanted) && (wanted != null || needsAll(args));
        CommandLine commandLine = all ? (onlyAsksForRootHelp(args) ? rootHelp(context) : namesOnly(context))
                : isLogVerify(args) ? logVerifyOnly(context) : tree(context, wanted == null ? "" : wanted);
        commandLine.setOut(context.out());
        commandLine.setErr(context.err());
        commandLine.setColorScheme(Help.defaultColorScheme(context.colorOut() ? Help.Ansi.ON : Help.Ansi.OFF));
        commandLine.setExecutionExceptionHandler(reporter);
        commandLine.setParameterExceptionHandler(reporter);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.registerConverter(BigDecimal.class, LlmoCli::decimal);
        commandLine.registerConverter(Path.class, LlmoCli::path);
        return commandLine;
    }

    /** The command tree with every command (null), or only the command named {@code onlyCommand} ("" for none). */
    static CommandLine tree(CliContext context, String onlyCommand) {
        CommandFactory factory = new CommandFactory(context);
        CommandLine commandLine = new CommandLine(CodedModels.root(new LlmoCommand(), factory), factory);
        for (Map.Entry<String, Class<?>> command : COMMANDS.entrySet()) {
            if (onlyCommand == null || command.getKey().equals(onlyCommand)) {
                // run's and models' models are written in code: reading their annotations was most of their
                // start-up (CodedModels)
                Object model = command.getValue() == RunCommand.class
                        ? CodedModels.run(new RunCommand(context), factory)
                        : command.getValue() == ModelsCommand.class
                        ? CodedModels.models(new ModelsCommand(context), factory) : command.getValue();
                CommandLine sub = new CommandLine(model, factory);
                withVersion(sub);
                commandLine.addSubcommand(command.getKey(), sub);
            }
        }
        return commandLine;
    }

    /**
     * The root with {@code log} holding only {@code verify}: its other six subcommands' models cost more start-up
     * than verifying a log of megabytes (ADR-003, "Throughput").
     */
    static CommandLine logVerifyOnly(CliContext context) {
        CommandFactory factory = new CommandFactory(context);
        CommandLine commandLine = new CommandLine(CodedModels.root(new LlmoCommand(), factory), factory);
        LogCommand logCommand = new LogCommand(context);
        CommandLine log = new CommandLine(CommandSpec.wrapWithoutInspection(logCommand, factory), factory);
        // written in code: reading the verify method's annotations was a third of a short log's verify (CodedModels)
        CommandLine verify = new CommandLine(CodedModels.logVerify(logCommand, factory), factory);
        verify.getCommandSpec().versionProvider(VERSION);
        log.addSubcommand("verify", verify);
        commandLine.addSubcommand("log", log);
        return commandLine;
    }

    /** Whether the command is {@code log verify}: {@code verify} right after the first command word {@code log}. */
    private static boolean isLogVerify(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if ("--".equals(args[i])) {
                return false;
            }
            if (!args[i].startsWith("-")) {
                return "log".equals(args[i]) && "verify".equals(args[i + 1]);
            }
        }
        return false;
    }

    /**
     * The root with every command as a name and the line the root's help lists for it: enough for that help, a
     * mistyped command's suggestion and a missing command, none of which runs a command. Building each command's full
     * model (every option, by reflection) was most of the time {@code llmo --help} took, and reading even their
     * {@code @Command} annotations a fifth of what was left (the JDK generates a proxy class per annotation type at
     * run time, which no class archive holds), so the lines are written out in {@link #SUMMARIES};
     * {@code LlmoCliTest} checks that this help is the whole tree's.
     */
    static CommandLine namesOnly(CliContext context) {
        CommandFactory factory = new CommandFactory(context);
        CommandLine commandLine = new CommandLine(CodedModels.root(new LlmoCommand(), factory), factory);
        for (String name : COMMANDS.keySet()) {
            String summary = SUMMARIES.get(name);
            CommandSpec spec = CommandSpec.create().name(name);
            spec.usageMessage().description(summary == null ? new String[0] : new String[] {summary})
                    .hidden(summary == null);
            commandLine.addSubcommand(name, spec);
        }
        return commandLine;
    }

    /**
     * The root alone, whose help lists the commands of {@link #SUMMARIES} as the whole tree's help does: for {@code
     * llmo}, {@code llmo --help} and the like, which run no command and mistype none. Each of the fifteen commands'
     * {@code CommandLine}s of {@link #namesOnly} registers picocli's built-in converters, compiling the converter
     * exclusion regex 19 times (~17 ms of a 240 ms {@code --help}, ADR-003); here no command has one.
     * {@code LlmoCliTest} checks that this help is the whole tree's.
     */
    static CommandLine rootHelp(CliContext context) {
        CommandFactory factory = new CommandFactory(context);
        CommandSpec root = CodedModels.root(new LlmoCommand(), factory);
        root.usageMessage().helpFactory(RootHelp::new);
        return new CommandLine(root, factory);
    }

    /** Whether every argument is a global flag or asks for help: what {@link #rootHelp} can answer alone. */
    private static boolean onlyAsksForRootHelp(String[] args) {
        for (String arg : args) {
            if (!ROOT_HELP_ARGS.contains(arg)) {
                return false;
            }
        }
        return true;
    }

    private static final java.util.Set<String> ROOT_HELP_ARGS = java.util.Set.of("-h", "--help", "--debug", "--no-color");

    /** The root's help as if the commands were its subcommands: {@code [COMMAND]} in the synopsis, and their list. */
    private static final class RootHelp extends Help {
        RootHelp(CommandSpec spec, Help.ColorScheme colorScheme) {
            super(spec, colorScheme);
        }

        @Override
        protected Help.Ansi.Text createDetailedSynopsisCommandText() {
            return ansi().new Text(0).concat(" ").concat(commandSpec().usageMessage().synopsisSubcommandLabel());
        }

        @Override
        public String commandListHeading(Object... params) {
            return createHeading(commandSpec().usageMessage().commandListHeading(), params);
        }

        @Override
        public String commandList() {
            Map<String, Help> listed = new LinkedHashMap<>();
            for (String name : COMMANDS.keySet()) {
                String summary = SUMMARIES.get(name);
                if (summary != null) {
                    CommandSpec spec = CommandSpec.create().name(name);
                    spec.usageMessage().description(summary);
                    listed.put(name, new Help(spec, colorScheme()));
                }
            }
            return commandList(listed);
        }
    }

    /**
     * The first line of each listed command's {@code @Command} description, which the root's help shows beside its
     * name; a command without one ({@code __cds-train}) is hidden.
     */
    static final Map<String, String> SUMMARIES = Map.ofEntries(
            Map.entry("run", "Send a prompt to one model, or to several in parallel or in sequence."),
            Map.entry("chat", "Chat with a model in an interactive session (streaming, /commands, history)."),
            Map.entry("chain", "List, show, validate and run the chains of config.yaml."),
            Map.entry("batch", "Run a prompt over every row of a dataset (JSON Lines or CSV) on one or more models."),
            Map.entry("vault", "Keep API keys in an encrypted vault (PBKDF2-HMAC-SHA256 + AES-256-GCM)."),
            Map.entry("models", "List the configured providers and models with context window, price and source "
                    + "layer."),
            Map.entry("log", "List, show, verify, anchor, replay and export conversations (hash-chained event logs)."),
            Map.entry("cost", "Show what was spent, from the event logs."),
            Map.entry("tools", "List the tools a model can be offered: MCP servers' tools and command tools."),
            Map.entry("templates", "List, show, edit and remove saved templates (made with 'llmo run --save NAME', "
                    + "used with 'llmo run -t NAME')."),
            Map.entry("trust", "Trust the project configuration in DIR/.llmo/ (default: the nearest .llmo/ above the "
                    + "working directory), as its files are now."),
            Map.entry("untrust", "Remove DIR from the trusted projects: its .llmo/ configuration is untrusted again."),
            Map.entry("install-completion", "Install tab completion for bash, zsh or fish."),
            Map.entry("help", "Show a page of the user guide (bundled with llmo), or list the pages."));

    // so that "llmo run --version" prints the version too, not an empty line
    private static void withVersion(CommandLine command) {
        command.getCommandSpec().versionProvider(VERSION);
        command.getSubcommands().values().forEach(LlmoCli::withVersion);
    }

    private static final BuildInfo VERSION = new BuildInfo();

    private static BigDecimal decimal(String text) {
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number (write e.g. 0.50)");
        }
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a usable path: " + e.getReason());
        }
    }

    /**
     * A command's option given before the command ({@code llmo -m local run hi}): picocli would take the option's
     * value for a mistyped command and blame the command's own arguments. Refused only when the command's name comes
     * right after the option or after its value, with nothing but llmo's own options before it: a mistyped command
     * ({@code llmo rnu -m x run}) is left to picocli, which names it. Only the option's name is repeated: what
     * follows it may be anything.
     */
    static void refuseOptionBeforeCommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || "--".equals(arg) || "-".equals(arg)) {
                return; // a command (or a mistyped one), or the end of options
            }
            if (isRootOption(arg)) {
                continue;
            }
            for (int j = i + 1; j < Math.min(args.length, i + 3); j++) {
                if (COMMANDS.containsKey(args[j])) {
                    String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                    throw new UsageException("option '" + option + "' comes before the command '" + args[j]
                            + "': a command's options go after its name", "write llmo " + args[j] + " " + option
                            + " …");
                }
            }
            return;
        }
    }

    /** {@code --debug}, {@code --debug=true}, {@code -hV}: llmo's own options, as picocli reads them. */
    private static boolean isRootOption(String arg) {
        if (arg.startsWith("--")) {
            return ROOT_OPTIONS.contains(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg);
        }
        return arg.length() > 1 && arg.substring(1).chars().allMatch(c -> c == 'h' || c == 'V');
    }

    /** The first argument that is not an option: the command picocli will look for. */
    private static String firstCommandWord(String[] args) {
        for (String arg : args) {
            if ("--".equals(arg)) {
                return null;
            }
            if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    /** Without a command, everything but --version shows or needs the full list. */
    private static boolean needsAll(String[] args) {
        for (String arg : args) {
            if ("--version".equals(arg) || "-V".equals(arg)) {
                return false;
            }
        }
        return true;
    }
}
