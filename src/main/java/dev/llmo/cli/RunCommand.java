package dev.llmo.cli;

import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.core.Conversation;
import dev.llmo.core.ExitCode;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.core.UsageException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo run}: send one prompt to one or several models. */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Send a prompt to one model, or to several in parallel or in sequence.",
                "PROMPT words are joined with spaces; piped stdin is the prompt, or context after PROMPT."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  llmo run \"What is a monad?\"",
                "  cat main.go | llmo run -m anthropic \"Find the bug\"",
                "  llmo run -m openai/gpt-4o -m gemini --parallel --json \"Haiku about rain\"",
                "  llmo run -r Developer -o temperature=0.2 \"Write a binary search in Rust\"",
                "  llmo run --dry-run -m openai \"How long is this prompt?\""})
final class RunCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "0..*", paramLabel = "PROMPT", description = "The prompt (words are joined with spaces).")
    List<String> prompt = new ArrayList<>();

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model to use: provider/model, provider, or alias. Repeat for several models. "
                    + "Default: main_llm of config.yaml (or LLMO_MODEL).")
    List<String> models = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Mode mode;

    static final class Mode {
        @Option(names = "--parallel", description = "Send the prompt to every model at once (default for several).")
        boolean parallel;

        @Option(names = "--sequential", description = "Pipeline: each model gets the previous model's answer.")
        boolean sequential;
    }

    @Option(names = "--concurrency", paramLabel = "N", description = "At most N calls at once (with --parallel).")
    Integer concurrency;

    @Option(names = "--compare", description = "Show the answers side by side with length, latency and cost.")
    boolean compare;

    @Option(names = {"-s", "--system"}, paramLabel = "SYSTEM", description = "System prompt.")
    String system;

    @Option(names = {"-r", "--role", "--mode"}, paramLabel = "ROLE",
            description = "Role (mode) whose system prompt, model and options to use.")
    String role;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Request option, e.g. -o temperature=0.2 -o max_tokens=500.")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--json", description = "JSON Lines on stdout: one object per model call.")
    boolean json;

    @Option(names = "--no-stream", description = "Wait for the whole answer instead of streaming it.")
    boolean noStream;

    @Option(names = {"-u", "--usage"}, description = "Always print tokens, cost and time to stderr.")
    boolean usage;

    @Option(names = "--dry-run", description = "Send nothing: show tokens, what would be dropped, and the cost.")
    boolean dryRun;

    @Option(names = "--max-cost", paramLabel = "USD", description = "Refuse to spend more than this on this run.")
    BigDecimal maxCost;

    @ArgGroup(exclusive = true)
    Continuation continuation;

    static final class Continuation {
        @Option(names = {"-c", "--continue"}, description = "Continue the last conversation.")
        boolean last;

        @Option(names = "--cid", paramLabel = "ID", description = "Continue the conversation with this id (or prefix).")
        String id;
    }

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        refuseUnreleased();
        Settings settings = context.settings();
        Role roleDef = role == null ? null : settings.role(role);
        ModelRef model = model(settings, roleDef);
        String text = RunInput.prompt(prompt, context.environment());
        CliEnvironment environment = context.environment();
        RunRenderer renderer = new RunRenderer(context.out(), context.err(), json,
                usage || environment.stderrIsTerminal(), environment.stderrIsTerminal() || context.debug());
        try (Conversation conversation = conversation(settings, model)) {
            String systemPrompt = system(roleDef);
            // A continued conversation keeps its system prompt unless -s or -r gives a new one.
            if (systemPrompt != null || continuation == null) {
                conversation.system(systemPrompt);
            }
            conversation.user(text);
            renderer.conversation(conversation.id());
            RunRequest request = new RunRequest(model, conversation.system(), conversation.messages(),
                    options(roleDef), !noStream);
            RunResult result = CancelOnInterrupt.run(CoreServices.orchestrator(context, maxCost), request, renderer,
                    conversation, done -> {
                        renderer.finish(done);
                        conversation.end(done.succeeded() ? ExitCode.OK : done.error().exitCode());
                    });
            if (!result.succeeded()) {
                throw result.error();
            }
            return 0;
        }
    }

    /** A new conversation, or the one -c / --cid continues. */
    private Conversation conversation(Settings settings, ModelRef model) {
        String command = continuation == null ? "run" : "run --continue";
        if (continuation != null) {
            return Conversation.resume(context.dirs().conversationsDir(), continuation.id, command,
                    List.of(model.id()), settings.digest(), BuildInfo.version(), context.logOptions());
        }
        return Conversation.start(context.dirs().conversationsDir(), command, List.of(model.id()), settings.digest(),
                BuildInfo.version(), context.logOptions());
    }

    /** Flags of later issues: declared so that --help shows the whole command, refused when used. */
    private void refuseUnreleased() {
        if (dryRun) {
            throw Unreleased.command("run --dry-run");
        }
        if (models.size() > 1 || compare || concurrency != null) {
            throw new UsageException("several models in one run (-m ... -m, --parallel, --sequential, --compare, "
                    + "--concurrency) are not available yet in llmo " + BuildInfo.version(),
                    "run one model at a time for now");
        }
    }

    /** -m, else the role's model, else the default model. */
    private ModelRef model(Settings settings, Role roleDef) {
        if (!models.isEmpty()) {
            return settings.catalog().resolve(models.get(0));
        }
        if (roleDef != null && roleDef.model() != null) {
            return settings.catalog().resolve(roleDef.model());
        }
        return settings.defaultModel();
    }

    /** The role's system prompt, then -s: both apply. */
    private String system(Role roleDef) {
        List<String> parts = new ArrayList<>();
        if (roleDef != null && roleDef.system() != null && !roleDef.system().isBlank()) {
            parts.add(roleDef.system());
        }
        if (system != null && !system.isBlank()) {
            parts.add(system);
        }
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    /** The role's options, overridden by -o. */
    private Map<String, Object> options(Role roleDef) {
        Map<String, Object> merged = new LinkedHashMap<>();
        if (roleDef != null) {
            merged.putAll(roleDef.options());
        }
        merged.putAll(RunInput.options(options));
        return merged;
    }
}
