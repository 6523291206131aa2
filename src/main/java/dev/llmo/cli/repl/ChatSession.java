package dev.llmo.cli.repl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.core.Conversation;
import dev.llmo.eventlog.RunMode;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.core.RunningCall;
import dev.llmo.failure.UsageException;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.SavedChats;
import dev.llmo.eventlog.EventLog;
import dev.llmo.provider.ChatMessage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of one chat session, without any input or output: the model, the role and its options, the
 * conversation (one event log file) and what this session has spent. Every turn goes through the
 * {@link CallExecutor} with the conversation as its recorder. Used by one thread at a time (the REPL's), except
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
    public record Setup(Settings settings, CallExecutor executor, Path conversationsDir, String version,
                        TokenEstimator tokens, RequestAssembler assembler, EventLog.Options logOptions) {
        /** Logs synced at session end. */
        public Setup(Settings settings, CallExecutor executor, Path conversationsDir, String version,
                     TokenEstimator tokens, RequestAssembler assembler) {
            this(settings, executor, conversationsDir, version, tokens, assembler, EventLog.Options.defaults());
        }

        public Setup {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(conversationsDir, "conversationsDir");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(assembler, "assembler");
        }
    }

    private final Setup setup;
    private ModelRef model;
    private Role role;
    private Map<String, Object> options = Map.of();
    // -o of the command line: over every role's options, for the whole session
    private Map<String, Object> commandOptions = Map.of();
    private Conversation conversation;
    private BigDecimal sessionUsd = BigDecimal.ZERO;
    private int calls;
    private int unpricedCalls;

    private ChatSession(Setup setup, ModelRef model, Role role, Conversation conversation) {
        this.setup = setup;
        this.model = model;
        this.role = role;
        this.options = role == null ? Map.of() : role.options();
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
     * @param resumeName the id, id prefix or {@code /save}d name to resume, or null for the newest conversation
     */
    public static ChatSession open(Setup setup, String modelName, String roleName, boolean resume,
                                   String resumeName) {
        Settings settings = setup.settings();
        Role role = roleName == null ? null : settings.role(roleName);
        ModelRef chosen = modelName != null ? settings.catalog().resolve(modelName)
                : role != null && role.model() != null ? settings.catalog().resolve(role.model()) : null;
        Conversation conversation;
        ModelRef model;
        if (resume) {
            Path file = conversationFile(setup.conversationsDir(), resumeName);
            model = chosen != null ? chosen : Conversation.modelToContinue(file, settings.catalog(), "-m");
            conversation = Conversation.resume(setup.conversationsDir(), file.toString(), COMMAND + " --resume",
                    RunMode.CHAT, List.of(model.id()), settings.digest(), setup.version(), setup.logOptions());
        } else {
            model = chosen != null ? chosen : settings.defaultModel();
            conversation = Conversation.start(setup.conversationsDir(), COMMAND, RunMode.CHAT, List.of(model.id()),
                    settings.digest(), setup.version(), setup.logOptions());
        }
        ChatSession session = new ChatSession(setup, model, role, conversation);
        if (role != null) {
            conversation.system(role.system());
        }
        return session;
    }

    /** The log file of a saved name, an id or a unique prefix, or the newest conversation (null). */
    static Path conversationFile(Path dir, String nameOrId) {
        ConversationStore store = new ConversationStore(dir);
        if (nameOrId == null) {
            List<String> ids = store.ids();
            if (ids.isEmpty()) {
                throw new UsageException("there is no conversation to continue in " + dir,
                        "start one with 'llmo chat'");
            }
            return store.file(ids.get(ids.size() - 1));
        }
        return store.resolve(nameOrId);
    }

    public ModelRef model() {
        return model;
    }

    /** Switches the model for the next turns; the history stays. */
    public ModelRef model(String reference) {
        model = setup.settings().catalog().resolve(reference);
        return model;
    }

    /** The role in force, or null. */
    public Role role() {
        return role;
    }

    /** Takes on a role: its system prompt and options, and its model when it names one. */
    public Role role(String name) {
        Role next = setup.settings().role(name);
        ModelRef nextModel = next.model() == null ? model : setup.settings().catalog().resolve(next.model());
        role = next;
        model = nextModel;
        options = next.options();
        conversation.system(next.system());
        return next;
    }

    /** Request options given on the command line ({@code -o}): they win over every role's, for the whole session. */
    public void commandOptions(Map<String, Object> given) {
        commandOptions = Map.copyOf(given);
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

    /** Sends the user's message; the answer streams to {@code listener}. */
    public RunningCall send(String text, RunListener listener) {
        conversation.user(text);
        return call(listener);
    }

    /**
     * Sends the user's last message again: the last answer (if the history ends with one) leaves the history.
     *
     * @throws UsageException when there is no message to send again
     */
    public RunningCall retry(RunListener listener) {
        List<ChatMessage> history = conversation.messages();
        boolean answered = !history.isEmpty() && history.get(history.size() - 1).role() == ChatMessage.Role.ASSISTANT;
        boolean asked = history.size() >= (answered ? 2 : 1)
                && history.get(history.size() - (answered ? 2 : 1)).role() == ChatMessage.Role.USER;
        if (!asked) {
            throw new UsageException("there is nothing to retry", "send a message first");
        }
        if (answered) {
            conversation.retractLastAnswer();
        }
        return call(listener);
    }

    private RunningCall call(RunListener listener) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(options);
        merged.putAll(commandOptions);
        RunRequest request = setup.assembler().assemble(model, conversation.system(), conversation.messages(),
                merged);
        return setup.executor().start(request, listener, conversation);
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
        return setup.tokens().estimate(model, conversation.system(), conversation.messages());
    }

    /** Ends this conversation and starts a new, empty one with the same model, role and system prompt. */
    public void clear() {
        String system = conversation.system();
        Conversation next = Conversation.start(setup.conversationsDir(), COMMAND, RunMode.CHAT, List.of(model.id()),
                setup.settings().digest(), setup.version(), setup.logOptions());
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
            throw new UsageException("'" + clean + "' always means the newest conversation", "choose another name");
        }
        if (!conversation.kept()) {
            // its file is made by the first request that leaves the machine; a name alone would be lost
            throw new UsageException("there is nothing to save yet: no message of this conversation has reached a model",
                    "send a message first, then /save " + clean);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("name", clean);
        conversation.note(SavedChats.EVENT, data);
    }

    /** Switches to another conversation, named by a saved name, an id or a unique prefix. */
    public void load(String nameOrId) {
        Path file = conversationFile(setup.conversationsDir(), nameOrId);
        if (file.toAbsolutePath().equals(conversation.file().toAbsolutePath())) {
            return;
        }
        replace(Conversation.resume(setup.conversationsDir(), file.toString(), COMMAND + " --resume",
                RunMode.CHAT, List.of(model.id()), setup.settings().digest(), setup.version(), setup.logOptions()));
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
