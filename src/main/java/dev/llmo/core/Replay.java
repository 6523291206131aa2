package dev.llmo.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ModelCatalog;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderConfig;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code llmo log replay}: re-runs a recorded conversation with every model call answered from the log. Each
 * request is rebuilt from the recorded history, system prompt and options by the same client code that sent it,
 * and its body's SHA-256 must match the recorded one; the recorded answers are then given back in order. No
 * network is touched and no key is needed.
 */
public final class Replay {
    // What the command line types as a number; the log keeps non-integers as decimal strings (no floats in events).
    private static final Pattern DECIMAL = Pattern.compile("-?(\\d+\\.\\d*|\\.\\d+)");

    /**
     * One recorded call: what was asked (rebuilt) and what was answered, and where it stood: its part of the
     * conversation ({@code session.start}), and for a chain the {@code chain.step} it belongs to.
     *
     * @param response the recorded answer with every part (text, reasoning, refusal, tool calls, citations)
     * @param session  the seq of the {@code session.start} in force
     * @param start    that session's start: its mode and the models in the plan's order
     * @param step     the seq of the chain step's event, or -1 outside chains
     */
    public record Call(long requestSeq, ModelRef model, ChatRequest request, EventData.Response response,
                       long session, EventData.SessionStart start, long step) {
        /** The answer text, as it was printed. */
        public String text() {
            return response.text();
        }

        public boolean complete() {
            return response.complete();
        }
    }

    /**
     * What a replay found: the calls up to the first divergence, and that divergence (null when none); the errors the
     * runs recorded, and the exit code the last run ended with, so that a replay ends as the run did.
     *
     * @param exitCode  the last run's recorded exit code ({@code session.end}); for a run that never recorded its end
     *                  (killed), 1 when it recorded an error, else 0
     * @param toolNames each offered tool's own name ({@code fs.read_file}) by the name its requests declared it by
     *                  ({@code fs_read_file}), which is the name the model called
     */
    public record Result(List<Call> calls, String divergence, List<RecordedError> errors, int exitCode,
                         Map<String, String> toolNames) {
        public Result {
            calls = List.copyOf(calls);
            errors = List.copyOf(errors);
            toolNames = Map.copyOf(toolNames);
        }

        /** A replay that stopped at {@code divergence}: the run's own end is not reached. */
        static Result diverged(List<Call> calls, String divergence, Map<String, String> toolNames) {
            return new Result(calls, divergence, List.of(), 1, toolNames);
        }

        public boolean reproduced() {
            return divergence == null;
        }
    }

    /**
     * An error a run printed and recorded ({@code error} event), with the seq of the {@code session.start} of that
     * run: a call that failed (the seq of its request), or a run that failed around its calls (request null).
     */
    public record RecordedError(long session, Long request, String message) {
    }

    private Replay() {
    }

    /**
     * Replays {@code file}, of format version 1 or 2. A log that fails verification is refused
     * ({@link LogVerificationException}, exit 6): replaying a tampered record proves nothing.
     */
    public static Result replay(Path file, ModelCatalog catalog, ProviderClients clients) {
        VerifyReport report = ChainVerifier.verify(file);
        if (!report.ok()) {
            throw new LogVerificationException(file + " does not verify, so it cannot be replayed: "
                    + report.problem().message(), "run 'llmo log verify' for details");
        }
        ConversationHistory history = new ConversationHistory();
        Map<Long, EventData.Request> requests = new LinkedHashMap<>();
        Map<Long, List<ToolDeclaration>> offers = new java.util.HashMap<>();
        Map<String, String> toolNames = new java.util.HashMap<>();
        List<Call> calls = new ArrayList<>();
        long session = -1;
        EventData.SessionStart start = null;
        long step = -1;
        List<RecordedError> errors = new ArrayList<>();
        Integer ended = null;
        boolean failedInSession = false;
        Map<Long, String> redacted = new java.util.HashMap<>();
        for (Event event : EventLog.read(file)) {
            EventData data = EventCodec.decode(event);
            if (EventCodec.redacted(event)) {
                redacted.put(event.seq(), event.type());
            }
            history.add(event.seq(), data);
            if (data instanceof EventData.SessionStart begun) {
                session = event.seq();
                start = begun;
                step = -1;
                ended = null;
                failedInSession = false;
            } else if (data instanceof EventData.SessionEnd end) {
                ended = end.exitCode();
            } else if (data instanceof EventData.ErrorEvent error) {
                errors.add(new RecordedError(session, error.request(), error.message()));
                failedInSession = true;
            } else if (data instanceof EventData.ChainStep chainStep) {
                if (!chainStep.skipped()) {
                    step = event.seq();
                }
            } else if (data instanceof EventData.ToolsOffered offered) {
                offered.tools().forEach(tool -> toolNames.put(tool.wireName(), tool.name()));
                offers.put(event.seq(), offered.tools().stream().map(tool -> new ToolDeclaration(tool.wireName(),
                        tool.description(), tool.schemaJson())).toList());
            } else if (data instanceof EventData.Request request) {
                requests.put(event.seq(), request);
            } else if (data instanceof EventData.Response response) {
                EventData.Request request = requests.remove(response.request());
                if (request == null) {
                    return Result.diverged(calls, "line " + (event.seq() + 1) + ": a response to request "
                            + response.request() + ", which the log does not hold", toolNames);
                }
                String where = "line " + (response.request() + 1) + " (request " + response.request() + ")";
                List<ToolDeclaration> tools = request.tools() == null ? List.of() : offers.get(request.tools());
                if (tools == null) {
                    return Result.diverged(calls, where + ": it declares the tools of event " + request.tools()
                            + ", which is not a tool.offer", toolNames);
                }
                Object rebuilt = rebuild(request, tools, where, history, catalog, clients, redacted);
                if (rebuilt instanceof String divergence) {
                    return Result.diverged(calls, divergence, toolNames);
                }
                Rebuilt call = (Rebuilt) rebuilt;
                calls.add(new Call(response.request(), call.model(), call.request(), response, session, start, step));
            }
        }
        return new Result(calls, null, errors, ended != null ? ended : failedInSession ? 1 : 0, toolNames);
    }

