package dev.llmo.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ModelRef;
import dev.llmo.cost.UnloggedSpend;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.RunMode;
import dev.llmo.eventlog.Sha256;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conversation (a run, a chat session, a chain run) and its event log: the system prompt, the history of user
 * messages and answers, and every call made, written as it happens. History is referenced by seq in each request
 * event, never copied, so the log grows linearly. Thread-safe: calls may answer from their own threads.
 */
public final class Conversation implements CallRecorder, AutoCloseable {
    private final EventLog log;
    // A conversation this command started is kept only if some request may have left the machine; one it
    // continues was already there and is always kept.
    private final boolean startedHere;
    private boolean requestLeft;
    private final ConversationHistory history = new ConversationHistory();
    private boolean ended;
    // the tools last offered and the seq of their tool.offer event, which the requests that declare them name
    private List<EventData.OfferedTool> offered = List.of();
    private Long offeredSeq;
    private long lastSeq = -1;
    // messages and answers other processes appended since catchUp() was last asked
    private int othersAdded;
    // --no-log: where each answer's spend goes instead of a log file; null for a logged conversation
    private final UnloggedSpend unlogged;

    /**
     * The conversations of this process not yet ended: a failure of the JVM itself (out of memory) ends the process
     * without its shutdown hooks, and {@link #endAfterJvmFailure} still gives each its error and session.end.
     */
    private static final java.util.Set<Conversation> UNENDED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Conversation(EventLog log, boolean startedHere) {
        this(log, startedHere, null);
    }

    private Conversation(EventLog log, boolean startedHere, UnloggedSpend unlogged) {
        this.log = log;
        this.startedHere = startedHere;
        this.unlogged = unlogged;
        UNENDED.add(this);
        // not a lambda: start-up path (ADR-003, "Eighteenth round")
        log.onForeign(new java.util.function.Consumer<List<Event>>() {
            @Override
            public void accept(List<Event> events) {
                takeIn(events);
            }
        });
    }

    /**
     * A conversation that writes no log ({@code --no-log}): it keeps its history in memory for this command only, and
     * records each answer's model, usage and cost in {@code spend}, so that the daily budget still counts it. It is
     * never {@link #kept()}: its id names nothing and is not shown.
     */
    public static Conversation unlogged(String command, RunMode mode, List<String> models, String configDigest,
                                        String version, EventLog.Options options, UnloggedSpend spend) {
        return new Conversation(EventLog.inMemory(new EventData.SessionStart(command, mode, models, configDigest,
                version), options), true, java.util.Objects.requireNonNull(spend));
    }

    /** Starts a new conversation in {@code dir}, syncing to disk at session end. */
    public static Conversation start(Path dir, String command, RunMode mode, List<String> models,
                                     String configDigest, String version) {
        return start(dir, command, mode, models, configDigest, version, EventLog.Options.defaults());
    }

    /**
     * Starts a new conversation in {@code dir}; {@code options} can ask for a sync after every event. Its file is
     * made when the first request is about to be sent: a command that sends nothing (no key, refused by a budget)
     * leaves no file, and one whose every request failed before leaving the machine (connection refused, unknown
     * host, connect timeout) has its file removed at {@link #end}.
     */
    public static Conversation start(Path dir, String command, RunMode mode, List<String> models,
                                     String configDigest, String version, EventLog.Options options) {
        return new Conversation(EventLog.createDeferred(dir, new EventData.SessionStart(command, mode, models,
                configDigest, version), options), true);
    }

    /**
     * A conversation's log that verified when it was named, and so may be continued: {@link #resume}, {@link #peek}
     * and {@link #modelToContinue} take only this, so that no command sends a model the history of a log that does
     * not verify, or appends after its break, and a command verifies the log once however often it reads it.
     */
    public static final class Continued {
        private final Path file;

        private Continued(Path file) {
            this.file = file;
        }

        /** The log's file. */
        public Path file() {
            return file;
        }
    }

    /** {@link #continuable(Path)} of the conversation named by {@code idOrPrefix}, or of the newest one (null). */
    public static Continued continuable(Path dir, String idOrPrefix) {
        return continuable(new ConversationStore(dir).resolveOrNewest(idOrPrefix));
    }

