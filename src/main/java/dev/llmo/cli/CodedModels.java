package dev.llmo.cli;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.Arrays;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ScopeType;

/**
 * The picocli models of the root, {@code run}, {@code models} and {@code log verify}, written in code instead of read
 * from their annotations. Reading annotations was most of what building those models cost at start-up: the JDK parses
 * each annotation and generates a proxy class per annotation type at run time (nine in a {@code run}, which a JDK 17
 * class archive cannot hold), and picocli adds {@code -h}/{@code -V} through an annotated class of its own (ADR-003).
 *
 * <p>The annotations on {@link LlmoCommand}, {@link RunCommand} and its mixins, {@link ModelsCommand} and {@code
 * LogCommand.verify} stay the declaration (chat and chain share the mixins; {@code CodedModelsTest} reads them): that
 * test proves each coded model equal to picocli's reading of the annotations (the help, every option's attributes,
 * what a parse sets), so a change made to one and not to the other fails there. The values are bound to the same
 * fields the annotations are on (for {@code log verify}, to fields standing for the method's parameters).
 *
 * <p>{@code run}'s mixins are not mixins here: their options are added to {@code run}'s model itself, bound to the
 * mixin objects' fields. A mixin is a model of its own, and each model picocli makes compiles the four regexes of its
 * negatable-option transformer and sets up its usage message: seven of them cost a run ~4 ms (ADR-003, "Sixteenth
 * round"). Nothing reads which mixin an option came from: help, parsing and completion see the same options.
 */
final class CodedModels {
    private CodedModels() {
    }

