package dev.llmo.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ModelCatalog;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderConfig;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
     * One recorded call: what was asked (rebuilt) and what was answered, and where it stood: the command of its
     * part of the conversation ({@code session.start}), and for a chain the {@code chain.step} it belongs to.
     *
     * @param session the seq of the {@code session.start} in force
     * @param command that session's command, e.g. {@code run --parallel} or {@code chain run review}
     * @param step    the seq of the chain step's event, or -1 outside chains
     */
    public record Call(long requestSeq, ModelRef model, ChatRequest request, String text, boolean complete,
                       long session, String command, long step) {
    }

    /** What a replay found: the calls up to the first divergence, and that divergence (null when none). */
    public record Result(List<Call> calls, String divergence) {
        public boolean reproduced() {
            return divergence == null;
        }
    }

    private Replay() {
    }

    /**
     * Replays {@code file}. A log that fails verification is refused ({@link LogVerificationException}, exit 6):
     * replaying a tampered record proves nothing.
     */
    public static Result replay(Path file, ModelCatalog catalog, ProviderClients clients) {
        VerifyReport report = ChainVerifier.verify(file);
        if (!report.ok()) {
            throw new LogVerificationException(file + " does not verify, so it cannot be replayed: "
                    + report.problem().message(), "run 'llmo log verify' for details");
        }
        List<Event> events = EventLog.read(file);
        Map<Long, ChatMessage> messages = new HashMap<>();
        Map<Long, String> systems = new HashMap<>();
        Map<Long, Event> requests = new LinkedHashMap<>();
        List<Call> calls = new ArrayList<>();
        Position position = new Position();
        for (Event event : events) {
            JsonNode data = event.data();
            switch (event.type()) {
                case "session.start" -> {
                    position.session = event.seq();
                    position.command = data.path("command").asText();
                    position.step = -1;
                }
                case "chain.step" -> {
                    if (!data.path("skipped").asBoolean()) {
                        position.step = event.seq();
                    }
                }
                case "message" -> {
                    String role = data.path("role").asText();
                    String content = data.path("content").asText();
                    if ("system".equals(role)) {
                        systems.put(event.seq(), content);
                    } else {
                        messages.put(event.seq(), "user".equals(role) ? ChatMessage.user(content)
                                : ChatMessage.assistant(content));
                    }
                }
                case "request" -> requests.put(event.seq(), event);
                case Conversation.RETRACT -> messages.remove(data.path("seq").asLong());
                case "response" -> {
                    if (!data.path("text").asText().isEmpty()) {
                        messages.put(event.seq(), ChatMessage.assistant(data.path("text").asText()));
                    }
                    Event request = requests.remove(data.path("request").asLong());
                    if (request == null) {
                        return new Result(calls, "line " + (event.seq() + 1) + ": a response to request "
                                + data.path("request").asLong() + ", which the log does not hold");
                    }
                    String divergence = check(request, messages, systems, catalog, clients, calls,
                            data.path("text").asText(), data.path("complete").asBoolean(true), position);
                    if (divergence != null) {
                        return new Result(calls, divergence);
                    }
                }
                default -> {
                    // session events, retries and errors are not calls to answer
                }
            }
        }
        return new Result(calls, null);
    }

    /** Where the walk through the log is: the session and chain step in force. */
    private static final class Position {
        long session = -1;
        String command = "";
        long step = -1;
    }

    private static String check(Event request, Map<Long, ChatMessage> messages, Map<Long, String> systems,
                                ModelCatalog catalog, ProviderClients clients, List<Call> calls, String text,
                                boolean complete, Position position) {
        JsonNode data = request.data();
        String where = "line " + (request.seq() + 1) + " (request " + request.seq() + ")";
        String modelId = data.path("model").asText();
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
        for (JsonNode range : data.path("context")) {
            for (long seq = range.get(0).asLong(); seq <= range.get(1).asLong(); seq++) {
                ChatMessage message = messages.get(seq);
                if (message != null) {
                    sent.add(message);
                }
            }
        }
        String system = data.hasNonNull("system") ? systems.get(data.get("system").asLong()) : null;
        boolean stream = data.path("stream").asBoolean(true);
        Map<String, Object> options = new LinkedHashMap<>();
        data.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), option(e.getValue())));
        ChatRequest rebuilt;
        try {
            rebuilt = new ChatRequest(model.modelName(), system, sent, options, model.spec().maxOutputTokens(), stream);
        } catch (IllegalArgumentException e) {
            return where + ": the recorded context cannot be rebuilt (" + e.getMessage() + ")";
        }
        byte[] body = clients.create(model.provider(), null).requestBody(rebuilt);
        String digest = Sha256.of(body);
        String recorded = data.path("body_sha256").asText();
        if (!digest.equals(recorded)) {
            return where + ": the request llmo builds now differs from the one sent (" + recorded + ", now "
                    + digest + "); the configuration of " + model.id() + " or llmo itself has changed since";
        }
        calls.add(new Call(request.seq(), model, rebuilt, text, complete, position.session, position.command,
                position.step));
        return null;
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