    /**
     * Checks that the conversation in {@code file} may be continued: its hash chain verifies, in one streaming pass
     * (the verifier's). What was changed after it was written must not become history a model is told, nor get new
     * events after the line where the record stops being whole. A part whose content was removed on purpose
     * (redacted) is not a break. The ledger is {@code log verify}'s to check, and an attachment's blob is checked
     * when its bytes are sent.
     *
     * @throws LogVerificationException (exit 6) naming the first bad line: a torn last line is repaired with {@code
     *     log verify ID --repair}; any other break leaves the log as evidence, and the talk goes on in a new one
     */
    public static Continued continuable(Path file) {
        VerifyReport report = ChainVerifier.verify(file);
        if (!report.ok()) {
            String id = file.getFileName().toString().replace(".jsonl", "");
            throw new LogVerificationException(file + " does not verify, so it cannot be continued: "
                    + report.problem().message(), report.repairable()
                    ? "run 'llmo log verify " + id + " --repair' to cut the torn line, then continue"
                    : "run 'llmo log verify " + id + "' to see it, and start a new conversation (this log is kept "
                    + "as it is)");
        }
        return new Continued(file);
    }

    /**
     * Continues the conversation {@code from}: its system prompt and history come back from the log, and a new
     * {@code session.start} marks where this part begins.
     */
    public static Conversation resume(Continued from, String command, RunMode mode, List<String> models,
                                      String configDigest, String version) {
        return resume(from, command, mode, models, configDigest, version, EventLog.Options.defaults());
    }

    /**
     * {@link #resume} with log options (a sync after every event). A conversation written in format version 1
     * continues in version 2: each line says its own version, and the chain runs through both.
     */
    public static Conversation resume(Continued from, String command, RunMode mode, List<String> models,
                                      String configDigest, String version, EventLog.Options options) {
        Path file = from.file();
        EventLog log = EventLog.open(file, options);
        // read under the file lock, so that nothing another process appends between reading and writing is missed
        List<Event> events = log.catchUp();
        try {
            refuseAfterFanOut(file, events);
        } catch (LlmoException e) {
            log.close();
            throw e;
        }
        Conversation conversation = new Conversation(log, false);
        for (Event event : events) {
            conversation.history.add(event.seq(), EventCodec.decode(event));
        }
        conversation.log.append(new EventData.SessionStart(command, mode, models, configDigest, version));
        return conversation;
    }

    /**
     * Folds in what other processes appended to this conversation (another chat on it, a {@code run -c}): called
     * under the file lock before this one writes, so that its history, and so what it sends next, is the log's one
     * linear history, as {@code log replay} rebuilds it. The messages are counted for {@link #catchUp()}.
     */
    private synchronized void takeIn(List<Event> events) {
        for (Event event : events) {
            EventData data = EventCodec.decode(event);
            history.add(event.seq(), data);
            if (data instanceof EventData.Response
                    || data instanceof EventData.Message message && message.role() != dev.llmo.message.Role.SYSTEM) {
                othersAdded++;
            }
        }
    }

    /**
     * Takes in what other processes appended to this conversation since it last wrote (see {@link #takeIn}).
     *
     * @return how many messages and answers others added since this was last asked, for the user to be told
     */
    public synchronized int catchUp() {
        if (unlogged == null) {
            takeIn(log.catchUp());
        }
        int added = othersAdded;
        othersAdded = 0;
        return added;
    }

    /** A conversation's system prompt and history as a later request would carry them. */
    public record History(String system, List<ChatMessage> messages) {
        public static final History EMPTY = new History(null, List.of());
    }

    /** The system prompt and history of a conversation, read only. */
    public static History peek(Continued from) {
        Path file = from.file();
        ConversationHistory history = new ConversationHistory();
        List<Event> events = EventLog.read(file);
        refuseAfterFanOut(file, events);
        events.forEach(event -> history.add(event.seq(), EventCodec.decode(event)));
        history.dropUnanswered();
        return new History(history.system(), history.turns().stream().map(ConversationHistory.Turn::message)
                .toList());
    }