    private record Rebuilt(ModelRef model, ChatRequest request) {
    }

    /** The request rebuilt from the log, or why it cannot be (a divergence). */
    private static Object rebuild(EventData.Request request, List<ToolDeclaration> tools, String where,
                                  ConversationHistory history,
                                  ModelCatalog catalog, ProviderClients clients, Map<Long, String> redacted) {
        String modelId = request.model();
        ModelRef model;
        try {
            model = catalog.resolve(modelId);
        } catch (LlmoException e) {
            return where + ": model " + modelId + " is no longer configured (" + e.getMessage() + ")";
        }
        if (!model.id().equals(modelId)) {
            // the reference now means another model: rebuild with the recorded provider and name
            int slash = modelId.indexOf('/');
            ProviderConfig provider = catalog.providers().stream()
                    .filter(p -> p.name().equals(modelId.substring(0, Math.max(slash, 0)))).findFirst().orElse(null);
            if (provider == null) {
                return where + ": provider of " + modelId + " is no longer configured";
            }
            String name = modelId.substring(slash + 1);
            model = new ModelRef(provider, provider.model(name).orElse(ModelSpec.unlisted(name, provider.origin())));
        }
        List<ChatMessage> sent = new ArrayList<>();
        for (EventData.SeqRange range : request.context()) {
            for (long seq = range.from(); seq <= range.to(); seq++) {
                ChatMessage message = history.message(seq);
                if (message != null) {
                    sent.add(message);
                }
            }
        }
        String system = request.system() != null ? history.system(request.system()) : null;
        boolean stream = request.stream() == null || request.stream();
        Map<String, Object> options = new LinkedHashMap<>();
        request.options().forEach((key, value) -> options.put(key, option((JsonNode) value)));
        ChatRequest rebuilt;
        try {
            rebuilt = new ChatRequest(model.modelName(), system, sent, options, model.spec().maxOutputTokens(), stream,
                    tools, request.schema() == null ? null : new dev.llmo.provider.ResponseSchema(
                    request.schema().name(), request.schema().json(), request.schema().multi()));
        } catch (IllegalArgumentException e) {
            return where + ": the recorded context cannot be rebuilt (" + e.getMessage() + ")";
        }
        byte[] body = clients.create(model.provider(), null).requestBody(rebuilt);
        String digest = Sha256.of(body);
        if (!digest.equals(request.bodySha256())) {
            Long removed = firstRedacted(request, redacted);
            if (removed != null) {
                // what was sent is gone from the log on purpose: nothing about llmo or its configuration changed
                return where + ": the request cannot be rebuilt, since the content of line " + (removed + 1) + " (a "
                        + redacted.get(removed) + " event, seq " + removed + ") it sent was redacted from the log";
            }
            return where + ": the request llmo builds now differs from the one sent (" + request.bodySha256()
                    + ", now " + digest + "); the configuration of " + model.id() + " or llmo itself has changed since";
        }
        return new Rebuilt(model, rebuilt);
    }

    /** The first event the request sent (its context, its system prompt) whose content was redacted, or null. */
    private static Long firstRedacted(EventData.Request request, Map<Long, String> redacted) {
        java.util.TreeSet<Long> sent = new java.util.TreeSet<>();
        if (request.system() != null) {
            sent.add(request.system());
        }
        for (EventData.SeqRange range : request.context()) {
            for (long seq : redacted.keySet()) {
                if (seq >= range.from() && seq <= range.to()) {
                    sent.add(seq);
                }
            }
        }
        sent.retainAll(redacted.keySet());
        return sent.isEmpty() ? null : sent.first();
    }

    private static Object option(JsonNode value) {
        if (value.isTextual() && DECIMAL.matcher(value.asText()).matches()) {
            return new BigDecimal(value.asText());
        }
        if (value.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.fields().forEachRemaining(e -> map.put(e.getKey(), option(e.getValue())));
            return map;
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(v -> list.add(option(v)));
            return list;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        return value.isNull() ? null : value.asText();
    }
}
