package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The models {@link CodedModels} writes in code are the ones picocli reads from the annotations of {@link LlmoCommand},
 * {@link RunCommand} and its mixins: the same help, the same options with the same attributes, and a parse sets the
 * same fields. A change made to the annotations and not to the code (or the other way round) fails here.
 */
class CodedModelsTest {
    @TempDir
    Path home;

    @Test
    void theRootIsTheAnnotatedRoot() {
        CommandFactory factory = new CommandFactory(context());
        LlmoCommand annotatedRoot = new LlmoCommand();
        LlmoCommand codedRoot = new LlmoCommand();
        CommandLine annotated = new CommandLine(annotatedRoot, factory);
        CommandLine coded = new CommandLine(CodedModels.root(codedRoot, factory), factory);

        assertThat(usage(coded)).isEqualTo(usage(annotated)).contains("--no-color", "Exit codes:");
        assertThat(model(coded.getCommandSpec())).isEqualTo(model(annotated.getCommandSpec()));
        assertThat(codedRoot.spec).isSameAs(coded.getCommandSpec());

        coded.parseArgs("--debug", "--no-color");
        annotated.parseArgs("--debug", "--no-color");
        assertThat(fields(codedRoot)).isEqualTo(fields(annotatedRoot)).containsEntry("debug", "true");
    }

    @Test
    void runIsTheAnnotatedRun() {
        CliContext context = context();
        CommandFactory factory = new CommandFactory(context);
        CommandLine annotated = underRoot(new CommandLine(new RunCommand(context), factory), factory);
        CommandLine coded = underRoot(new CommandLine(CodedModels.run(new RunCommand(context), factory), factory),
                factory);

        assertThat(usage(coded)).isEqualTo(usage(annotated)).contains("Usage: llmo run", "--sequential",
                "--[no-]reasoning", "--schema-multi", "--debug", "Examples:");
        assertThat(model(coded.getCommandSpec())).isEqualTo(model(annotated.getCommandSpec()));
    }

    @Test
    void modelsIsTheAnnotatedModels() {
        CliContext context = context();
        CommandFactory factory = new CommandFactory(context);
        ModelsCommand annotatedModels = new ModelsCommand(context);
        ModelsCommand codedModels = new ModelsCommand(context);
        CommandLine annotated = underRoot("models", new CommandLine(annotatedModels, factory), factory);
        CommandLine coded = underRoot("models", new CommandLine(CodedModels.models(codedModels, factory), factory),
                factory);

        assertThat(usage(coded)).isEqualTo(usage(annotated)).contains("Usage: llmo models", "--remote", "--json",
                "--debug", "Examples:");
        assertThat(model(coded.getCommandSpec())).isEqualTo(model(annotated.getCommandSpec()));

        for (String[] args : new String[][] {{"models"}, {"models", "--json", "--remote", "--no-color"}}) {
            coded.getParent().parseArgs(args);
            annotated.getParent().parseArgs(args);
            assertThat(fields(codedModels)).as(String.join(" ", args)).isEqualTo(fields(annotatedModels));
        }
        assertThat(fields(codedModels)).containsEntry("json", "true").containsEntry("remote", "true");
    }

    @Test
    void logVerifyIsTheAnnotatedVerifyMethod() {
        CliContext context = context();
        CommandFactory factory = new CommandFactory(context);
        CommandLine annotated = underLog(new CommandLine(CommandLine.getCommandMethods(LogCommand.class, "verify")
                .get(0), factory), factory);
        CommandLine coded = underLog(new CommandLine(CodedModels.logVerify(new LogCommand(context), factory), factory),
                factory);

        assertThat(usage(coded)).isEqualTo(usage(annotated)).contains("Usage: llmo log verify", "[ID |",
                "--anchor=HASH", "--strict", "--debug", "Examples:");
        assertThat(model(coded.getCommandSpec())).isEqualTo(model(annotated.getCommandSpec()));

        String[][] commandLines = {{}, {"01JD"}, {"--all", "--repair", "--anchor", "sha256:3f", "--strict"},
            {"--anchor=x", "--no-color", "abc", "--repair"}, {"--all", "abc"}, {"a", "b"}, {"--anchor"}};
        for (String[] args : commandLines) {
            assertThat(verifyParse(true, args)).as(String.join(" ", args)).isEqualTo(verifyParse(false, args));
        }
        assertThat(verifyParse(true, commandLines[2])).contains("--all=true", "--repair=true", "--anchor=sha256:3f",
                "--strict=true", "ID=null");
        assertThat(verifyParse(true, commandLines[3])).contains("ID=abc", "--anchor=x", "--all=false");
        assertThat(verifyParse(true, commandLines[4])).startsWith("error: ");
    }