    /**
     * The model that continues a conversation when the user names none: the model of its last request (a chat's
     * {@code /model} switch included), or, when it has no request, the model its last part started with. A
     * conversation whose last part was a run of several models (a pipeline, a chain) has no one model: the user must
     * choose. A model id that is no longer configured is still tried as written ({@code provider/model}); a provider
     * that is gone is a configuration error naming the fix.
     *
     * @param from the conversation's log
     * @param flag the option that names a model, for the messages ({@code -m})
     * @throws UsageException (exit 2) when the conversation ended with a parallel run or a run of several models
     * @throws ConfigException (exit 3) when its model's provider is no longer configured
     */
    public static ModelRef modelToContinue(Continued from, dev.llmo.config.ModelCatalog catalog, String flag) {
        Path file = from.file();
        List<Event> events = EventLog.read(file);
        refuseAfterFanOut(file, events);
        String id = file.getFileName().toString().replace(".jsonl", "");
        EventData.SessionStart lastStart = null;
        String lastRequested = null;
        java.util.Set<String> partModels = new java.util.LinkedHashSet<>();
        for (Event event : events) {
            EventData data = EventCodec.decode(event);
            if (data instanceof EventData.SessionStart start) {
                lastStart = start;
                partModels.clear();
                partModels.addAll(start.models());
            } else if (data instanceof EventData.Request request) {
                lastRequested = request.model();
            }
        }
        if (partModels.size() > 1) {
            String command = lastStart.command();
            throw new UsageException("conversation " + id + " ended with a run of " + partModels.size() + " models ("
                    + String.join(", ", partModels) + ", '" + command + "'): there is no one model to continue with",
                    "name it, e.g. " + flag + " " + partModels.iterator().next());
        }
        String model = lastRequested != null ? lastRequested : partModels.stream().findFirst().orElse(null);
        if (model == null) {
            throw new UsageException("conversation " + id + " names no model to continue with",
                    "name one, e.g. " + flag + " openai/gpt-4o-mini");
        }
        try {
            return catalog.resolve(model);
        } catch (ConfigException e) {
            throw new ConfigException("conversation " + id + " was with " + model + ", which is not configured now ("
                    + e.getMessage() + ")", "continue it with another model: " + flag + " MODEL");
        }
    }

    /**
     * A conversation that ended with a fan-out cannot be continued: its models all answered the same message, so
     * there is no one answer to continue from, and sending them all would put several assistant turns in a row. A
     * pipeline continues with its whole transcript.
     *
     * @throws UsageException (exit 2)
     */
    public static void refuseAfterFanOut(Continued from) {
        refuseAfterFanOut(from.file(), EventLog.read(from.file()));
    }

    private static void refuseAfterFanOut(Path file, List<Event> events) {
        EventData.SessionStart lastStart = null;
        for (Event event : events) {
            if ("session.start".equals(event.type())
                    && EventCodec.decode(event) instanceof EventData.SessionStart start) {
                lastStart = start;
            }
        }
        if (lastStart != null && lastStart.mode() == RunMode.PARALLEL) {
            String id = file.getFileName().toString().replace(".jsonl", "");
            throw new UsageException("conversation " + id + " ended with a parallel run of "
                    + lastStart.models().size() + " models: there is no one answer to continue from",
                    "start a new conversation, or see the answers with 'llmo log show " + id
                            + "' and quote the one to build on");
        }
    }

    public String id() {
        return log.id();
    }

    public Path file() {
        return log.file();
    }

    /** The system prompt in force, or null. */
    public synchronized String system() {
        return history.system();
    }

    /** Sets the system prompt; recorded only when it changes, so a continued conversation keeps its own. */
    public synchronized void system(String prompt) {
        String normalized = prompt == null || prompt.isBlank() ? null : prompt;
        if (java.util.Objects.equals(normalized, history.system())) {
            return;
        }
        EventData.Message message = EventData.Message.system(normalized == null ? "" : normalized);
        history.add(log.append(message).seq(), message);
    }

    /**
     * Adds the user's next message to the history. A user message still at the end of the history got no answer
     * (the call failed, was cancelled before any text, or answered nothing): it leaves the history first, so that
     * no request carries two user messages in a row and a failed turn is never sent again unseen. It stays in the
     * log, where its request is followed by an {@code error} (or an empty {@code response}).
     */
    public synchronized void user(String text) {
        EventData.Message message = EventData.Message.user(text);
        history.add(log.append(message).seq(), message);
    }

    /**
     * {@link #user(String)} with attachments: the message's parts in order (text, then {@link Part.Attachment}s whose
     * bytes are in the content store). The log records each attachment by reference (its hash), never its bytes.
     */
    public synchronized void user(List<Part> parts) {
        EventData.Message message = new EventData.Message(dev.llmo.message.Role.USER, parts);
        history.add(log.append(message).seq(), message);
    }

