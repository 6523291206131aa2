package dev.llmo.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ModelRef;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import dev.llmo.provider.ChatMessage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A conversation (a run, a chat session, a chain run) and its event log: the system prompt, the history of user
 * messages and answers, and every call made, written as it happens. History is referenced by seq in each request
 * event, never copied, so the log grows linearly. Thread-safe: calls may answer from their own threads.
 */
public final class Conversation implements CallRecorder, AutoCloseable {
    private final EventLog log;
    private final List<Turn> history = new ArrayList<>();
    private String system;
    private long costMicroUsd;
    private boolean ended;

    /** One message of the history and the seq of the event that holds it. */
    private record Turn(ChatMessage message, long seq) {
    }

    private Conversation(EventLog log) {
        this.log = log;
    }

    /** Starts a new conversation in {@code dir}. */
    public static Conversation start(Path dir, String command, List<String> models, String configDigest,
                                     String version) {
        return new Conversation(EventLog.create(dir, new EventData.SessionStart(command, models, configDigest,
                version)));
    }

    /**
     * Continues the conversation named by {@code idOrPrefix} (or the newest one when it is null): its system
     * prompt and history come back from the log, and a new {@code session.start} marks where this part begins.
     */
    public static Conversation resume(Path dir, String idOrPrefix, String command, List<String> models,
                                      String configDigest, String version) {
        ConversationStore store = new ConversationStore(dir);
        Path file;
        if (idOrPrefix == null) {
            List<String> ids = store.ids();
            if (ids.isEmpty()) {
                throw new UsageException("there is no conversation to continue in " + dir,
                        "start one without -c/--continue");
            }
            file = store.file(ids.get(ids.size() - 1));
        } else {
            file = store.resolve(idOrPrefix);
        }
        List<Event> events = EventLog.read(file);
        Conversation conversation = new Conversation(EventLog.open(file));
        for (Event event : events) {
            conversation.replayHistory(event);
        }
        conversation.log.append(new EventData.SessionStart(command, models, configDigest, version));
        return conversation;
    }

    private void replayHistory(Event event) {
        JsonNode data = event.data();
        if ("message".equals(event.type())) {
            String role = data.path("role").asText();
            String content = data.path("content").asText();
            if ("system".equals(role)) {
                system = content.isEmpty() ? null : content;
            } else {
                history.add(new Turn("user".equals(role) ? ChatMessage.user(content) : ChatMessage.assistant(content),
                        event.seq()));
            }
        } else if ("response".equals(event.type())) {
            if (!data.path("text").asText().isEmpty()) {
                history.add(new Turn(ChatMessage.assistant(data.path("text").asText()), event.seq()));
            }
            costMicroUsd += data.path("cost_micro_usd").asLong(0);
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
        return system;
    }

    /** Sets the system prompt; recorded only when it changes, so a continued conversation keeps its own. */
    public synchronized void system(String prompt) {
        String normalized = prompt == null || prompt.isBlank() ? null : prompt;
        if (java.util.Objects.equals(normalized, system)) {
            return;
        }
        system = normalized;
        log.append(EventData.Message.system(normalized == null ? "" : normalized));
    }

    /** Adds the user's next message to the history. */
    public synchronized void user(String text) {
        Event event = log.append(EventData.Message.user(text));
        history.add(new Turn(ChatMessage.user(text), event.seq()));
    }

    /** The history to send, oldest first, ending with the newest message. */
    public synchronized List<ChatMessage> messages() {
        return history.stream().map(Turn::message).toList();
    }

    /** What this conversation has cost so far, in micro-USD (known prices only). */
    public synchronized long costMicroUsd() {
        return costMicroUsd;
    }

    @Override
    public synchronized long requestSent(ModelRef model, Map<String, Object> options, byte[] body) {
        return logRequest(model, options, body, history.stream().map(Turn::seq).toList());
    }

    private long logRequest(ModelRef model, Map<String, Object> options, byte[] body, List<Long> seqs) {
        Event event = log.append(new EventData.Request(model.id(), options, Sha256.of(body), body.length,
                EventData.SeqRange.sent(seqs, seqs)));
        return event.seq();
    }

    /**
     * A recorder for one call of a multi-model run. Its request sends the {@code newest} most recent messages of the
     * history as it is now (all of them: {@code Integer.MAX_VALUE}), and is logged with exactly that context even
     * when other calls answer first: calls of a fan-out all send the same history. Its answer joins the history only
     * when {@code answerJoinsHistory}; either way it is logged and its cost counted.
     */
    public synchronized CallRecorder fork(int newest, boolean answerJoinsHistory) {
        List<Long> seqs = history.subList(Math.max(0, history.size() - Math.max(0, newest)), history.size()).stream()
                .map(Turn::seq).toList();
        return new CallRecorder() {
            @Override
            public long requestSent(ModelRef model, Map<String, Object> options, byte[] body) {
                synchronized (Conversation.this) {
                    return logRequest(model, options, body, seqs);
                }
            }

            @Override
            public void retried(long request, int attempt, Duration delay, LlmoException reason) {
                Conversation.this.retried(request, attempt, delay, reason);
            }

            @Override
            public void answered(long request, RunResult result) {
                synchronized (Conversation.this) {
                    logAnswer(request, result, answerJoinsHistory);
                }
            }
        };
    }

    @Override
    public synchronized void retried(long request, int attempt, Duration delay, LlmoException reason) {
        log.append(new EventData.Retry(request, attempt, reason.getMessage(), reason instanceof CallError call
                ? call.status() : null, delay.toMillis()));
    }

    @Override
    public synchronized void answered(long request, RunResult result) {
        logAnswer(request, result, true);
    }

    private void logAnswer(long request, RunResult result, boolean joinsHistory) {
        Long cost = microUsd(result.costUsd());
        if (result.succeeded() || !result.text().isEmpty()) {
            EventData.TokenUsage usage = result.usage() == null ? null
                    : new EventData.TokenUsage(result.usage().inputTokens(), result.usage().outputTokens());
            Event event = log.append(new EventData.Response(request, result.model().id(), result.text(),
                    result.succeeded() ? result.stopReason().id() : "incomplete", usage, cost, result.latencyMs(),
                    result.ttftMs(), result.succeeded()));
            if (joinsHistory && !result.text().isEmpty()) {
                history.add(new Turn(ChatMessage.assistant(result.text()), event.seq()));
            }
            costMicroUsd += cost == null ? 0 : cost;
        }
        if (!result.succeeded()) {
            LlmoException error = result.error();
            log.append(new EventData.ErrorEvent(request < 0 ? null : request, errorKind(error),
                    error instanceof CallError call ? call.status() : null, error.getMessage()));
        }
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

    /** Ends this part of the conversation: {@code session.end} (which syncs the file). */
    public synchronized void end(ExitCode exitCode) {
        if (ended) {
            return;
        }
        ended = true;
        String status = exitCode == ExitCode.OK ? "ok" : exitCode == ExitCode.INTERRUPTED ? "interrupted" : "failed";
        log.append(new EventData.SessionEnd(status, exitCode.code(), costMicroUsd));
    }

    @Override
    public synchronized void close() {
        log.close();
    }

    /** USD to whole micro-USD, rounded half up; null stays null (an unknown price is not zero). */
    static Long microUsd(BigDecimal usd) {
        return usd == null ? null : usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
