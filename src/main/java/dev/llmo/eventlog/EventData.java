package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typed {@code data} of the event kinds llmo writes. Each record knows its {@code type} and its JSON; field
 * names on disk are snake_case. Hand one to {@link EventLog#append(EventData)}.
 *
 * <p>History is referenced, never copied: a {@link Request} names the earlier {@link Message} and
 * {@link Response} events it sent by their seq ({@link SeqRange}), and a {@link Response}, {@link Retry} or
 * {@link ErrorEvent} names the request it answers by the request's seq. An assistant reply lives in its
 * {@link Response}; do not log it again as a {@link Message}.
 */
public sealed interface EventData {
    /** The event's {@code type} field, e.g. {@code "session.start"}. */
    String type();

    /** The event's {@code data} object. */
    ObjectNode toJson();

    /**
     * {@code session.start}: the first event of a conversation.
     *
     * @param command the llmo command, e.g. {@code run}, {@code chat}, {@code chain run my_chain}
     * @param models the models of the plan, as {@code provider/model}
     * @param configSha256 {@link Sha256#of} the effective configuration, secrets left out; null when unknown
     * @param llmoVersion the llmo release that wrote the log
     */
    record SessionStart(String command, List<String> models, String configSha256, String llmoVersion)
            implements EventData {
        public SessionStart {
            Objects.requireNonNull(command, "command");
            models = List.copyOf(models);
        }

        @Override
        public String type() {
            return "session.start";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("command", command);
            ArrayNode list = data.putArray("models");
            models.forEach(list::add);
            data.put("config_sha256", configSha256);
            data.put("llmo_version", llmoVersion);
            return data;
        }
    }

    /**
     * {@code message}: a system or user message, or an assistant message that no response holds (a prefill, a
     * chain template).
     *
     * @param role {@code system}, {@code user} or {@code assistant}
     */
    record Message(String role, String content) implements EventData {
        private static final Set<String> ROLES = Set.of("system", "user", "assistant");

        public Message {
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("message role must be system, user or assistant, not " + role);
            }
            Objects.requireNonNull(content, "content");
        }

        public static Message system(String content) {
            return new Message("system", content);
        }

        public static Message user(String content) {
            return new Message("user", content);
        }

        @Override
        public String type() {
            return "message";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("role", role);
            data.put("content", content);
            return data;
        }
    }

    /**
     * {@code request}: one call to a model, before it is sent. Enough to replay it: the exact body's digest, and
     * which earlier events made up its context.
     *
     * @param model {@code provider/model}
     * @param options the request options (temperature, max tokens...); a non-integer number is recorded as its
     *     decimal string ({@code 0.7} becomes {@code "0.7"}) because events hold no floating-point numbers
     * @param bodySha256 {@link Sha256#of} the exact bytes of the HTTP body sent
     * @param bodyBytes the length of that body
     * @param context the message and response events sent as the conversation, oldest first; build it with
     *     {@link SeqRange#sent}
     * @param system the seq of the system message in force, or null when there was none
     * @param stream whether the answer was asked for as a stream, or null when not recorded
     */
    record Request(String model, Map<String, ?> options, String bodySha256, long bodyBytes, List<SeqRange> context,
                   Long system, Boolean stream) implements EventData {
        public Request(String model, Map<String, ?> options, String bodySha256, long bodyBytes,
                       List<SeqRange> context) {
            this(model, options, bodySha256, bodyBytes, context, null, null);
        }

        public Request {
            Objects.requireNonNull(model, "model");
            if (!Sha256.isDigest(bodySha256)) {
                throw new IllegalArgumentException("bodySha256 must be sha256:<64 hex>, use Sha256.of(body)");
            }
            options = options == null ? Map.of() : Map.copyOf(options);
            context = List.copyOf(context);
        }

        @Override
        public String type() {
            return "request";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("model", model);
            ObjectNode opts = data.putObject("options");
            options.forEach((key, value) -> opts.set(key, optionValue(value)));
            data.put("body_sha256", bodySha256);
            data.put("body_bytes", bodyBytes);
            ArrayNode ranges = data.putArray("context");
            for (SeqRange range : context) {
                ranges.addArray().add(range.from()).add(range.to());
            }
            if (system != null) {
                data.put("system", system);
            }
            if (stream != null) {
                data.put("stream", stream);
            }
            return data;
        }

        private static JsonNode optionValue(Object value) {
            if (value == null) {
                return EventJson.NODES.nullNode();
            }
            if (value instanceof JsonNode node) {
                if (node.isFloatingPointNumber()) {
                    return EventJson.NODES.textNode(node.decimalValue().toPlainString());
                }
                if (node.isContainerNode()) {
                    return optionValue(EventJson.MAPPER.convertValue(node, Object.class));
                }
                return node;
            }
            if (value instanceof Double || value instanceof Float) {
                return EventJson.NODES.textNode(BigDecimal.valueOf(((Number) value).doubleValue()).toPlainString());
            }
            if (value instanceof BigDecimal decimal) {
                return EventJson.NODES.textNode(decimal.toPlainString());
            }
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return EventJson.NODES.numberNode(((Number) value).longValue());
            }
            if (value instanceof BigInteger big) {
                return EventJson.NODES.numberNode(big);
            }
            if (value instanceof Boolean bool) {
                return EventJson.NODES.booleanNode(bool);
            }
            if (value instanceof Map<?, ?> map) {
                ObjectNode object = EventJson.NODES.objectNode();
                map.forEach((k, v) -> object.set(String.valueOf(k), optionValue(v)));
                return object;
            }
            if (value instanceof Collection<?> list) {
                ArrayNode array = EventJson.NODES.arrayNode();
                list.forEach(v -> array.add(optionValue(v)));
                return array;
            }
            return EventJson.NODES.textNode(value.toString());
        }
    }

    /** Token counts as the provider reported them. */
    record TokenUsage(long inputTokens, long outputTokens) {
        ObjectNode toJson() {
            ObjectNode usage = EventJson.NODES.objectNode();
            usage.put("input_tokens", inputTokens);
            usage.put("output_tokens", outputTokens);
            return usage;
        }
    }

    /**
     * {@code response}: what a model answered to the request with seq {@code request}.
     *
     * @param stopReason {@code end}, {@code max_tokens}, {@code stop_sequence}, {@code tool_use}, ... or
     *     {@code incomplete} for a stream cut mid-way
     * @param usage null when the provider sent none
     * @param costMicroUsd null when the price (or the usage) is unknown: an unknown cost is not zero
     * @param ttftMs time to first token; null when not streamed
     * @param complete false when the stream was cut and {@code text} is what arrived before
     */
    record Response(long request, String model, String text, String stopReason, TokenUsage usage, Long costMicroUsd,
                    long latencyMs, Long ttftMs, boolean complete) implements EventData {
        public Response {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String type() {
            return "response";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("request", request);
            data.put("model", model);
            data.put("text", text);
            data.put("stop_reason", stopReason);
            data.set("usage", usage == null ? EventJson.NODES.nullNode() : usage.toJson());
            data.put("cost_micro_usd", costMicroUsd);
            data.put("latency_ms", latencyMs);
            data.put("ttft_ms", ttftMs);
            data.put("complete", complete);
            return data;
        }
    }

    /**
     * {@code retry}: the request with seq {@code request} failed and is sent again after {@code delayMs}.
     *
     * @param attempt 1 for the first retry
     * @param status the HTTP status that caused it, null for a connection error or timeout
     */
    record Retry(long request, int attempt, String reason, Integer status, long delayMs) implements EventData {
        @Override
        public String type() {
            return "retry";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("request", request);
            data.put("attempt", attempt);
            data.put("reason", reason);
            data.put("status", status);
            data.put("delay_ms", delayMs);
            return data;
        }
    }

    /**
     * {@code error}: a failure, of the request with seq {@code request} (null when no request was sent).
     *
     * @param kind {@code rate_limited}, {@code auth}, {@code timeout}, {@code budget}, ... as in {@code --json}
     * @param status the HTTP status, or null
     * @param message the provider's or llmo's message, never a secret
     */
    record ErrorEvent(Long request, String kind, Integer status, String message) implements EventData {
        public ErrorEvent {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String type() {
            return "error";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("request", request);
            data.put("kind", kind);
            data.put("status", status);
            data.put("message", message);
            return data;
        }
    }

    /**
     * {@code session.end}: the last event; writing it also syncs the file to disk.
     *
     * @param status {@code ok}, {@code failed} or {@code interrupted}
     * @param exitCode the exit code of the process (or of the chat turn)
     * @param costMicroUsd the whole conversation's cost
     */
    record SessionEnd(String status, int exitCode, long costMicroUsd) implements EventData {
        @Override
        public String type() {
            return "session.end";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode data = EventJson.NODES.objectNode();
            data.put("status", status);
            data.put("exit_code", exitCode);
            data.put("cost_micro_usd", costMicroUsd);
            return data;
        }
    }

    /** Any other event type, for extensions: {@code data} is checked when it is written (no floats). */
    record Custom(String type, ObjectNode data) implements EventData {
        public Custom {
            if (type == null || type.isEmpty()) {
                throw new IllegalArgumentException("an event needs a type");
            }
            data = data.deepCopy();
        }

        @Override
        public ObjectNode toJson() {
            return data.deepCopy();
        }
    }

    /**
     * An inclusive range of seqs, {@code [from, to]}, written as a two-element array: the message and response
     * events inside it were sent (other events inside it, such as requests, are not content). A whole chat
     * history is one range, so a request's size does not grow with the conversation.
     */
    record SeqRange(long from, long to) {
        public SeqRange {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad seq range [" + from + ", " + to + "]");
            }
        }

        /**
         * The ranges for a request that sent {@code sent} out of a conversation whose message and response events
         * are {@code history} (seqs, oldest first): one range per unbroken run of sent events, so sending the whole
         * history is one range however long it is.
         */
        public static List<SeqRange> sent(List<Long> history, Collection<Long> sent) {
            Set<Long> included = new java.util.HashSet<>(sent);
            List<SeqRange> ranges = new ArrayList<>();
            long from = -1;
            long to = -1;
            for (long seq : history) {
                if (included.contains(seq)) {
                    if (from < 0) {
                        from = seq;
                    }
                    to = seq;
                } else if (from >= 0) {
                    ranges.add(new SeqRange(from, to));
                    from = -1;
                }
            }
            if (from >= 0) {
                ranges.add(new SeqRange(from, to));
            }
            return ranges;
        }

        /** The fewest ranges covering exactly {@code seqs} (and nothing between them). */
        public static List<SeqRange> of(Collection<Long> seqs) {
            List<SeqRange> ranges = new ArrayList<>();
            long from = -1;
            long to = -1;
            for (long seq : new TreeSet<>(seqs)) {
                if (from >= 0 && seq == to + 1) {
                    to = seq;
                    continue;
                }
                if (from >= 0) {
                    ranges.add(new SeqRange(from, to));
                }
                from = seq;
                to = seq;
            }
            if (from >= 0) {
                ranges.add(new SeqRange(from, to));
            }
            return ranges;
        }
    }
}