    /** The history to send, oldest first, ending with the newest message. */
    public synchronized List<ChatMessage> messages() {
        List<ChatMessage> messages = new java.util.ArrayList<>(history.turns().size());
        for (ConversationHistory.Turn turn : history.turns()) {
            messages.add(turn.message());
        }
        return java.util.Collections.unmodifiableList(messages);
    }

    /**
     * Takes the newest answer out of the history, so that the user's last message can be sent again (chat's
     * /retry): a {@code message.retract} event records it, so a resumed conversation leaves it out too.
     *
     * @return the answer taken out, or empty when the history does not end with an answer
     */
    public synchronized Optional<String> retractLastAnswer() {
        List<ConversationHistory.Turn> turns = history.turns();
        if (turns.isEmpty() || turns.get(turns.size() - 1).message().role() != ChatMessage.Role.ASSISTANT) {
            return Optional.empty();
        }
        ConversationHistory.Turn last = turns.get(turns.size() - 1);
        EventData.Retract retract = new EventData.Retract(last.seq());
        history.add(log.append(retract).seq(), retract);
        return Optional.of(last.message().content());
    }

    /**
     * Records an event of another kind that means nothing to the history (chat's {@code chat.save} names the
     * conversation, a chain's {@code chain.step} marks each step). Its data must hold no floating-point numbers.
     */
    public synchronized void note(String type, ObjectNode data) {
        log.append(type, data);
    }

    /** Records an event that means nothing to the history (a chain's {@code chain.step}). */
    public synchronized void note(EventData event) {
        log.append(event);
    }

    /** What this conversation has cost so far, in micro-USD (known prices only). */
    public synchronized long costMicroUsd() {
        return history.costMicroUsd();
    }

    @Override
    public synchronized long requestSent(ModelRef model, ChatRequest request, byte[] body) {
        return logRequest(model, request, body, history.turns());
    }

    /** Logs a request whose messages come from {@code candidates} (the history, or a fork's part of it). */
    private long logRequest(ModelRef model, ChatRequest request, byte[] body,
                            List<ConversationHistory.Turn> candidates) {
        log.persist();
        // ranges over every event with content, not just the candidates: a range must not span another call's
        // answers and tool results (a fan-out's models each loop through their own rounds)
        Event event = log.append(new EventData.Request(model.id(), request.options(), Sha256.of(body), body.length,
                EventData.SeqRange.sent(List.copyOf(history.contentSeqs()), sentSeqs(candidates,
                        request.messages())), history.systemSeq(),
                request.stream(), request.tools().isEmpty() ? null : offeredSeq, request.schema() == null ? null
                : new EventData.RequestedSchema(request.schema().name(), request.schema().schemaJson(),
                request.schema().multi())));
        return event.seq();
    }

    @Override
    public synchronized void feedback(String text) {
        user(text);
    }

    @Override
    public synchronized void toolsOffered(List<EventData.OfferedTool> tools) {
        if (offeredSeq != null && offered.equals(tools)) {
            return;
        }
        log.persist();
        offeredSeq = log.append(new EventData.ToolsOffered(tools)).seq();
        offered = List.copyOf(tools);
    }

    @Override
    public synchronized void toolDecided(EventData.ToolApproval approval) {
        log.append(approval);
    }

    @Override
    public synchronized void toolStarted(EventData.ToolCall call) {
        log.append(call);
    }

    @Override
    public synchronized void toolEnded(EventData.ToolResult result) {
        history.add(log.append(result).seq(), result);
    }

    /**
     * The seqs of the messages of {@code candidates} a request carries. A fitted context keeps the newest turns, so
     * the sent messages are matched against the candidates from the end.
     */
    private static List<Long> sentSeqs(List<ConversationHistory.Turn> candidates, List<ChatMessage> sent) {
        List<Long> seqs = new ArrayList<>();
        int h = candidates.size() - 1;
        for (int i = sent.size() - 1; i >= 0 && h >= 0; i--) {
            while (h >= 0 && !candidates.get(h).message().equals(sent.get(i))) {
                h--;
            }
            if (h >= 0) {
                seqs.add(0, candidates.get(h--).seq());
            }
        }
        return seqs;
    }

