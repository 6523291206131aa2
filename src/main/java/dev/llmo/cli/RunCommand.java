package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.config.Urls;
import dev.llmo.context.ContextAssembler;
import dev.llmo.context.ContextBudget;
import dev.llmo.context.ContextReport;
import dev.llmo.context.DryRunEstimate;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounters;
import dev.llmo.core.NanoClock;
import dev.llmo.failure.BudgetException;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.InputSupport;
import dev.llmo.message.Part;
import dev.llmo.core.Conversation;
import dev.llmo.engine.CallDefaults;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.engine.Plan;
import dev.llmo.engine.Recording;
import dev.llmo.eventlog.RunMode;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.MultiRunException;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.failure.UsageException;
import dev.llmo.schema.AnswerSchema;
import dev.llmo.template.SavedTemplate;
import dev.llmo.template.TemplateStore;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llmo run}: send one prompt to one model, or to several: in parallel (the default for several {@code -m}),
 * or in sequence as a pipeline ({@code --sequential}). See docs/usage/multi-model.md.
 */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Send a prompt to one model, or to several in parallel or in sequence.",
                "PROMPT words are joined with spaces; piped stdin is the prompt, or context after PROMPT."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  llmo run \"What is a monad?\"",
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
                "  git diff | llmo run -t review -p lang Go"})
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

    @Option(names = "--concurrency", paramLabel = "N",
            description = "At most N calls at once (with --parallel); max_concurrency of models.yaml still applies.")
    Integer concurrency;

    @Option(names = "--compare", description = "Show the answers side by side with length, latency and cost.")
    boolean compare;

    @Option(names = {"-r", "--role", "--mode"}, paramLabel = "ROLE",
            description = "Role (mode) whose system prompt, model and options to use.")
    String role;

    @Mixin
    ConversationOptions shared = new ConversationOptions();

    @Mixin
    ToolOptions toolOptions = new ToolOptions();

    @Mixin
    AttachOptions attachOptions = new AttachOptions();

    @Mixin
    SchemaOptions schemaOptions = new SchemaOptions();

    @Mixin
    TemplateOptions templates = new TemplateOptions();

    @Mixin
    FragmentOptions fragmentOptions = new FragmentOptions();

    @Option(names = "--json", description = "JSON Lines on stdout: one object per model call.")
    boolean json;

    @Mixin
    ReasoningOptions reasoning = new ReasoningOptions();

    @Option(names = "--no-stream", description = "Wait for the whole answer instead of streaming it.")
    boolean noStream;

    @Option(names = {"-u", "--usage"}, description = "Always print tokens, cost and time to stderr.")
    boolean usage;

    @Option(names = "--dry-run", description = "Send nothing: show tokens, what would be dropped, and the cost.")
    boolean dryRun;

    @Option(names = "--max-cost", paramLabel = "USD", description = "Refuse to spend more than this on this run.")
    BigDecimal maxCost;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = {"Give up on a model call after SECONDS in "
            + "all: every retry and the whole streamed answer (the text so far is kept). Default 600; 0: no limit."})
    Double timeout;

    // The log -c / --cid continues, found once so that every step of the command means the same one.
    private Conversation.Continued continued;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        shared.unlogged(context); // --no-log with -c is refused before anything else is read
        SavedTemplate template = templates.load(context);
        if (templates.save != null) {
            return save(template);
        }
        String text = template == null ? null : useTemplate(template);
        refuseStdinTwice();
        // before the prompt: a fragment '-' takes stdin, which is then not the prompt too
        FragmentOptions.Read fragments = fragmentOptions.read(context);
        Settings settings = context.settings();
        Role roleDef = role == null ? null : settings.role(role);
        if (shared.continues()) {
            // before anything else is read or sent: a log that does not verify is not continued (exit 6)
            continued = Conversation.continuable(context.dirs().conversationsDir(), shared.continuedId());
        }
        CallDefaults defaults = CallDefaults.resolve(settings, models, roleDef, shared.system, shared.options(),
                continued == null ? null : () -> Conversation.modelToContinue(continued, settings.catalog(), "-m"));
        boolean sequential = mode != null && mode.sequential;
        refuseMisfits(defaults.models().size(), sequential);
        if (compare && defaults.models().size() == 1) {
            context.err().println("llmo: note: --compare sets several models' answers side by side; with one model "
                    + "its answer is shown alone (name more with -m A -m B)");
        }
        // before the prompt: an -a - takes stdin; a model that cannot take an attachment stops the run here.
        // --dry-run and --no-log write nothing: their attachments' bytes stay in memory, where they are sent from
        Map<String, byte[]> unstored = dryRun || shared.noLog ? new java.util.HashMap<>() : null;
        List<Part.Attachment> attachments = attachOptions.read(context,
                attachment -> InputSupport.require(defaults.models(), attachment, settings.catalog()), unstored);
        AnswerSchema schema = schemaOptions.schema(context.environment().workingDir());
        if (text == null) {
            text = attachOptions.readsStdin() ? RunInput.text(prompt, null,
                    "no prompt: with -a - stdin is the attachment, so give PROMPT words", "e.g. cat photo.png | "
                            + "llmo run -a - \"Describe it\"") : RunInput.prompt(prompt, context.environment());
        }
        if (dryRun) {
            CoreServices.callTimeout(timeout); // a dry run checks the flags the real run would refuse
            return dryRun(defaults, sequential, fragments.inline(text), fragments.system(defaults.system()),
                    schema, attachments, unstored);
        }
        CoreServices.prepareConnections(defaults.models());
        if (defaults.defaultModel()) {
            CoreServices.requireKeyOfDefault(context, defaults.model(), "-m ");
        }
        // built (and its flags checked) before the conversation exists: a refused run leaves no log behind
        dev.llmo.core.CallExecutor executor = CoreServices.executor(context, maxCost, timeout, unstored);
        RunMode runMode = defaults.models().size() == 1 ? RunMode.SINGLE
                : sequential ? RunMode.SEQUENTIAL : RunMode.PARALLEL;
        try (ToolOptions.Session tools = toolOptions.open(context);
             Conversation conversation = conversation(settings, defaults.models(), runMode)) {
            Orchestrator engine = new Orchestrator(executor, concurrency, tools.kit());
            if (continued != null && !tools.tools().isEmpty()) {
                ToolChanges.changed(ToolChanges.recorded(continued.file()), tools.tools())
                        .forEach(line -> context.err().println("llmo: note: " + line));
            }
            startConversation(conversation, fragments.system(defaults.system()), text, fragments, attachments);
            RunRequest request = new RunRequest(defaults.model(), conversation.system(), conversation.messages(),
                    defaults.options(), !noStream, tools.tools()).withSchema(schema, schemaOptions.retries());
            Plan plan = Plan.of(request, defaults.models(), sequential);
            return plan instanceof Plan.Single ? runOne(engine, plan, conversation)
                    : runSeveral(engine, plan, conversation);
        }
    }

    /** -f -, --sf - and -a - each read stdin to its end: a second one would get nothing (or, cached, the same). */
    private void refuseStdinTwice() {
        // loops, not streams: six method references linked on every run's main thread cost it ~2.5 ms (ADR-003)
        List<String> readers = new ArrayList<>();
        addStdinReaders(readers, fragmentOptions.fragments, "-f");
        addStdinReaders(readers, fragmentOptions.systemFragments, "--sf");
        addStdinReaders(readers, attachOptions.attach, "-a");
        if (readers.size() < 2) {
            return;
        }
        List<String> flags = readers.stream().distinct().toList();
        String given = flags.size() == 1
                ? flags.get(0) + " - is given " + (readers.size() == 2 ? "twice" : readers.size() + " times")
                : String.join(" - and ", flags) + " - " + (flags.size() == 2 ? "both" : "all") + " read stdin";
        throw new UsageException(given + ", but stdin can be read once", "give - once, and save the other input to a "
                + "file to give its path");
    }

    private static void addStdinReaders(List<String> readers, List<String> specs, String flag) {
        for (String spec : specs) {
            if ("-".equals(spec)) {
                readers.add(flag);
            }
        }
    }

    /**
     * -t: the template's values under the flags given here, its placeholders filled (-p, then its defaults; PROMPT
     * words and piped stdin are {{input}}), set as this command's flags.
     *
     * @return the prompt
     */
    private String useTemplate(SavedTemplate template) {
        Map<String, String> values = templates.params();
        SavedTemplate chosen = given(template, template.prompt(), Map.of());
        if (!values.containsKey(SavedTemplate.INPUT)) {
            // a fragment '-' takes stdin; the input is then the PROMPT words alone
            boolean stdinIsFragment = chosen.fragments().contains("-") || chosen.systemFragments().contains("-")
                    || chosen.attachments().contains("-");
            values.put(SavedTemplate.INPUT, stdinIsFragment ? String.join(" ", prompt).strip()
                    : RunInput.input(prompt, context.environment()));
        }
        SavedTemplate filled = chosen.fill(values);
        models = new ArrayList<>(filled.models());
        role = filled.role();
        shared.system = filled.system();
        shared.options = new LinkedHashMap<>(filled.options());
        toolOptions.tools = new ArrayList<>(filled.tools());
        fragmentOptions.fragments = new ArrayList<>(filled.fragments());
        fragmentOptions.systemFragments = new ArrayList<>(filled.systemFragments());
        schemaOptions.use(filled.schema());
        attachOptions.attach = new ArrayList<>(filled.attachments());
        attachOptions.types = new ArrayList<>(filled.attachmentTypes());
        if (filled.prompt() == null || filled.prompt().isBlank()) {
            throw new UsageException("no prompt: template '" + templates.template + "' has none, and no PROMPT words "
                    + "or stdin were given", "e.g. llmo run -t " + templates.template + " \"What is a monad?\"");
        }
        return filled.prompt();
    }

    /** --save NAME: this command as a template, over the one -t names; nothing is sent. */
    private int save(SavedTemplate base) {
        String name = TemplateStore.checkName(templates.save);
        String words = String.join(" ", prompt).strip();
        if (attachOptions.readsStdin()) {
            throw new UsageException("-a - cannot be saved in a template: stdin is read when a command runs, and a "
                    + "template keeps no content", "save the attachment to a file and give its path, e.g. -a "
                    + "photo.png");
        }
        SavedTemplate saved = given(base, words.isEmpty() ? base == null ? null : base.prompt() : words,
                templates.params());
        saved.requirePlaceholders(templates.params().keySet());
        refuseCredentials("-a", saved.attachments());
        refuseCredentials("-f", saved.fragments());
        refuseCredentials("--sf", saved.systemFragments());
        // a schema that cannot work is refused now, not each time the template is used
        schemaOptions.use(saved.schema());
        schemaOptions.schema(context.environment().workingDir());
        dev.llmo.template.TemplateStore store = TemplateOptions.store(context);
        java.util.Optional<java.nio.file.Path> previous = store.keepPrevious(name);
        java.nio.file.Path file = store.save(name, saved);
        context.err().println("llmo: " + (previous.isPresent() ? "replaced" : "saved") + " template " + name + " to "
                + file + previous.map(p -> "; the one it replaced is kept in " + p).orElse(""));
        if (!saved.placeholders().isEmpty()) {
            context.err().println("llmo: use it with: llmo run -t " + name + saved.placeholders().stream()
                    .filter(p -> !SavedTemplate.INPUT.equals(p) && !saved.defaults().containsKey(p))
                    .map(p -> " -p " + p + " VALUE").collect(java.util.stream.Collectors.joining()));
        }
        context.err().flush();
        return 0;
    }

    /**
     * A template is a plain file that {@code templates show} prints and an editor opens: a URL's user name or
     * password would sit there in clear, so a URL with user-info is not saved (nothing is).
     */
    private static void refuseCredentials(String flag, List<String> specs) {
        for (String spec : specs) {
            if (spec.matches("^[A-Za-z][A-Za-z0-9+.\\-]*://.*") && Urls.hasUserInfo(spec)) {
                throw new UsageException(flag + " " + Urls.shown(spec) + " has a user name or password, which a "
                        + "template would keep in clear", "save the template with a URL without them, or download the "
                        + "file and give its path");
            }
        }
    }

    /**
     * The flags given here over {@code base} (null: none): each one given replaces the template's, -o options merge
     * key by key, {@code defaults} over the template's defaults.
     */
    private SavedTemplate given(SavedTemplate base, String promptText, Map<String, String> defaults) {
        SavedTemplate under = base != null ? base
                : new SavedTemplate(null, null, null, List.of(), Map.of(), List.of(), List.of(), List.of(), Map.of());
        Map<String, String> options = new LinkedHashMap<>(under.options());
        options.putAll(shared.options);
        Map<String, String> allDefaults = new LinkedHashMap<>(under.defaults());
        allDefaults.putAll(defaults);
        return new SavedTemplate(promptText, shared.system != null ? shared.system : under.system(),
                role != null ? role : under.role(), models.isEmpty() ? under.models() : models, options,
                fragmentOptions.fragments.isEmpty() ? under.fragments() : fragmentOptions.fragments,
                fragmentOptions.systemFragments.isEmpty() ? under.systemFragments() : fragmentOptions.systemFragments,
                toolOptions.tools.isEmpty() ? under.tools() : toolOptions.tools, allDefaults,
                schemaOptions.over(under.schema(), context.environment().workingDir()),
                attachOptions.attach.isEmpty() ? under.attachments()
                        : attachOptions.anchored(context.environment().workingDir()),
                !attachOptions.types.isEmpty() || !attachOptions.attach.isEmpty() ? attachOptions.types
                        : under.attachmentTypes());
    }

    private int runOne(Orchestrator engine, Plan plan, Conversation conversation) {
        CliEnvironment environment = context.environment();
        RunRenderer renderer = new RunRenderer(stdout(), context.err(), json,
                usage || environment.stderrIsTerminal(), environment.stderrIsTerminal() || context.debug(),
                environment.stdoutIsTerminal() && !json, extras());
        renderer.conversation(conversation.id());
        if (plan instanceof Plan.Single single) {
            renderer.toolsOffered(single.request().tools());
        }
        Cancellation cancellation = new Cancellation();
        LlmoException[] lost = new LlmoException[1];
        WaitingSpinner spinner = spinner(plan);
        context.waiting(spinner);
        RunListener listener = spinner.before(renderer);
        try {
            return runOne(engine, plan, conversation, renderer, listener, spinner, cancellation, lost);
        } finally {
            spinner.stop();
            context.waiting(WaitingSpinner.NONE);
        }
    }

    /**
     * A spinner on stderr while the answer is awaited, when stderr is a terminal; a tool's approval question, asked on
     * that terminal, erases it meanwhile ({@link ToolApprovals}).
     */
    private WaitingSpinner spinner(Plan plan) {
        if (!context.environment().stderrIsTerminal() || !(plan instanceof Plan.Single single)) {
            return WaitingSpinner.NONE;
        }
        return new WaitingSpinner(context.err(), single.request().model().id(), NanoClock.SYSTEM,
                WaitingSpinner.FRAME_MS).start();
    }

    private int runOne(Orchestrator engine, Plan plan, Conversation conversation, RunRenderer renderer,
                       RunListener listener, WaitingSpinner spinner, Cancellation cancellation, LlmoException[] lost) {
        // classes, not lambdas: each lambda linked costs a run's start-up ~0.3 ms of CPU (ADR-003, "Eighteenth round")
        RunResult result = CancelOnInterrupt.run(cancellation,
                "the request to " + plan.models().get(0).provider().name() + " was cancelled",
                new java.util.function.Supplier<RunResult>() {
                    @Override
                    public RunResult get() {
                        return engine.run(plan, listener, Recording.of(conversation), cancellation).get(0);
                    }
                }, new java.util.function.Consumer<RunResult>() {
                    @Override
                    public void accept(RunResult done) {
                        spinner.stop(); // before the usage line
                        // a run whose request never left the machine leaves no conversation for the id to name
                        renderer.conversation(conversation.keptId());
                        renderer.finish(done);
                        lost[0] = outputLost(conversation, done.succeeded());
                        conversation.end(lost[0] != null ? lost[0].exitCode()
                                : done.succeeded() ? ExitCode.OK : done.error().exitCode());
                    }
                });
        if (!result.succeeded()) {
            throw result.error();
        }
        if (lost[0] != null) {
            throw lost[0];
        }
        return 0;
    }

    /** Several models: a fan-out or a pipeline, one conversation for the whole run. */
    private int runSeveral(Orchestrator engine, Plan plan, Conversation conversation) {
        MultiRunView view = view(plan, conversation::keptId);
        Cancellation cancellation = new Cancellation();
        long started = System.nanoTime();
        List<RunResult> results;
        LlmoException[] lost = new LlmoException[1];
        try {
            view.begin();
            results = CancelOnInterrupt.run(cancellation, "the request was cancelled",
                    () -> engine.run(plan, view, Recording.of(conversation), cancellation), done -> {
                        view.done(done);
                        Optional<LlmoException> failure = outcome(plan, done, cancellation);
                        lost[0] = outputLost(conversation, failure.isEmpty());
                        conversation.end(lost[0] != null ? lost[0].exitCode()
                                : failure.map(LlmoException::exitCode).orElse(ExitCode.OK));
                    });
        } finally {
            view.close();
        }
        if (plan instanceof Plan.FanOut && showUsage()) {
            usageLines(results, (System.nanoTime() - started) / 1_000_000, view instanceof LiveView);
        }
        Optional<LlmoException> failure = outcome(plan, results, cancellation);
        if (failure.isPresent()) {
            throw failure.get();
        }
        if (lost[0] != null) {
            throw lost[0];
        }
        return 0;
    }

    private boolean showUsage() {
        return usage || context.environment().stderrIsTerminal();
    }

    /** The view for the plan and the streams: JSON, a live view on a terminal, a comparison, or ordered sections. */
    private MultiRunView view(Plan plan, Supplier<String> conversationId) {
        CliEnvironment environment = context.environment();
        boolean notes = environment.stderrIsTerminal() || context.debug();
        List<String> labels = AnswerSections.labels(plan.models());
        if (plan instanceof Plan.Pipeline) {
            return new PipelineView(stdout(), context.err(), labels, json, showUsage(), notes, conversationId,
                    environment.stdoutIsTerminal(), extras());
        }
        AnswerExtras extras = new AnswerExtras(context.err(), extras());
        if (!json && environment.stdoutIsTerminal()) {
            return new LiveView(context.out(), labels, plan.models(), context.colorOut(), compare,
                    TerminalColumns.of(environment), NanoClock.SYSTEM, extras);
        }
        if (compare) {
            return new CompareOutput(context.out(), context.err(), labels, notes, extras);
        }
        return new OrderedOutput(stdout(), context.err(), labels, json, notes, conversationId, extras);
    }

    /** What is shown of the answers besides their text: reasoning, refusals, tool calls, sources. */
    /** Where the answers go: with --json, lines that stay JSON on a terminal ({@link CliContext#jsonOut}). */
    private PrintWriter stdout() {
        return json ? context.jsonOut() : context.out();
    }

    private AnswerExtras.Shown extras() {
        return reasoning.extras(context, json);
    }

    /** One usage line per model (unless the live view showed them), then the total, on stderr. */
    private void usageLines(List<RunResult> results, long wallMs, boolean shownAlready) {
        PrintWriter err = context.err();
        if (!shownAlready) {
            results.stream().filter(r -> r.succeeded() || r.usage() != null)
                    .forEach(r -> err.println(RunRenderer.usageLine(r)));
        }
        BigDecimal total = results.stream().map(RunResult::costUsd).filter(java.util.Objects::nonNull)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        long unknown = results.stream().filter(r -> r.costUsd() == null && r.succeeded()).count();
        boolean anyKnown = results.stream().anyMatch(r -> r.costUsd() != null);
        String cost = !anyKnown ? "cost unknown"
                : RunRenderer.cost(total) + (unknown > 0 ? " (+ " + unknown + " unknown)" : "");
        err.println("total: " + results.size() + " models, " + cost + ", " + RunRenderer.seconds(wallMs) + " wall");
        err.flush();
    }

    /**
     * What the run ends with: nothing when every call succeeded; 130 when it was cancelled; otherwise the first
     * failure in plan order, with a summary naming each failed model.
     */
    private static Optional<LlmoException> outcome(Plan plan, List<RunResult> results, Cancellation run) {
        boolean sequential = plan instanceof Plan.Pipeline;
        int size = plan.models().size();
        if (run.cancelled()) {
            long stopped = results.stream().filter(r -> r.error() instanceof InterruptedRunException).count();
            String what = sequential ? "the pipeline was stopped at step " + results.size() + " of " + size
                    : stopped + " of " + size + " calls were cancelled";
            // Ctrl-C, a signal, or a closed stdout: the exit code says which
            ExitCode how = run.reason() == null ? ExitCode.INTERRUPTED : run.reason().exitCode();
            return Optional.of(how.stoppedFromOutside() ? InterruptedRunException.of(how, what) : run.reason());
        }
        if (results.stream().allMatch(RunResult::succeeded)) {
            return Optional.empty();
        }
        if (sequential) {
            RunResult failed = results.get(results.size() - 1);
            return Optional.of(MultiRunException.pipeline(results.size(), size, failed));
        }
        return Optional.of(MultiRunException.parallel(results));
    }

    /**
     * Whether the answers the run printed reached stdout: when they did not (a full disk, a reader that went away
     * just at the end) a run that otherwise succeeded is recorded as failed, with the reason, and exits so.
     *
     * @return the failure, or null when stdout took everything (or the run failed anyway)
     */
    private LlmoException outputLost(Conversation conversation, boolean succeeded) {
        return outputLost(context.out(), conversation, succeeded);
    }

    /** {@link #outputLost(Conversation, boolean)} for any command that prints answers to {@code out} (chain run). */
    static LlmoException outputLost(PrintWriter out, Conversation conversation, boolean succeeded) {
        LlmoException lost = succeeded ? StdoutWriter.failure(out) : null;
        if (lost != null) {
            conversation.failedBeforeSending(lost);
        }
        return lost;
    }

    /** The system prompt (unless a continued conversation keeps its own) and the user's message. */
    private void startConversation(Conversation conversation, String systemPrompt, String text,
                                   FragmentOptions.Read fragments, List<Part.Attachment> attachments) {
        // A continued conversation keeps its system prompt unless -s or -r gives a new one.
        if (systemPrompt != null || !shared.continues()) {
            conversation.system(systemPrompt);
        }
        if (fragments.user().isEmpty() && attachments.isEmpty()) {
            conversation.user(text);
        } else {
            // --no-log keeps nothing on disk, the content store included: its fragments go into the text
            List<Part> parts = new ArrayList<>(fragments.user().isEmpty() ? List.of(new Part.Text(text))
                    : fragments.userParts(text, shared.noLog ? null : CoreServices.contentStore(context)));
            parts.addAll(attachments); // after the prompt's text, in the order given
            conversation.user(parts);
        }
    }

    /** The user's message: the prompt's text, then the attachments in the order given; null without attachments. */
    static ChatMessage userMessage(String text, List<Part.Attachment> attachments) {
        if (attachments.isEmpty()) {
            return null;
        }
        List<Part> parts = new ArrayList<>();
        parts.add(new Part.Text(text));
        parts.addAll(attachments);
        return new ChatMessage(ChatMessage.Role.USER, parts);
    }

    /** A new conversation, or the one -c / --cid continues. */
    private Conversation conversation(Settings settings, List<ModelRef> plan, RunMode mode) {
        String modeFlag = mode == RunMode.SEQUENTIAL ? " --sequential" : mode == RunMode.PARALLEL ? " --parallel" : "";
        String command = (shared.continues() ? "run --continue" : "run") + modeFlag;
        List<String> named = new ArrayList<>(plan.size());
        for (ModelRef model : plan) {
            named.add(model.id());
        }
        List<String> ids = List.copyOf(named);
        dev.llmo.cost.UnloggedSpend unlogged = shared.unlogged(context);
        if (unlogged != null) {
            return Conversation.unlogged(command, mode, ids, settings.digest(), BuildInfo.version(),
                    context.logOptions(), unlogged);
        }
        if (shared.continues()) {
            return Conversation.resume(continued, command, mode, ids, settings.digest(), BuildInfo.version(),
                    context.logOptions());
        }
        return Conversation.start(context.dirs().conversationsDir(), command, mode, ids, settings.digest(),
                BuildInfo.version(), context.logOptions());
    }

    /**
     * --dry-run: per model, the request as it would be sent (history fitted into the window by the same assembler
     * every call goes through), its tokens and its worst-case cost. Sends nothing, writes nothing.
     */
    private int dryRun(CallDefaults defaults, boolean sequential, String text, String system,
                       AnswerSchema schema, List<Part.Attachment> attachments, Map<String, byte[]> unstored) {
        Conversation.History history = shared.continues()
                ? Conversation.peek(continued)
                : Conversation.History.EMPTY;
        String systemPrompt = system;
        if (systemPrompt == null && shared.continues()) {
            systemPrompt = history.system();
        }
        List<ChatMessage> messages = new ArrayList<>(history.messages());
        messages.add(attachments.isEmpty() ? ChatMessage.user(text) : userMessage(text, attachments));
        // this run's attachments from memory, a continued conversation's from the store
        dev.llmo.io.ContentStore store = CoreServices.contentStore(context);
        TokenCounters counters = TokenCounters.create(sha256 -> unstored.containsKey(sha256) ? unstored.get(sha256)
                : store.bytes(sha256));
        PrintWriter out = stdout();
        // the tools' declarations are part of what is sent: their servers start to say what they are
        List<dev.llmo.tool.Tool> tools;
        try (ToolOptions.Session session = toolOptions.open(context)) {
            tools = session.tools();
        }
        // the budgets, as the run would check them: each model's first request held against them, one after another
        dev.llmo.cost.CostGuard guard = CoreServices.dryRunGuard(context, maxCost);
        for (ModelRef model : defaults.models()) {
            ChatRequest chat = CallExecutor.chatRequest(new RunRequest(model, systemPrompt, messages,
                    defaults.options(), !noStream, tools).withSchema(schema, 0));
            ModelCaps caps = ModelCaps.of(model, chat.options());
            try {
                ContextReport fitted = new ContextAssembler(counters.forModel(model)).build(chat.system(),
                        dev.llmo.core.FittedAndBudgeted.countedDeclarations(chat), chat.messages(), caps,
                        ContextBudget.NONE);
                DryRunEstimate estimate = DryRunEstimate.of(caps, model.spec().pricing(), fitted);
                String overBudget = overBudget(guard, model, fitted.inputTokens(), caps);
                if (tools.isEmpty()) {
                    out.println(json ? withBudget(estimate.toJson(), overBudget).toString() : estimate.human());
                    if (!json && overBudget != null) {
                        out.println("  would be refused (exit 5): " + overBudget);
                    }
                    continue;
                }
                // a request per round of tool calls more, each resending the rounds before it (as a chain counts it)
                int requests = toolOptions.maxToolRounds + 1;
                java.math.BigDecimal all = dev.llmo.context.ToolRoundsBound.of(caps, model.spec().pricing(),
                        fitted.inputTokens(), requests).costUsd();
                if (json) {
                    out.println(withBudget(estimate.toJson(), overBudget).put("requests", requests)
                            .put("estimated_cost_usd", dev.llmo.cost.Usd.forJson(all)).toString());
                } else {
                    out.println(estimate.human() + (estimate.estimatedCostUsd() == null ? "" : " for the first "
                            + "request"));
                    out.println("  with tools: up to " + requests + " requests (" + (requests - 1) + " rounds of tool "
                            + "calls, --max-tool-rounds), each resending the rounds before it: " + (all == null
                            ? "cost unknown" : "at most " + dev.llmo.cost.Usd.format(all) + " in all")
                            + " (what the tools return is not counted)");
                    if (overBudget != null) {
                        out.println("  would be refused (exit 5): " + overBudget);
                    }
                }
            } catch (BudgetException e) {
                // one model's window being too small says nothing about the others
                out.println(json ? "{\"model\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(model.id())
                        + ",\"error\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getMessage()) + "}"
                        : model.id() + ": would be refused: " + e.getMessage());
            }
        }
        if (!json && sequential && defaults.models().size() > 1) {
            out.println("(a pipeline's later steps get the previous answer, not this prompt: their counts are for "
                    + "the prompt alone)");
        }
        out.flush();
        return 0;
    }

    /**
     * What the run's budgets would say to this model's first request, held after the ones before it as a run holds
     * them; null when it would pass, or when no budget is set.
     */
    private static String overBudget(dev.llmo.cost.CostGuard guard, ModelRef model, long inputTokens, ModelCaps caps) {
        if (!guard.active()) {
            return null;
        }
        try {
            guard.reserve(model.id(), model.spec().pricing(), inputTokens, caps.outputBound(inputTokens));
            return null;
        } catch (BudgetException e) {
            return WorstCase.asDryRun(e);
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode withBudget(
            com.fasterxml.jackson.databind.node.ObjectNode estimate, String overBudget) {
        return overBudget == null ? estimate : estimate.put("budget_refusal", overBudget);
    }

    /** Flags that make no sense together. */
    private void refuseMisfits(int models, boolean sequential) {
        if (concurrency != null && concurrency < 1) {
            throw new UsageException("--concurrency must be at least 1, not " + concurrency,
                    "e.g. --concurrency 2, or leave it out for no limit");
        }
        if (compare && json) {
            throw new UsageException("--compare and --json do not go together",
                    "--json already gives every model's tokens, latency and cost");
        }
        if (compare && sequential && models > 1) {
            throw new UsageException("--compare compares the answers of a parallel run, not the steps of a pipeline",
                    "leave out --sequential (or --compare)");
        }
    }
}