    /** The value of every argument of a new {@code verify} after a parse of {@code args}, or the error it ends with. */
    private String verifyParse(boolean coded, String... args) {
        CliContext context = context();
        CommandFactory factory = new CommandFactory(context);
        CommandLine verify = underLog(coded ? new CommandLine(CodedModels.logVerify(new LogCommand(context), factory),
                factory) : new CommandLine(CommandLine.getCommandMethods(LogCommand.class, "verify").get(0), factory),
                factory);
        String[] line = new String[args.length + 2];
        line[0] = "log";
        line[1] = "verify";
        System.arraycopy(args, 0, line, 2, args.length);
        try {
            verify.getParent().getParent().parseArgs(line);
        } catch (CommandLine.ParameterException e) {
            return "error: " + e.getMessage();
        }
        Map<String, String> values = new TreeMap<>();
        for (ArgSpec arg : verify.getCommandSpec().args()) {
            values.put(label(arg).replaceAll("[\\[\\]]", ""), String.valueOf((Object) arg.getValue()));
        }
        return values.toString();
    }

    private static CommandLine underLog(CommandLine verify, CommandFactory factory) {
        CommandLine root = new CommandLine(new LlmoCommand(), factory);
        CommandLine log = new CommandLine(CommandSpec.wrapWithoutInspection(new Object(), factory), factory);
        log.addSubcommand("verify", verify);
        root.addSubcommand("log", log);
        return verify;
    }

    @Test
    void aParseOfEveryRunOptionSetsTheSameFields() {
        String[][] commandLines = {
            {},
            {"-m", "a/b", "--model=c", "--parallel", "--concurrency", "3", "--compare", "-r", "Dev", "-s", "sys",
                "-o", "temperature=0.2", "-o", "max_tokens=5", "-c", "--no-log", "-T", "fs.*", "--approve", "fs.read",
                "--yolo", "--max-tool-rounds", "4", "-a", "x.png", "--attach-type", "image/png", "--schema", "name",
                "--schema-retries", "2", "-t", "review", "-p", "lang", "Go", "--save", "mine", "-f", "README.md",
                "--sf", "STYLE.md", "--json", "--no-reasoning", "--no-stream", "-u", "--dry-run", "--max-cost", "0.5",
                "--timeout", "120", "--debug", "hello", "world"},
            {"--sequential", "--cid", "abc", "--schema-multi", "x", "--reasoning", "--role", "R", "--", "-p"},
            {"--mode", "R", "--resume", "abc", "--continue"},
        };
        for (String[] args : commandLines) {
            assertThat(parsed(true, args)).as(String.join(" ", args)).isEqualTo(parsed(false, args));
        }
        assertThat(parsed(true, commandLines[1])).contains("mode.parallel=true", "shared.continuation.last=true",
                "templates.params=[\"lang\", \"Go\"]", "maxCost=0.5", "prompt=[\"hello\", \"world\"]",
                "reasoning.reasoning=false");
        assertThat(parsed(true)).contains("mode=null", "shared.continuation=null", "schemaOptions.given=null",
                "reasoning.reasoning=null", "toolOptions.maxToolRounds=10");
    }

    /** What a parse of {@code args} leaves in the fields of a run, or the error it ends with. */
    private String parsed(boolean coded, String... args) {
        CliContext context = context();
        CommandFactory factory = new CommandFactory(context);
        RunCommand run = new RunCommand(context);
        CommandLine command = underRoot(new CommandLine(coded ? CodedModels.run(run, factory) : run, factory),
                factory);
        String[] withCommand = new String[args.length + 1];
        withCommand[0] = "run";
        System.arraycopy(args, 0, withCommand, 1, args.length);
        try {
            command.getParent().parseArgs(withCommand);
        } catch (CommandLine.ParameterException e) {
            return "error: " + e.getMessage();
        }
        return fields(run).toString();
    }