    /**
     * A recorder for one call of a multi-model run. Its request sends the {@code newest} most recent messages of the
     * history as it is now (all of them: {@code Integer.MAX_VALUE}), and is logged with exactly that context even
     * when other calls answer first: calls of a fan-out all send the same history. Its answer joins the history only
     * when {@code answerJoinsHistory}; either way it is logged and its cost counted.
     */
    public synchronized CallRecorder fork(int newest, boolean answerJoinsHistory) {
        List<ConversationHistory.Turn> turns = history.turns();
        List<ConversationHistory.Turn> fixed = List.copyOf(turns.subList(Math.max(0, turns.size()
                - Math.max(0, newest)), turns.size()));
        // this call's own tool rounds (its answers that call tools, and their results), which its next rounds send
        ConversationHistory rounds = new ConversationHistory();
        return new CallRecorder() {
            // the last answer that did not join the rounds, which a feedback message follows in the next request
            private EventData.Response unsent;
            private long unsentSeq;

            @Override
            public void feedback(String text) {
                synchronized (Conversation.this) {
                    if (unsent != null) {
                        rounds.answer(unsentSeq, unsent, true);
                        unsent = null;
                    }
                    EventData.Message message = EventData.Message.user(text);
                    long seq = log.append(message).seq();
                    rounds.add(seq, message);
                    if (answerJoinsHistory) {
                        history.add(seq, message);
                    }
                }
            }

            @Override
            public long requestSent(ModelRef model, ChatRequest request, byte[] body) {
                synchronized (Conversation.this) {
                    List<ConversationHistory.Turn> candidates = new ArrayList<>(fixed);
                    candidates.addAll(rounds.turns());
                    return logRequest(model, request, body, candidates);
                }
            }

            @Override
            public void toolsOffered(List<EventData.OfferedTool> tools) {
                Conversation.this.toolsOffered(tools);
            }

            @Override
            public void toolDecided(EventData.ToolApproval approval) {
                Conversation.this.toolDecided(approval);
            }

            @Override
            public void toolStarted(EventData.ToolCall call) {
                Conversation.this.toolStarted(call);
            }

            @Override
            public void toolEnded(EventData.ToolResult result) {
                synchronized (Conversation.this) {
                    long seq = log.append(result).seq();
                    rounds.add(seq, result);
                    // joins the history's turns only after an answer that joined it
                    history.add(seq, result);
                }
            }

            @Override
            public void retried(long request, int attempt, Duration delay, LlmoException reason) {
                Conversation.this.retried(request, attempt, delay, reason);
            }

            @Override
            public void answered(long request, RunResult result) {
                synchronized (Conversation.this) {
                    EventData.Response response = logAnswer(request, result, answerJoinsHistory);
                    unsent = null;
                    if (response != null && !result.answer().parts(Part.ToolCall.class).isEmpty()) {
                        rounds.answer(lastSeq, response, true);
                    } else if (response != null) {
                        unsent = response;
                        unsentSeq = lastSeq;
                    }
                }
            }
        };
    }

    @Override
    public synchronized void retried(long request, int attempt, Duration delay, LlmoException reason) {
        noteSent(reason);
        log.append(new EventData.Retry(request, attempt, reason.getMessage(), reason instanceof CallError call
                ? call.status() : null, delay.toMillis()));
    }

    @Override
    public synchronized void answered(long request, RunResult result) {
        logAnswer(request, result, true);
    }

    /** Logs the end of a call; returns its response event (also in {@link #lastSeq}), or null when it has none. */
    private EventData.Response logAnswer(long request, RunResult result, boolean joinsHistory) {
        if (request >= 0) {
            noteSent(result.error());
        }
        Long cost = microUsd(result.costUsd());
        if (unlogged != null && request >= 0 && (result.usage() != null || cost != null)) {
            unlogged.add(result.model().id(), result.usage(), cost);
        }
        EventData.Response response = null;
        // every part the user was shown is logged (reasoning, refusals, tool calls, citations), also of a failed call;
        // and what a failed call counts (a request sent, then timed out or cancelled), even with nothing shown: the
        // spending of the day and 'llmo cost' are read from responses
        if (result.succeeded() || !result.answer().parts().isEmpty() || cost != null || result.usage() != null) {
            // a failed call with a stop reason (refused, blocked) was ended by the model or its filter: the answer
            // is whole; any other failure cut it
            boolean ended = result.stopReason() != null;
            response = new EventData.Response(request, result.model().id(), result.answer().parts(),
                    ended ? result.stopReason().id() : "incomplete", result.usage(), cost,
                    result.latencyMs(), result.ttftMs(), ended);
            lastSeq = log.append(response).seq();
            history.answer(lastSeq, response, joinsHistory);
        }
        if (!result.succeeded()) {
            LlmoException error = result.error();
            log.append(new EventData.ErrorEvent(request < 0 ? null : request, errorKind(error),
                    error instanceof CallError call ? call.status() : null, error.getMessage()));
        }
        return response;
    }