    /** The root, {@link LlmoCommand}'s model. */
    static CommandSpec root(LlmoCommand root, IFactory factory) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(root, factory).name("llmo");
        spec.versionProvider(new BuildInfo());
        spec.usageMessage().autoWidth(true)
                .header("llmo, the llm-orchestrator: send prompts to one or many LLMs, chain them, chat with them.")
                .description("",
                        "Models are named provider/model (openai/gpt-4o-mini), by provider alone (its default model) or by "
                                + "alias; 'llmo models' lists them. Keys come from the environment or the encrypted vault.",
                        "")
                .footerHeading("%nExamples:%n")
                .footer("  llmo run \"Explain TCP slow start in two sentences\"",
                        "  git diff | llmo run -m anthropic/claude-sonnet-4-5 \"Review this change\"",
                        "  llmo run -m openai -m gemini --parallel \"Name three sorting algorithms\"",
                        "  llmo chat -r Developer",
                        "  llmo vault set OPENAI_API_KEY",
                        "",
                        "Exit codes: 0 ok, 1 failure, 2 usage, 3 configuration, 4 credentials, 5 budget,",
                        "6 event log invalid, 129 hung up (SIGHUP), 130 interrupted (Ctrl-C),",
                        "141 stdout closed by its reader, 143 terminated (SIGTERM).",
                        "Configuration: $LLMO_HOME, or ~/.config/llmo (config.yaml, models.yaml).",
                        "Data: $LLMO_HOME, or ~/.local/share/llmo (vault, conversations, history).",
                        "Guide: llmo help (its pages are bundled: llmo help TOPIC); a command's options: llmo COMMAND "
                                + "--help.");
        spec.addOption(option(root, "debug", "--debug").scopeType(ScopeType.INHERIT)
                .description("Print stack traces and debug details on errors, and the libraries' warnings.").build());
        spec.addOption(option(root, "noColor", "--no-color").scopeType(ScopeType.INHERIT)
                .description("No colours (also when NO_COLOR is set).").build());
        standardHelpOptions(spec);
        root.spec = spec;
        return spec;
    }

    /** {@code run}, {@link RunCommand}'s model. */
    static CommandSpec run(RunCommand run, IFactory factory) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(run, factory).name("run");
        spec.usageMessage().autoWidth(true)
                .description("Send a prompt to one model, or to several in parallel or in sequence.",
                        "PROMPT words are joined with spaces; piped stdin is the prompt, or context after PROMPT.")
                .footerHeading("%nExamples:%n")
                .footer("  llmo run \"What is a monad?\"",
                        "  cat main.go | llmo run -m anthropic \"Find the bug\"",
                        "  llmo run -m openai/gpt-4o -m gemini --parallel --json \"Haiku about rain\"",
                        "  llmo run -r Developer -o temperature=0.2 \"Write a binary search in Rust\"",
                        "  llmo run --dry-run -m openai \"How long is this prompt?\"",
                        "  llmo run -c \"Shorter, please\"",
                        "  llmo run -m openai/gpt-4o -a photo.jpg -a report.pdf \"What do these show?\"",
                        "  llmo run -T 'fs.*' --approve fs.read_file \"What does README.md say?\"",
                        "  llmo run --timeout 120 -m anthropic \"Summarise the design\"",
                        "  llmo run --schema 'name, age int, tags [str]' \"Invent a dog\"",
                        "  llmo run --schema-multi 'name, role: their job' \"Who is in this story?\"",
                        "  llmo run --no-log \"Nothing of this is written to the event log\"",
                        "  llmo run -f README.md -f https://example.org/spec.txt \"What is missing here?\"",
                        "  git diff | llmo run --sf STYLE.md -f - \"Review this change\"",
                        "  llmo run --save review -s \"You review {{lang}} code\" \"Review this: {{input}}\"",
                        "  git diff | llmo run -t review -p lang Go");
        Bound prompt = new Bound(new Group(run, null), field(RunCommand.class, "prompt"));
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").paramLabel("PROMPT")
                .description("The prompt (words are joined with spaces).").type(prompt.type())
                .auxiliaryTypes(prompt.auxiliaryTypes()).getter(prompt).setter(prompt).initialValue(prompt.initial())
                .descriptionKey("")
                .build());
        spec.addOption(option(run, "models", "-m", "--model").paramLabel("MODEL")
                .description("Model to use: provider/model, provider, or alias. Repeat for several models. "
                        + "Default: main_llm of config.yaml (or LLMO_MODEL).").build());
        Group mode = new Group(run, "mode");
        spec.addArgGroup(exclusive(
                groupOption(mode, "parallel", "--parallel")
                        .description("Send the prompt to every model at once (default for several)."),
                groupOption(mode, "sequential", "--sequential")
                        .description("Pipeline: each model gets the previous model's answer.")));
        spec.addOption(option(run, "concurrency", "--concurrency").paramLabel("N").description(
                "At most N calls at once (with --parallel); max_concurrency of models.yaml still applies.").build());
        spec.addOption(option(run, "compare", "--compare")
                .description("Show the answers side by side with length, latency and cost.").build());
        spec.addOption(option(run, "role", "-r", "--role", "--mode").paramLabel("ROLE")
                .description("Role (mode) whose system prompt, model and options to use.").build());
        conversation(spec, run.shared);
        tools(spec, run.toolOptions);
        attach(spec, run.attachOptions);
        schema(spec, run.schemaOptions);
        templates(spec, run.templates);
        fragments(spec, run.fragmentOptions);
        spec.addOption(option(run, "json", "--json")
                .description("JSON Lines on stdout: one object per model call.").build());
        reasoning(spec, run.reasoning);
        spec.addOption(option(run, "noStream", "--no-stream")
                .description("Wait for the whole answer instead of streaming it.").build());
        spec.addOption(option(run, "usage", "-u", "--usage")
                .description("Always print tokens, cost and time to stderr.").build());
        spec.addOption(option(run, "dryRun", "--dry-run")
                .description("Send nothing: show tokens, what would be dropped, and the cost.").build());
        spec.addOption(option(run, "maxCost", "--max-cost").paramLabel("USD")
                .description("Refuse to spend more than this on this run.").build());
        spec.addOption(option(run, "timeout", "--timeout").paramLabel("SECONDS").description("Give up on a model call "
                + "after SECONDS in all: every retry and the whole streamed answer (the text so far is kept). Default "
                + "600; 0: no limit.").build());
        standardHelpOptions(spec);
        return spec;
    }

    /** {@code models}, {@link ModelsCommand}'s model: what {@code llmo models} reads beside the configuration. */
    static CommandSpec models(ModelsCommand models, IFactory factory) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(models, factory).name("models");
        spec.usageMessage().autoWidth(true)
                .description("List the configured providers and models with context window, price and source layer.",
                        "(default) marks each provider's default model; prices are USD per million tokens.",
                        "An untrusted project configuration (.llmo/) is marked, and what it may not set is listed on "
                                + "stderr.")
                .footerHeading("%nExamples:%n")
                .footer("  llmo models", "  llmo models --json | jq -r .id", "  llmo models --remote");
        spec.addOption(option(models, "remote", "--remote")
                .description("Ask each provider's list endpoint what it serves.").build());
        spec.addOption(option(models, "json", "--json")
                .description("JSON Lines on stdout: one object per model.").build());
        standardHelpOptions(spec);
        return spec;
    }

    /**
     * {@code log verify}, the model of {@link LogCommand}'s {@code verify} method: a command of its own that calls the
     * method with what was parsed (the method's parameters are {@link Verify}'s fields; a flag's label is the one
     * picocli gives a method parameter, shown nowhere). Reading the method's annotations was a third of the start-up
     * of {@code log verify} (ADR-003).
     */
    static CommandSpec logVerify(LogCommand log, IFactory factory) {
        Verify verify = new Verify(log);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(verify, factory).name("verify");
        spec.usageMessage().autoWidth(true)
                .description("Check the hash chain of one conversation or of all (exit 6 if broken).",
                        "Prints 'ok' per good file; names the first bad line and why: edited, reordered, removed, "
                                + "inserted, torn or malformed.",
                        "With --all (the default) also checks the ledger and every conversation against it: a "
                                + "conversation deleted, truncated, swapped or re-chained fails; one not in the ledger "
                                + "is a warning. With a vault, a missing or MAC-less ledger fails, and the ledger's "
                                + "MACs are checked (LLMO_VAULT_PASSWORD, or asked on a terminal).")
                .footerHeading("%nExamples:%n")
                .footer("  llmo log verify 01JD", "  llmo log verify --all",
                        "  llmo log verify --all --anchor sha256:3f2a9c01d4e7   # from 'llmo log anchor'",
                        "  llmo log verify --all --repair");
        standardHelpOptions(spec); // first, as picocli adds it to a method's model
        Group target = new Group(verify, "target");
        Bound id = new Bound(target, field(LogCommand.Target.class, "id"));
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().exclusive(true).multiplicity("0..1");
        group.addArg(PositionalParamSpec.builder().paramLabel("ID").description("Conversation id or unique prefix.")
                .type(id.type()).getter(id).setter(id).descriptionKey("").build());
        group.addArg(groupOption(target, "all", "--all").description("Every conversation (the default).").build());
        spec.addArgGroup(group.build());
        spec.addOption(option(verify, "repair", "--repair").description("Truncate a torn last line, keeping every "
                + "whole event (and the ledger's whole entries).").paramLabel("<arg1>").build());
        spec.addOption(option(verify, "anchor", "--anchor").paramLabel("HASH").description("A ledger head kept "
                + "earlier ('llmo log anchor'): fail unless the ledger still holds it.").build());
        spec.addOption(option(verify, "strict", "--strict").description("With --all: warnings fail too (exit 6): "
                + "conversations not in the ledger or vouched for by no good MAC, entries waiting for the vault, MACs "
                + "not checked, no ledger.").paramLabel("<arg3>").build());
        return spec;
    }

    /** What a {@code log verify} command line holds: the arguments of {@link LogCommand}'s {@code verify}. */
    static final class Verify implements Runnable {
        private final LogCommand log;
        LogCommand.Target target;
        boolean repair;
        String anchor;
        boolean strict;

        Verify(LogCommand log) {
            this.log = log;
        }

        @Override
        public void run() {
            log.verify(target, repair, anchor, strict);
        }
    }

    /** {@link ConversationOptions}'s options (which {@code chat} reads from its annotations), added to {@code spec}. */
    private static void conversation(CommandSpec spec, ConversationOptions shared) {
        // the group first, where picocli puts a mixin's groups
        Group continuation = new Group(shared, "continuation");
        spec.addArgGroup(exclusive(
                groupOption(continuation, "last", "-c", "--continue")
                        .description("Continue the conversation used last, on its own model unless -m names one."),
                groupOption(continuation, "id", "--cid", "--resume").paramLabel("ID")
                        .description("Continue the conversation with this id (or prefix), or saved with /save NAME, "
                                + "on its own model unless -m names one.")));
        spec.addOption(option(shared, "system", "-s", "--system").paramLabel("SYSTEM")
                .description("System prompt (after the role's, when -r gives one).").build());
        spec.addOption(option(shared, "options", "-o", "--option").paramLabel("KEY=VALUE")
                .description("Request option, e.g. -o temperature=0.2 -o max_tokens=500 (over the role's options).")
                .build());
        spec.addOption(option(shared, "noLog", "--no-log").description("Write no conversation (no id is shown); what "
                + "it spends is still recorded, and counts against the daily budget.").build());
    }

    /** {@link ToolOptions}' options ({@code chat} and {@code chain run} read their annotations), into {@code spec}. */
    private static void tools(CommandSpec spec, ToolOptions tools) {
        spec.addOption(option(tools, "tools", "-T", "--tool").paramLabel("TOOL")
                .description("Offer this tool to the model: a command tool's name, SERVER.TOOL, or SERVER.* for all "
                        + "of a server's (see 'llmo tools list'). Repeatable.").build());
        spec.addOption(option(tools, "approve", "--approve").paramLabel("TOOL")
                .description("Run calls of this tool (name or glob) without asking, unless a tool_policy rule denies "
                        + "them. Repeatable.").build());
        spec.addOption(option(tools, "yolo", "--yolo")
                .description("Run every tool call without asking (tool_policy deny rules still hold).").build());
        spec.addOption(option(tools, "maxToolRounds", "--max-tool-rounds").paramLabel("N")
                .description("At most N rounds of tool calls per answer (default: ${DEFAULT-VALUE}).").build());
    }

    private static void attach(CommandSpec spec, AttachOptions attach) {
        spec.addOption(option(attach, "attach", "-a", "--attach").paramLabel("PATH|URL|-")
                .description("Attach an image (PNG, JPEG, WebP, GIF), a PDF, audio (WAV, MP3...) or a text file; "
                        + "repeatable. The type is told from the content. At most 20 MiB each.").build());
        spec.addOption(option(attach, "types", "--attach-type").paramLabel("TYPE")
                .description("The media type of the attachments instead of the detected one, e.g. image/png: once "
                        + "for every -a, or once per -a in order.").build());
    }

    private static void schema(CommandSpec spec, SchemaOptions schema) {
        Group given = new Group(schema, "given");
        spec.addArgGroup(exclusive(
                groupOption(given, "schema", "--schema").paramLabel("JSON|FILE|DSL")
                        .description("Answer with JSON following this schema: a JSON Schema, a file holding one, or "
                                + "fields like 'name, age int, tags [str], bio: a short biography'."),
                groupOption(given, "multi", "--schema-multi").paramLabel("JSON|FILE|DSL")
                        .description("Answer with a JSON list of objects, each following this schema.")));
        spec.addOption(option(schema, "retries", "--schema-retries").paramLabel("N")
                .description("Ask again up to N times when the answer does not follow the schema (default 0).")
                .build());
    }

    private static void templates(CommandSpec spec, TemplateOptions templates) {
        spec.addOption(option(templates, "template", "-t", "--template").paramLabel("NAME")
                .description("Use the saved template NAME (see 'llmo templates list'); flags given here win over its "
                        + "values.").build());
        spec.addOption(option(templates, "params", "-p", "--param").arity("2").paramLabel("KEY VALUE")
                .hideParamSyntax(true).description("Fill the template's {{KEY}} with VALUE. Repeatable.").build());
        spec.addOption(option(templates, "save", "--save").paramLabel("NAME")
                .description("Save this command (prompt, -s, -r, -m, -o, -f, --sf, -T, -a, --attach-type, --schema, "
                        + "--schema-multi, --schema-retries, -p values as defaults) as template NAME instead of "
                        + "running it.").build());
    }

    private static void fragments(CommandSpec spec, FragmentOptions fragments) {
        spec.addOption(option(fragments, "fragments", "-f", "--fragment").paramLabel("PATH|URL|-")
                .description("Add this text (a file, an http(s) URL, or - for stdin) to the prompt, as context before "
                        + "it. Repeatable; stored once in the content store.").build());
        spec.addOption(option(fragments, "systemFragments", "--sf").paramLabel("PATH|URL|-")
                .description("Add this text (a file, an http(s) URL, or - for stdin) to the system prompt. "
                        + "Repeatable.").build());
    }

    /** {@link ReasoningOptions}' option ({@code chat}, {@code chain run} and {@code log} read its annotation). */
    private static void reasoning(CommandSpec spec, ReasoningOptions reasoning) {
        spec.addOption(option(reasoning, "reasoning", "--reasoning").negatable(true)
                .description("Show the model's reasoning on stderr (dimmed on a terminal), also when stderr is not a "
                        + "terminal; --no-reasoning hides it. Default: shown when stderr is a terminal.").build());
    }

    /**
     * What {@code mixinStandardHelpOptions = true} adds (a mixin of that name, so that picocli sees it as its own),
     * without picocli reading its annotated class for it.
     */
    private static void standardHelpOptions(CommandSpec spec) {
        CommandSpec help = CommandSpec.create();
        help.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).paramLabel("<helpRequested>")
                .descriptionKey("mixinStandardHelpOptions.help").description("Show this help message and exit.")
                .initialValue(false).build());
        help.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).paramLabel("<versionRequested>")
                .descriptionKey("mixinStandardHelpOptions.version").description("Print version information and exit.")
                .initialValue(false).build());
        spec.addMixin("mixinStandardHelpOptions", help);
    }

    private static OptionSpec.Builder option(Object owner, String field, String... names) {
        return bind(OptionSpec.builder(names), new Bound(new Group(owner, null), field(owner.getClass(), field)));
    }

    private static OptionSpec.Builder groupOption(Group group, String field, String... names) {
        return bind(OptionSpec.builder(names), new Bound(group, field(group.field.getType(), field)));
    }

    /** An option kept in the field: typed, labelled and with the initial value as picocli reads an annotated one. */
    private static OptionSpec.Builder bind(OptionSpec.Builder option, Bound bound) {
        option.type(bound.type()).getter(bound).setter(bound).paramLabel("<" + bound.field.getName() + ">")
                .descriptionKey("");
        if (bound.auxiliaryTypes().length > 0) {
            option.auxiliaryTypes(bound.auxiliaryTypes());
        }
        // a group's options have none: their holder does not exist until one of them is given
        return option.initialValue(bound.group.field == null ? bound.initial() : null);
    }

    private static ArgGroupSpec exclusive(OptionSpec.Builder... options) {
        ArgGroupSpec.Builder builder = ArgGroupSpec.builder().exclusive(true).multiplicity("0..1");
        for (OptionSpec.Builder option : options) {
            builder.addArg(option.build());
        }
        return builder.build();
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(type.getName() + " has no field " + name, e);
        }
    }

    /**
     * The object an option's field is on: {@code owner} itself, or the holder of an exclusive group that {@code
     * owner}'s field {@code field} keeps, made when one of the group's options is set (as picocli does for an
     * annotated group: the field stays null while none of them is given).
     */
    private static final class Group {
        private final Object owner;
        private final Field field;

        Group(Object owner, String field) {
            this.owner = owner;
            this.field = field == null ? null : field(owner.getClass(), field);
        }

        Object target(boolean make) throws ReflectiveOperationException {
            if (field == null) {
                return owner;
            }
            Object holder = field.get(owner);
            if (holder == null && make) {
                java.lang.reflect.Constructor<?> constructor = field.getType().getDeclaredConstructor();
                constructor.setAccessible(true);
                holder = constructor.newInstance();
                field.set(owner, holder);
            }
            return holder;
        }
    }

    /** An option's value, kept in a field; its type, and its initial value, are the field's, as for an annotation. */
    private static final class Bound implements IGetter, ISetter {
        private final Group group;
        private final Field field;

        Bound(Group group, Field field) {
            this.group = group;
            this.field = field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() throws ReflectiveOperationException {
            Object target = group.target(false);
            return target == null ? null : (T) field.get(target);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) throws ReflectiveOperationException {
            Object target = group.target(true);
            T old = (T) field.get(target);
            field.set(target, value);
            return old;
        }

        Class<?> type() {
            return field.getType();
        }

        /**
         * The element types of a List or Map field, as picocli reads them from an annotated field. Every List and Map
         * option of the coded commands holds strings, so those are not read from the field's generic signature, whose
         * parser (~30 classes) was otherwise loaded in every {@code run} for this alone; {@code CodedModelsTest}
         * compares them with picocli's reading of the annotations.
         */
        Class<?>[] auxiliaryTypes() {
            if (field.getType() == java.util.List.class) {
                return new Class<?>[] {String.class};
            }
            if (field.getType() == java.util.Map.class) {
                return new Class<?>[] {String.class, String.class};
            }
            return field.getGenericType() instanceof ParameterizedType parameterized
                    ? Arrays.stream(parameterized.getActualTypeArguments()).map(t -> (Class<?>) t).toArray(Class<?>[]::new)
                    : new Class<?>[0];
        }

        Object initial() {
            try {
                return get();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
