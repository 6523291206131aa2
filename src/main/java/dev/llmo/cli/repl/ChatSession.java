package dev.llmo.cli.repl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.core.Conversation;
import dev.llmo.engine.CallDefaults;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.engine.Plan;
import dev.llmo.engine.Recording;
import dev.llmo.eventlog.RunMode;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolCatalog;
import dev.llmo.core.RunResult;
import dev.llmo.failure.UsageException;
import dev.llmo.eventlog.ConversationId;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.SavedChats;
import dev.llmo.cost.UnloggedSpend;
import dev.llmo.eventlog.EventLog;
import dev.llmo.provider.ChatMessage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of one chat session, without any input or output: the model, the role and its options, the
 * conversation (one event log file) and what this session has spent. Every turn is a {@link Plan.Single} run by
 * the engine ({@link Orchestrator}) and recorded in the conversation. Used by one thread at a time (the REPL's), except
 * that a call's answer is recorded from the call's own thread, which {@link Conversation} allows.
 */
public final class ChatSession implements AutoCloseable {
    /** The command recorded in {@code session.start}. */
    static final String COMMAND = "chat";

    /**
     * What a session is built from.
     *
     * @param conversationsDir where the conversations live ({@code AppDirs.conversationsDir()})
     * @param version          the llmo version recorded in each {@code session.start}
     * @param tokens           the counter behind {@code /tokens}
     * @param assembler        builds each turn's request from the history
     */
    public record Setup(Settings settings, Orchestrator engine, Path conversationsDir, String version,
                        TokenEstimator tokens, RequestAssembler assembler, EventLog.Options logOptions,
                        UnloggedSpend unlogged) {
        /** Logs synced at session end. */
        public Setup(Settings settings, Orchestrator engine, Path conversationsDir, String version,
                     TokenEstimator tokens, RequestAssembler assembler) {
            this(settings, engine, conversationsDir, version, tokens, assembler, EventLog.Options.defaults());
        }

        /** A logged session. */
        public Setup(Settings settings, Orchestrator engine, Path conversationsDir, String version,
                     TokenEstimator tokens, RequestAssembler assembler, EventLog.Options logOptions) {
            this(settings, engine, conversationsDir, version, tokens, assembler, logOptions, null);
        }

        /** A new conversation of this session: logged, or (--no-log) only its spend recorded. */
        Conversation start(List<String> models) {
            return unlogged != null
                    ? Conversation.unlogged(COMMAND, RunMode.CHAT, models, settings.digest(), version, logOptions,
                    unlogged)
                    : Conversation.start(conversationsDir, COMMAND, RunMode.CHAT, models, settings.digest(), version,
                    logOptions);
        }

        public Setup {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(conversationsDir, "conversationsDir");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(assembler, "assembler");
        }
    }

    private final Setup setup;
    // the model, system prompt and options of the next turn; a /model or /role changes them
    private CallDefaults defaults;
    private Role role;
    // -o of the command line: over every role's options, for the whole session
    private final Map<String, Object> commandOptions;
    private Conversation conversation;
    // the tools offered from the next turn on (-T, /tools), and the catalog /tools adds from; null without tools
    private List<Tool> tools = List.of();
    // the schema answers follow from the next turn on (/schema); null: text
    private dev.llmo.schema.AnswerSchema schema;
    private ToolCatalog catalog;
    private dev.llmo.message.Message lastAnswer;
    // what /attach keeps for the next message
    private final List<dev.llmo.message.Part.Attachment> pending = new ArrayList<>();
    // checks that the configured default model has a key, at the first turn that sends to it (not at start, so that a
    // script's "/model other" still runs); null once it passed, or when nothing is to be checked
    private java.util.function.Consumer<ModelRef> keyOfDefault;
    private Runnable beforeTurn = () -> { };
    private BigDecimal sessionUsd = BigDecimal.ZERO;
    private int calls;
    private int unpricedCalls;

    private ChatSession(Setup setup, CallDefaults defaults, Role role, Map<String, Object> commandOptions,
                        Conversation conversation) {
        this.setup = setup;
        this.defaults = defaults;
        this.role = role;
        this.commandOptions = Map.copyOf(commandOptions);
        this.conversation = conversation;
    }

    /**
     * Opens a session: checks the model and the role first (a wrong name fails before any file is written), then
     * starts a conversation or resumes one.
     *
     * @param modelName  {@code -m}, or null for the role's model, the resumed conversation's own model (see
     *                   {@link Conversation#modelToContinue}), or the default
     * @param roleName   {@code -r}, or null
     * @param resume     whether to resume a conversation
     * @param resumeName the id, id prefix or {@code /save}d name to resume, or null for the conversation used last
     */
    public static ChatSession open(Setup setup, String modelName, String roleName, boolean resume,
                                   String resumeName) {
        return open(setup, modelName, roleName, null, Map.of(), resume, resumeName);
    }

    /**
     * {@link #open(Setup, String, String, boolean, String)} with the command line's {@code -s} (after the role's
     * system prompt; a resumed conversation keeps its own without {@code -s} or {@code -r}) and {@code -o} (over every
     * role's options, for the whole session).
     */
    public static ChatSession open(Setup setup, String modelName, String roleName, String system,
                                   Map<String, Object> options, boolean resume, String resumeName) {
        Settings settings = setup.settings();
        Role role = roleName == null ? null : settings.role(roleName);
        Conversation.Continued continued = resume
                ? Conversation.continuable(conversationFile(setup.conversationsDir(), resumeName)) : null;
        CallDefaults defaults = CallDefaults.resolve(settings, modelName == null ? List.of() : List.of(modelName),
                role, system, options,
                continued == null ? null : () -> Conversation.modelToContinue(continued, settings.catalog(), "-m"));
        List<String> models = List.of(defaults.model().id());
        Conversation conversation = continued != null
                ? Conversation.resume(continued, COMMAND + " --resume", RunMode.CHAT, models, settings.digest(),
                setup.version(), setup.logOptions())
                : setup.start(models);
        if (role != null || system != null) {
            conversation.system(defaults.system());
        }
        return new ChatSession(setup, defaults, role, options, conversation);
    }

    /** The log file of a saved name, an id or a unique prefix, or the conversation used last (null). */
    static Path conversationFile(Path dir, String nameOrId) {
        ConversationStore store = new ConversationStore(dir);
        if (nameOrId == null) {
            return store.file(store.lastUsed().orElseThrow(() -> new UsageException(
                    "there is no conversation to continue in " + dir, "start one with 'llmo chat'")));
        }
        return store.resolve(nameOrId);
    }

    public ModelRef model() {
        return defaults.model();
    }

    /** Whether no -m, role or resumed conversation chose the model, so the configured default did. */
    public boolean defaultModel() {
        return defaults.defaultModel();
    }

    /**
     * Has {@code check} see, before the first turn sent to the configured default model (none was chosen), that its
     * provider has a key; it throws to refuse the turn, and the session goes on with the next input.
     */
    public void checkKeyOfDefault(java.util.function.Consumer<ModelRef> check) {
        keyOfDefault = check;
    }

    /** Runs {@code hook} before each turn is sent (a vault that failed to unlock may then be asked again). */
    public void beforeEachTurn(Runnable hook) {
        beforeTurn = hook;
    }

    /** Before a turn is sent: the hook, then (once) the configured default model's key. */
    private void prepareTurn() {
        beforeTurn.run();
        if (keyOfDefault != null && defaults.defaultModel()) {
            keyOfDefault.accept(defaults.model());
            keyOfDefault = null; // it has a key: later turns need no second look-up (nor vault question)
        }
    }

    /** Switches the model for the next turns; the history stays. */
    public ModelRef model(String reference) {
        defaults = CallDefaults.resolve(setup.settings(), List.of(reference), role, null, commandOptions, null);
        return defaults.model();
    }

    /** The role in force, or null. */
    public Role role() {
        return role;
    }

    /** Takes on a role: its system prompt and options, and its model when it names one. */
    public Role role(String name) {
        Role next = setup.settings().role(name);
        ModelRef current = defaults.model();
        defaults = CallDefaults.resolve(setup.settings(), List.of(), next, null, commandOptions, () -> current);
        role = next;
        conversation.system(next.system());
        return next;
    }

    /** The system prompt in force, or null. */
    public String system() {
        return conversation.system();
    }

    /** Sets (or, with null, removes) the system prompt. */
    public void system(String prompt) {
        conversation.system(prompt);
    }

    /** Where the conversations live. */
    public Path conversationsDir() {
        return setup.conversationsDir();
    }

    public Settings settings() {
        return setup.settings();
    }

    public Conversation conversation() {
        return conversation;
    }

    /** The turns so far, oldest first. */
    public List<ChatMessage> history() {
        return conversation.messages();
    }

    /**
     * Takes in what other processes (another chat on this conversation, a {@code run -c}) appended to it since this
     * session last wrote, so that the next message is sent with the log's whole history.
     *
     * @return how many messages they added
     */
    public int catchUp() {
        return conversation.catchUp();
    }

    /** Sends the user's message; the answer streams to {@code listener}; {@code cancellation} stops it. */
    public RunResult send(String text, RunListener listener, Cancellation cancellation) {
        prepareTurn(); // before the message joins the history: a refused turn leaves no trace
        if (pending.isEmpty()) {
            conversation.user(text);
        } else {
            List<dev.llmo.message.Part> parts = new ArrayList<>();
            parts.add(new dev.llmo.message.Part.Text(text));
            parts.addAll(pending);
            pending.clear();
            conversation.user(parts);
        }
        return call(listener, cancellation);
    }

    /**
     * {@code /attach [--type TYPE] PATH|URL}: reads, types and stores the file, checks that the current model takes
     * it, and keeps it for the next message. Relative paths are relative to the directory chat was started in; stdin
     * is the chat itself, so {@code -} is refused, and so is a file that is not a regular one (a named pipe, a
     * device): reading it could block the chat with no end. The read runs on its own thread, so that {@code stop}
     * (Ctrl-C) returns to the prompt at once even while a server makes a URL wait; it also cancels the fetch.
     *
     * @param type the media type to send it as ({@code --type}), or null to tell it from the content
     * @return the attachment, as it will be sent; null when {@code stop} came first and nothing was attached
     */
    public dev.llmo.message.Part.Attachment attach(String spec, String type,
                                                   java.util.concurrent.CompletableFuture<?> stop) {
        String given = spec.strip();
        if ("-".equals(given)) {
            throw new UsageException("/attach - cannot read stdin: it is the chat", "give a path or a URL");
        }
        Path workingDir = Path.of("").toAbsolutePath();
        if (!given.contains("://")) {
            Path path = workingDir.resolve(given);
            if (java.nio.file.Files.exists(path) && !java.nio.file.Files.isRegularFile(path)
                    && !java.nio.file.Files.isDirectory(path)) {
                throw new UsageException("/attach " + given + " is not a regular file (a named pipe or a device), "
                        + "which chat does not read", "save what it gives to a file and attach that, or use "
                        + "'llmo run -a " + given + "'");
            }
        }
        dev.llmo.input.AttachmentReader reader = new dev.llmo.input.AttachmentReader(new dev.llmo.input.InputReader(
                java.io.InputStream::nullInputStream, workingDir, stop),
                dev.llmo.io.ContentStore.beside(setup.conversationsDir()), "/attach", "/attach --type");
        java.util.concurrent.CompletableFuture<dev.llmo.message.Part.Attachment> read =
                new java.util.concurrent.CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                read.complete(reader.read(given, type, attachment -> dev.llmo.core.InputSupport.require(
                        List.of(defaults.model()), attachment, setup.settings().catalog())));
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        }, "llmo-attach");
        // a read left behind must not keep the process alive; stop cancels its URL fetch (the reader's), and what it
        // stored is content-addressed and named by nothing
        worker.setDaemon(true);
        worker.start();
        try {
            java.util.concurrent.CompletableFuture.anyOf(read, stop).get();
        } catch (java.util.concurrent.ExecutionException e) {
            // the read failed (reported below) or stop did
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // once stopped, nothing is attached, also when the read ended meanwhile (its fetch failed, being cancelled)
        if (stop.isDone() || !read.isDone()) {
            worker.interrupt();
            return null;
        }
        dev.llmo.message.Part.Attachment attachment;
        try {
            attachment = read.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
        pending.add(attachment);
        return attachment;
    }

    /** The attachments {@code /attach} keeps for the next message, in order. */
    public List<dev.llmo.message.Part.Attachment> pendingAttachments() {
        return List.copyOf(pending);
    }

    /**
     * Sends the user's last message again: the last answer (if the history ends with one) leaves the history.
     *
     * @throws UsageException when there is no message to send again
     */
    public RunResult retry(RunListener listener, Cancellation cancellation) {
        List<ChatMessage> history = conversation.messages();
        boolean answered = !history.isEmpty() && history.get(history.size() - 1).role() == ChatMessage.Role.ASSISTANT;
        boolean asked = history.size() >= (answered ? 2 : 1)
                && history.get(history.size() - (answered ? 2 : 1)).role() == ChatMessage.Role.USER;
        if (!asked) {
            throw new UsageException("there is nothing to retry", "send a message first");
        }
        prepareTurn();
        if (answered) {
            conversation.retractLastAnswer();
        }
        return call(listener, cancellation);
    }

    /**
     * Lets this session offer tools: {@code offered} from the first turn, more with {@link #addTools} from
     * {@code catalog} (which the session does not close).
     */
    public void useTools(ToolCatalog catalog, List<Tool> offered) {
        this.catalog = catalog;
        this.tools = List.copyOf(offered);
    }

    /** The tools offered from the next turn on. */
    public List<Tool> tools() {
        return tools;
    }

    /**
     * Offers the tools {@code pattern} names from the next turn on ({@code wc}, {@code fs.read_file}, {@code fs.*}),
     * starting their server if needed.
     *
     * @return the tools added
     * @throws UsageException when no tool is configured, or none has that name
     */
    public List<Tool> addTools(String pattern) {
        if (catalog == null) {
            throw new UsageException("no tools are configured", "add mcp_servers or tools to config.yaml; see "
                    + "docs/usage/tools.md");
        }
        List<Tool> added = new ArrayList<>();
        List<Tool> all = new ArrayList<>(tools);
        for (Tool tool : catalog.select(List.of(pattern))) {
            if (all.stream().noneMatch(t -> t.name().equals(tool.name()))) {
                all.add(tool);
                added.add(tool);
            }
        }
        tools = List.copyOf(all);
        return added;
    }

    /** Stops offering the tools {@code pattern} matches (a name or a glob); returns them. */
    public List<Tool> removeTools(String pattern) {
        java.util.regex.Pattern glob = dev.llmo.tool.ToolPolicy.glob(pattern);
        List<Tool> removed = tools.stream().filter(t -> glob.matcher(t.name()).matches()).toList();
        tools = tools.stream().filter(t -> !removed.contains(t)).toList();
        return removed;
    }

    /** The schema answers follow from the next turn on ({@code /schema}), or null for text. */
    public dev.llmo.schema.AnswerSchema schema() {
        return schema;
    }

    public void schema(dev.llmo.schema.AnswerSchema schema) {
        this.schema = schema;
    }

    private RunResult call(RunListener listener, Cancellation cancellation) {
        RunRequest request = setup.assembler().assemble(defaults.model(), conversation.system(),
                conversation.messages(), defaults.options()).withTools(tools).withSchema(schema, 0);
        RunResult result = setup.engine().run(new Plan.Single(request), listener, Recording.of(conversation),
                cancellation).get(0);
        lastAnswer = result.answer();
        return result;
    }

    /** The last answer with every part (its tool calls and their results too), or null before the first. */
    public dev.llmo.message.Message lastAnswer() {
        return lastAnswer;
    }

    /** Counts a finished call into this session's cost. */
    public void finished(RunResult result) {
        calls++;
        if (result.costUsd() != null) {
            sessionUsd = sessionUsd.add(result.costUsd());
        } else if (result.succeeded() || result.usage() != null) {
            unpricedCalls++;
        }
    }

    /** What this session (this process) has spent on calls with a known price. */
    public BigDecimal sessionUsd() {
        return sessionUsd;
    }

    /** Model calls made in this session. */
    public int calls() {
        return calls;
    }

    /** Calls whose price is unknown (no pricing in models.yaml, or no usage reported). */
    public int unpricedCalls() {
        return unpricedCalls;
    }

    /** The tokens the next request would carry (the system prompt and the whole history). */
    public TokenEstimator.Estimate nextRequestTokens() {
        return setup.tokens().estimate(defaults.model(), conversation.system(),
                dev.llmo.core.ToolNames.declarations(tools), conversation.messages());
    }

    /** Ends this conversation and starts a new, empty one with the same model, role and system prompt. */
    public void clear() {
        String system = conversation.system();
        Conversation next = setup.start(List.of(defaults.model().id()));
        next.system(system);
        replace(next);
    }

    /** Names this conversation, for {@code /load NAME} and {@code llmo chat --resume NAME}. */
    public void save(String name) {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty() || clean.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException("a saved name is one word, e.g. /save rust-lifetimes", null);
        }
        if (ConversationStore.NEWEST.equals(clean)) {
            throw new UsageException("'" + clean + "' always means the conversation used last", "choose another name");
        }
        if (ConversationId.couldStartAnId(clean)) {
            // --cid, /load and log show read it as an id (prefix) first: the name could never be used
            throw new UsageException("'" + clean + "' could be read as a conversation id or the start of one (an id "
                    + "prefix wins over a name)", "give a name with a character no id has, e.g. /save " + clean
                    + "-notes");
        }
        refuseUnlogged("/save");
        if (!conversation.kept()) {
            // its file is made by the first request that leaves the machine; a name alone would be lost
            throw new UsageException("there is nothing to save yet: no message of this conversation has reached a model",
                    "send a message first, then /save " + clean);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("name", clean);
        conversation.note(SavedChats.EVENT, data);
        SavedChats.announce(setup.conversationsDir());
    }

    /**
     * Switches to another conversation, named by a saved name, an id or a unique prefix, on that conversation's own
     * model, as {@code --resume} does. One that ended with a run of several models (or with none, or with one whose
     * provider is no longer configured) has no model to go on with: the session's stays, and the returned line says
     * why; null when the conversation's own model was taken.
     *
     * @throws UsageException (exit 2) when the conversation ended with a parallel run: there is no one answer to go on
     *                        from
     */
    public String load(String nameOrId) {
        refuseUnlogged("/load");
        Path file = conversationFile(setup.conversationsDir(), nameOrId);
        if (file.toAbsolutePath().equals(conversation.file().toAbsolutePath())) {
            return null;
        }
        Conversation.Continued continued = Conversation.continuable(file);
        Conversation.refuseAfterFanOut(continued);
        CallDefaults next = defaults;
        String kept = null;
        try {
            ModelRef own = Conversation.modelToContinue(continued, setup.settings().catalog(), "/model");
            next = CallDefaults.resolve(setup.settings(), List.of(own.id()), role, null, commandOptions, null);
        } catch (UsageException | dev.llmo.failure.ConfigException e) {
            // several models, none, or one whose provider is gone: the chat's own goes on, and the user is told why
            kept = e.getMessage() + "; this chat goes on with " + defaults.model().id() + " (/model to choose)";
        }
        replace(Conversation.resume(continued, COMMAND + " --resume", RunMode.CHAT, List.of(next.model().id()),
                setup.settings().digest(), setup.version(), setup.logOptions()));
        defaults = next; // only once the conversation is this one: a failed /load leaves the chat as it was
        return kept;
    }

    /** Whether this session writes its conversation (false with {@code --no-log}). */
    public boolean logged() {
        return setup.unlogged() == null;
    }

    /** How the session's conversation is named to the user: its id, or that it is not logged. */
    public String conversationLabel() {
        return logged() ? "conversation " + conversation.id() : "not logged (--no-log)";
    }

    private void refuseUnlogged(String command) {
        if (!logged()) {
            throw new UsageException(command + " works with logged conversations, and this chat is not logged "
                    + "(--no-log)", "start the chat without --no-log");
        }
    }

    /** Names saved with {@code /save}, for completion. */
    public Map<String, String> savedNames() {
        try {
            return SavedChats.names(setup.conversationsDir());
        } catch (LlmoException e) {
            return new LinkedHashMap<>();
        }
    }

    private void replace(Conversation next) {
        Conversation previous = conversation;
        conversation = next;
        previous.end(ExitCode.OK);
        previous.close();
    }

    /** Ends the session's conversation with {@code exitCode} ({@code session.end}). */
    public void end(ExitCode exitCode) {
        conversation.end(exitCode);
    }

    @Override
    public void close() {
        conversation.close();
    }
}