    /** Remembers that a request may have left the machine, unless {@code failure} proves it never did. */
    private void noteSent(LlmoException failure) {
        if (failure == null || !neverLeft(failure)) {
            requestLeft = true;
        }
    }

    /**
     * Whether a call's failure happened before its request left the machine: the connection was refused, the host
     * is unknown or unreachable, or connecting timed out. Anything else (an answer, a timeout while reading, a
     * broken connection, Ctrl-C) may have reached the provider.
     */
    static boolean neverLeft(LlmoException failure) {
        if (!(failure instanceof CallError)) {
            return false;
        }
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.NoRouteToHostException
                    || cause instanceof java.net.UnknownHostException) {
                return true;
            }
            if (cause instanceof java.net.SocketTimeoutException timeout
                    && String.valueOf(timeout.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("connect")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this conversation stays on disk when it ends: one it continued, or one where some request may have
     * left the machine. Otherwise {@link #end} removes it, and its id names nothing.
     */
    public synchronized boolean kept() {
        return unlogged == null && (!startedHere || requestLeft);
    }

    /**
     * The id to show for this conversation: null when no file will be left for it to name ({@link #kept()} is false:
     * nothing was sent yet). Asked as each answer is shown, since a later call may still send and keep it.
     */
    public synchronized String keptId() {
        return kept() ? id() : null;
    }

    /** Records a failure that happened before any request was sent (a missing key, a budget refusal). */
    public synchronized void failedBeforeSending(LlmoException error) {
        log.append(new EventData.ErrorEvent(null, errorKind(error), null, error.getMessage()));
    }

    /** The kind of a failure as {@code --json} and the log name it. */
    public static String errorKind(LlmoException error) {
        if (error instanceof CallError call) {
            return call.kind().id();
        }
        return error.exitCode() == ExitCode.FAILURE ? "failure"
                : error.exitCode().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Ends this part of the conversation: {@code session.end} (which syncs the file). A conversation started here
     * whose requests never left the machine is removed instead (see {@link #kept()}).
     */
    public synchronized void end(ExitCode exitCode) {
        if (ended) {
            return;
        }
        ended = true;
        UNENDED.remove(this);
        if (!kept() && log.discard()) {
            return;
        }
        String status = exitCode == ExitCode.OK ? "ok" : exitCode == ExitCode.INTERRUPTED ? "interrupted" : "failed";
        // stopped from outside: interrupted, hangup, terminated or stdout_closed, as the exit code says
        log.append(new EventData.SessionEnd(exitCode.stoppedFromOutside()
                ? exitCode.name().toLowerCase(java.util.Locale.ROOT) : status, exitCode.code(),
                history.costMicroUsd()));
    }

    @Override
    public synchronized void close() {
        UNENDED.remove(this); // closed without an end on purpose (a log only read, or ended by another)
        log.close();
    }

    /**
     * Ends every conversation of this process not yet ended, after the JVM failed ({@code what}, e.g. out of memory):
     * an {@code error} event saying so, then {@code session.end} with exit 1, so that the log says how the session
     * ended. Best effort, for the last moments of a process: what cannot be written is left out (the log stays
     * whole, at worst without its end). The caller bounds the wait: another thread may hold a conversation's lock.
     */
    public static void endAfterJvmFailure(String what) {
        for (Conversation conversation : List.copyOf(UNENDED)) {
            try {
                synchronized (conversation) {
                    // whether its request left is learnt when the call ends, which it now never will: a file made for
                    // a request is kept, since that request may have reached the provider
                    conversation.requestLeft |= conversation.log.persisted();
                    if (!conversation.ended && conversation.kept()) {
                        conversation.log.append(new EventData.ErrorEvent(null, "failure", null, what));
                    }
                    conversation.end(ExitCode.FAILURE);
                }
            } catch (RuntimeException | Error e) {
                // the next one may still be written
            }
        }
    }

    /** USD to whole micro-USD, rounded half up; null stays null (an unknown price is not zero). */
    static Long microUsd(BigDecimal usd) {
        return usd == null ? null : usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