    private CommandLine underRoot(CommandLine run, CommandFactory factory) {
        return underRoot("run", run, factory);
    }

    private CommandLine underRoot(String name, CommandLine command, CommandFactory factory) {
        CommandLine root = new CommandLine(new LlmoCommand(), factory);
        root.addSubcommand(name, command);
        return command;
    }

    /**
     * Every attribute of a command's model that help, parsing or completion reads. Which mixin an option came from is
     * not among them: the coded {@code run} adds its mixins' options to itself (CodedModels).
     */
    private static String model(CommandSpec spec) {
        StringBuilder model = new StringBuilder();
        model.append("name=").append(spec.qualifiedName()).append(" aliases=").append(List.of(spec.aliases()))
                .append(" standardHelp=")
                .append(spec.mixinStandardHelpOptions()).append(" version=").append(spec.versionProvider() != null)
                .append(" exit=").append(spec.exitCodeOnInvalidInput()).append(spec.exitCodeOnExecutionException())
                .append(" helpCommand=").append(spec.helpCommand()).append(" scope=").append(spec.scopeType())
                .append(" separator=").append(spec.parser().separator()).append('\n');
        for (ArgSpec arg : spec.args()) {
            model.append(arg(arg)).append('\n');
        }
        for (ArgGroupSpec group : spec.argGroups()) {
            model.append("group ").append(group.synopsis()).append(" exclusive=").append(group.exclusive())
                    .append(" multiplicity=").append(group.multiplicity()).append(" validate=").append(group.validate())
                    .append(" heading=").append(group.heading()).append(" order=").append(group.order())
                    .append(" args=").append(group.args().stream().map(CodedModelsTest::label).toList()).append('\n');
        }
        return model.toString();
    }

    private static String arg(ArgSpec arg) {
        StringBuilder text = new StringBuilder(label(arg));
        if (arg instanceof OptionSpec option) {
            text.append(" negatable=").append(option.negatable()).append(" usageHelp=").append(option.usageHelp())
                    .append(" versionHelp=").append(option.versionHelp()).append(" order=").append(option.order())
                    .append(" fallback=").append(option.fallbackValue());
        }
        Function<Object, String> show = value -> value == null ? "null" : value.getClass().getName() + ":" + value;
        return text.append(" arity=").append(arg.arity()).append(" type=").append(arg.type().getName())
                .append(" aux=").append(Arrays.stream(arg.auxiliaryTypes()).map(Class::getName).toList())
                .append(" label=").append(arg.paramLabel()).append(" hideParamSyntax=").append(arg.hideParamSyntax())
                .append(" description=").append(List.of(arg.description())).append(" key=")
                .append(arg.descriptionKey()).append(" default=").append(arg.defaultValue()).append(" initial=")
                .append(arg.hasInitialValue()).append('/').append(show.apply(arg.initialValue()))
                .append(" required=").append(arg.required()).append(" hidden=").append(arg.hidden())
                .append(" interactive=").append(arg.interactive()).append(" split=").append(arg.splitRegex())
                .append(" showDefault=").append(arg.showDefaultValue()).append(" scope=").append(arg.scopeType())
                .append(" inherited=").append(arg.inherited()).append(" group=")
                .append(arg.group() == null ? "-" : arg.group().synopsis()).append(" converters=")
                .append(arg.converters().length).append(" completion=").append(arg.completionCandidates())
                .toString();
    }

    private static String label(ArgSpec arg) {
        return arg instanceof OptionSpec option ? List.of(option.names()).toString() : arg.paramLabel();
    }

    private static String usage(CommandLine command) {
        command.setUsageHelpWidth(100);
        StringWriter usage = new StringWriter();
        command.usage(new PrintWriter(usage), CommandLine.Help.Ansi.OFF);
        return usage.toString();
    }

    /** The object's fields, and those of the objects it holds that are llmo's own (mixins, groups), by path. */
    private static Map<String, String> fields(Object object) {
        return CommandFields.of(object);
    }

    private CliContext context() {
        return CommandFields.context(home);
    }
}
