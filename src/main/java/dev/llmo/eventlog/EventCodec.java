package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The one place that knows the JSON of events: {@link EventData} records to the {@code data} (and {@code content})
 * of a version 2 line, and the lines of versions 1 and 2 back to records. docs/usage/event-log.md documents both
 * formats; ADR-009 says why version 2 is built the way it is.
 *
 * <p>Version 2 keeps what a message says apart from what the chain hashes: each part in {@code data} carries
 * {@code content_sha256}, the digest of its content, and the content itself sits in the line's top-level
 * {@code content} object under that digest, outside the hash. Removing a content entry later (redaction) leaves
 * every hash, and so the chain, intact; changing one is found because it no longer matches its digest.
 */
public final class EventCodec {
    /** The key of a part's content digest in {@code data}. */
    public static final String CONTENT_DIGEST = "content_sha256";

    private EventCodec() {
    }

    /**
     * What {@link #encode} makes of one event: the hashed {@code data} and the unhashed {@code content}, with the
     * canonical bytes of {@code content} (null when it is empty): each entry's bytes are those its digest was taken
     * of, so that a long answer's text is made canonical once, not twice (ADR-003, "Sixth round, streaming").
     */
    record Encoded(ObjectNode data, ObjectNode content, byte[] canonicalContent) {
    }

    /**
     * The version 2 {@code data} of {@code event} and the {@code content} of its parts ({@code content} empty when it
     * has none). {@code random} is a {@link java.security.SecureRandom} (a seeded one only for test data): each
     * content entry gets a fresh random salt, so the digest left behind by a redaction cannot be used
     * to confirm a guess of a short content ("yes").
     */
    static Encoded encode(EventData event, Random random) {
        ObjectNode content = EventJson.NODES.objectNode();
        java.util.TreeMap<String, CanonicalJson.Bytes> bodies = new java.util.TreeMap<>();
        ObjectNode data = EventJson.NODES.objectNode();
        if (event instanceof EventData.SessionStart start) {
            data.put("command", start.command());
            data.put("mode", start.mode().id());
            ArrayNode models = data.putArray("models");
            for (String model : start.models()) {
                models.add(model);
            }
            data.put("config_sha256", start.configSha256());
            data.put("llmo_version", start.llmoVersion());
        } else if (event instanceof EventData.Message message) {
            data.put("role", message.role().id());
            data.set("parts", parts(message.parts(), content, bodies, random));
        } else if (event instanceof EventData.Request request) {
            data.put("model", request.model());
            ObjectNode options = data.putObject("options");
            for (Map.Entry<String, ?> option : request.options().entrySet()) {
                options.set(option.getKey(), optionValue(option.getValue()));
            }
            data.put("body_sha256", request.bodySha256());
            data.put("body_bytes", request.bodyBytes());
            ArrayNode ranges = data.putArray("context");
            for (EventData.SeqRange range : request.context()) {
                ranges.addArray().add(range.from()).add(range.to());
            }
            if (request.system() != null) {
                data.put("system", request.system());
            }
            if (request.stream() != null) {
                data.put("stream", request.stream());
            }
            if (request.tools() != null) {
                data.put("tools", request.tools());
            }
            if (request.schema() != null) {
                data.putObject("schema").put("name", request.schema().name()).put("json", request.schema().json())
                        .put("multi", request.schema().multi());
            }
        } else if (event instanceof EventData.Response response) {
            data.put("request", response.request());
            data.put("model", response.model());
            data.set("parts", parts(response.parts(), content, bodies, random));
            data.put("stop_reason", response.stopReason());
            data.set("usage", usage(response.usage()));
            data.put("cost_micro_usd", response.costMicroUsd());
            data.put("latency_ms", response.latencyMs());
            data.put("ttft_ms", response.ttftMs());
            data.put("complete", response.complete());
        } else if (event instanceof EventData.ToolsOffered offered) {
            ArrayNode tools = data.putArray("tools");
            for (EventData.OfferedTool tool : offered.tools()) {
                tools.addObject().put("name", tool.name()).put("wire_name", tool.wireName())
                        .put("source", tool.source()).put("description", tool.description())
                        .put("schema", tool.schemaJson()).put("schema_sha256", tool.schemaSha256());
            }
        } else if (event instanceof EventData.ToolApproval approval) {
            data.put("call_id", approval.callId());
            data.put("tool", approval.tool());
            data.put("decision", approval.allowed() ? "allow" : "deny");
            data.put("by", approval.decidedBy());
        } else if (event instanceof EventData.ToolCall call) {
            data.put("call_id", call.callId());
            data.put("tool", call.tool());
            data.put("source", call.source());
            data.put("schema_sha256", call.schemaSha256());
        } else if (event instanceof EventData.ToolResult result) {
            data.put("request", result.request());
            data.put("tool", result.tool());
            data.put("duration_ms", result.durationMs());
            data.set("parts", parts(List.of(result.result()), content, bodies, random));
        } else if (event instanceof EventData.Retry retry) {
            data.put("request", retry.request());
            data.put("attempt", retry.attempt());
            data.put("reason", retry.reason());
            data.put("status", retry.status());
            data.put("delay_ms", retry.delayMs());
        } else if (event instanceof EventData.ErrorEvent error) {
            data.put("request", error.request());
            data.put("kind", error.kind());
            data.put("status", error.status());
            data.put("message", error.message());
        } else if (event instanceof EventData.Retract retract) {
            data.put("seq", retract.seq());
        } else if (event instanceof EventData.ChainStep step) {
            data.put("chain", step.chain());
            data.put("step", step.step());
            data.put("index", step.index());
            data.put("iteration", step.iteration());
            data.put("skipped", step.skipped());
            ArrayNode models = data.putArray("models");
            step.models().forEach(models::add);
        } else if (event instanceof EventData.BatchRow row) {
            data.put("row", row.row());
            data.put("row_id", row.rowId());
            data.put("model_index", row.modelIndex());
            data.put("model", row.model());
            data.put("input_sha256", row.inputSha256());
            data.put("body_sha256", row.bodySha256());
            data.set("parts", parts(row.parts(), content, bodies, random));
            data.put("stop_reason", row.stopReason());
            data.set("usage", usage(row.usage()));
            data.put("cost_micro_usd", row.costMicroUsd());
            data.put("latency_ms", row.latencyMs());
            data.put("ttft_ms", row.ttftMs());
            if (!row.asserts().isEmpty()) {
                ArrayNode checks = data.putArray("asserts");
                row.asserts().forEach(pass -> {
                    if (pass == null) {
                        checks.addNull();
                    } else {
                        checks.add(pass);
                    }
                });
            }
            if (row.errorKind() != null) {
                data.putObject("error").put("kind", row.errorKind()).put("status", row.errorStatus())
                        .put("message", row.errorMessage());
            }
        } else if (event instanceof EventData.BatchJudge judge) {
            data.put("row", judge.row());
            data.put("model_index", judge.modelIndex());
            data.put("assertion", judge.assertion());
            data.put("model", judge.judge());
            if (judge.pass() != null) {
                data.put("pass", judge.pass());
            }
            data.set("parts", parts(judge.parts(), content, bodies, random));
            data.set("usage", usage(judge.usage()));
            data.put("cost_micro_usd", judge.costMicroUsd());
            data.put("latency_ms", judge.latencyMs());
            if (judge.errorMessage() != null) {
                data.put("error", judge.errorMessage());
            }
        } else if (event instanceof EventData.SessionEnd end) {
            data.put("status", end.status());
            data.put("exit_code", end.exitCode());
            data.put("cost_micro_usd", end.costMicroUsd());
        } else if (event instanceof EventData.Custom custom) {
            data.setAll(custom.data());
        }
        return new Encoded(data, content, bodies.isEmpty() ? null : CanonicalJson.object(bodies));
    }

    /** @param bodies where each content entry's canonical bytes go, by digest */
    private static ArrayNode parts(List<Part> parts, ObjectNode content, Map<String, CanonicalJson.Bytes> bodies,
                                   Random random) {
        ArrayNode list = EventJson.NODES.arrayNode();
        for (Part part : parts) {
            ObjectNode hashed = list.addObject();
            ObjectNode body = EventJson.NODES.objectNode();
            if (part instanceof Part.Text text) {
                hashed.put("type", "text");
                body.put("text", text.text());
            } else if (part instanceof Part.Reasoning reasoning) {
                hashed.put("type", "reasoning");
                if (reasoning.redacted()) {
                    hashed.put("provider_redacted", true); // the provider hid it: only its signature came
                }
                body.put("text", reasoning.text());
                if (reasoning.signature() != null) {
                    body.put("signature", reasoning.signature());
                }
            } else if (part instanceof Part.Refusal refusal) {
                hashed.put("type", "refusal");
                body.put("text", refusal.text());
            } else if (part instanceof Part.ToolCall call) {
                hashed.put("type", "tool_call");
                hashed.put("id", call.id());
                hashed.put("name", call.name());
                body.put("arguments", call.arguments());
            } else if (part instanceof Part.ToolResult result) {
                hashed.put("type", "tool_result");
                hashed.put("call_id", result.callId());
                hashed.put("is_error", result.isError());
                body.put("content", result.content());
            } else if (part instanceof Part.Attachment attachment) {
                hashed.put("type", "attachment");
                hashed.put("media_type", attachment.mediaType());
                hashed.put("sha256", attachment.sha256());
                if (attachment.name() != null) {
                    body.put("name", attachment.name());
                }
            } else if (part instanceof Part.Citation citation) {
                hashed.put("type", "citation");
                body.put("url", citation.url());
                if (citation.title() != null) {
                    body.put("title", citation.title());
                }
                if (citation.citedText() != null) {
                    body.put("cited_text", citation.citedText());
                }
            }
            body.put("salt", salt(random));
            // not copied out: an answer's text is made canonical once and copied once more, into the content object
            CanonicalJson.Bytes canonical = CanonicalJson.canonical(body);
            String digest = Sha256.of(canonical.array(), canonical.size());
            hashed.put(CONTENT_DIGEST, digest);
            content.set(digest, body);
            bodies.put(digest, canonical);
        }
        return list;
    }

    private static String salt(Random random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Sha256.hex(bytes);
    }

    private static JsonNode usage(Usage usage) {
        if (usage == null) {
            return EventJson.NODES.nullNode();
        }
        ObjectNode node = EventJson.NODES.objectNode();
        node.put("input_tokens", usage.inputTokens());
        node.put("output_tokens", usage.outputTokens());
        node.put("reasoning_tokens", usage.reasoningTokens());
        node.put("cache_read_tokens", usage.cacheReadTokens());
        node.put("cache_write_tokens", usage.cacheWriteTokens());
        return node;
    }

    /**
     * The typed record of {@code event}, of format version 1 or 2. Lenient, like every reader of the log: a type it
     * does not know, or a known type whose data is not as llmo writes it, comes back as {@link EventData.Custom};
     * a part whose content was removed (redacted) reads as empty.
     */
    public static EventData decode(Event event) {
        ObjectNode data = event.data();
        try {
            EventData typed = switch (event.type()) {
                case "session.start" -> {
                    String command = data.path("command").asText("");
                    RunMode mode = event.version() >= 2 ? RunMode.fromId(data.path("mode").asText())
                            : RunMode.ofV1Command(command);
                    yield mode == null ? null : new EventData.SessionStart(command, mode, texts(data.path("models")),
                            data.path("config_sha256").textValue(), data.path("llmo_version").textValue());
                }
                case "message" -> new EventData.Message(Role.fromId(data.path("role").asText()),
                        event.version() >= 2 ? parts(data.path("parts"), event.content())
                                : List.of(new Part.Text(data.path("content").asText())));
                case "request" -> {
                    List<EventData.SeqRange> context = new ArrayList<>();
                    for (JsonNode range : data.path("context")) {
                        context.add(new EventData.SeqRange(range.get(0).asLong(), range.get(1).asLong()));
                    }
                    Map<String, JsonNode> options = new LinkedHashMap<>();
                    data.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue()));
                    yield new EventData.Request(data.path("model").asText(), options,
                            data.path("body_sha256").asText(), data.path("body_bytes").asLong(), context,
                            data.hasNonNull("system") ? data.get("system").asLong() : null,
                            data.path("stream").isBoolean() ? data.get("stream").booleanValue() : null,
                            data.path("tools").isIntegralNumber() ? data.get("tools").asLong() : null,
                            data.path("schema").isObject() ? new EventData.RequestedSchema(
                                    data.get("schema").path("name").asText(), data.get("schema").path("json").asText(),
                                    data.get("schema").path("multi").asBoolean()) : null);
                }
                case "response" -> {
                    List<Part> parts;
                    if (event.version() >= 2) {
                        parts = parts(data.path("parts"), event.content());
                    } else {
                        String text = data.path("text").asText();
                        parts = text.isEmpty() ? List.of() : List.of(new Part.Text(text));
                    }
                    yield new EventData.Response(data.path("request").asLong(), data.path("model").asText(), parts,
                            data.path("stop_reason").textValue(), readUsage(data.path("usage")),
                            data.path("cost_micro_usd").isIntegralNumber() ? data.get("cost_micro_usd").asLong() : null,
                            data.path("latency_ms").asLong(),
                            data.path("ttft_ms").isIntegralNumber() ? data.get("ttft_ms").asLong() : null,
                            data.path("complete").asBoolean(true));
                }
                case "tool.offer" -> {
                    List<EventData.OfferedTool> tools = new ArrayList<>();
                    for (JsonNode tool : data.path("tools")) {
                        tools.add(new EventData.OfferedTool(tool.get("name").asText(), tool.get("wire_name").asText(),
                                tool.get("source").asText(), tool.get("description").asText(),
                                tool.get("schema").asText(), tool.get("schema_sha256").asText()));
                    }
                    yield new EventData.ToolsOffered(tools);
                }
                case "tool.approval" -> new EventData.ToolApproval(data.get("call_id").asText(),
                        data.get("tool").asText(), "allow".equals(data.path("decision").asText()),
                        data.get("by").asText());
                case "tool.call" -> new EventData.ToolCall(data.get("call_id").asText(), data.get("tool").asText(),
                        data.get("source").asText(), data.path("schema_sha256").textValue());
                case "tool.result" -> new EventData.ToolResult(data.get("request").asLong(), data.get("tool").asText(),
                        (Part.ToolResult) parts(data.path("parts"), event.content()).get(0),
                        data.path("duration_ms").asLong());
                case "retry" -> new EventData.Retry(data.path("request").asLong(), data.path("attempt").asInt(),
                        data.path("reason").asText(""), data.path("status").isIntegralNumber()
                        ? data.get("status").asInt() : null, data.path("delay_ms").asLong());
                case "error" -> new EventData.ErrorEvent(data.path("request").isIntegralNumber()
                        ? data.get("request").asLong() : null, data.path("kind").asText(),
                        data.path("status").isIntegralNumber() ? data.get("status").asInt() : null,
                        data.path("message").textValue());
                case "message.retract" -> new EventData.Retract(data.path("seq").asLong(-1));
                case "chain.step" -> new EventData.ChainStep(data.path("chain").asText(), data.path("step").asText(),
                        data.path("index").asInt(), data.path("iteration").asInt(), data.path("skipped").asBoolean(),
                        texts(data.path("models")));
                case "batch.row" -> {
                    JsonNode error = data.path("error");
                    yield new EventData.BatchRow(data.path("row").asLong(), data.path("row_id").asText(),
                            data.path("model_index").asInt(), data.path("model").asText(),
                            data.path("input_sha256").textValue(), data.path("body_sha256").textValue(),
                            parts(data.path("parts"), event.content()), data.path("stop_reason").textValue(),
                            readUsage(data.path("usage")), longOrNull(data.path("cost_micro_usd")),
                            data.path("latency_ms").asLong(), longOrNull(data.path("ttft_ms")),
                            error.isObject() ? error.path("kind").asText("failed") : null,
                            error.path("status").isIntegralNumber() ? error.get("status").asInt() : null,
                            error.isObject() ? error.path("message").asText("") : null, checks(data.path("asserts")));
                }
                case "batch.judge" -> new EventData.BatchJudge(data.path("row").asLong(),
                        data.path("model_index").asInt(), data.path("assertion").asInt(), data.path("model").asText(),
                        data.path("pass").isBoolean() ? data.get("pass").booleanValue() : null,
                        parts(data.path("parts"), event.content()), readUsage(data.path("usage")),
                        longOrNull(data.path("cost_micro_usd")), data.path("latency_ms").asLong(),
                        data.path("error").textValue());
                case "session.end" -> new EventData.SessionEnd(data.path("status").asText(),
                        data.path("exit_code").asInt(), data.path("cost_micro_usd").asLong());
                default -> null;
            };
            if (typed != null) {
                return typed;
            }
        } catch (RuntimeException notAsWritten) {
            // a hand-made or damaged line: shown as what it is, not guessed at
        }
        return new EventData.Custom(event.type(), data);
    }

    /** Every event of {@code events}, decoded, in order. */
    public static List<EventData> decodeAll(Collection<Event> events) {
        List<EventData> decoded = new ArrayList<>(events.size());
        events.forEach(event -> decoded.add(decode(event)));
        return decoded;
    }

    private static List<String> texts(JsonNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static List<Boolean> checks(JsonNode list) {
        List<Boolean> checks = new ArrayList<>();
        list.forEach(item -> checks.add(item.isBoolean() ? item.booleanValue() : null));
        return checks;
    }

    private static Long longOrNull(JsonNode node) {
        return node.isIntegralNumber() ? node.asLong() : null;
    }

    private static Usage readUsage(JsonNode usage) {
        if (!usage.isObject()) {
            return null;
        }
        return new Usage(usage.path("input_tokens").asLong(), usage.path("output_tokens").asLong(),
                usage.path("reasoning_tokens").asLong(), usage.path("cache_read_tokens").asLong(),
                usage.path("cache_write_tokens").asLong());
    }

    private static List<Part> parts(JsonNode list, ObjectNode content) {
        List<Part> parts = new ArrayList<>();
        for (JsonNode part : list) {
            JsonNode body = content == null ? null : content.get(part.path(CONTENT_DIGEST).asText());
            if (body == null) {
                body = EventJson.NODES.objectNode(); // redacted: the hashed facts stay, the content is gone
            }
            Part decoded = switch (part.path("type").asText()) {
                case "text" -> new Part.Text(body.path("text").asText());
                case "reasoning" -> new Part.Reasoning(body.path("text").asText(), body.path("signature").textValue(),
                        part.path("provider_redacted").asBoolean());
                case "refusal" -> new Part.Refusal(body.path("text").asText());
                case "tool_call" -> new Part.ToolCall(part.path("id").asText(), part.path("name").asText(),
                        body.path("arguments").asText());
                case "tool_result" -> new Part.ToolResult(part.path("call_id").asText(), body.path("content").asText(),
                        part.path("is_error").asBoolean());
                case "attachment" -> new Part.Attachment(part.path("media_type").asText(),
                        part.path("sha256").asText(), body.path("name").textValue());
                case "citation" -> new Part.Citation(body.path("url").asText(), body.path("title").textValue(),
                        body.path("cited_text").textValue());
                default -> null; // a kind a later llmo writes
            };
            if (decoded != null) {
                parts.add(decoded);
            }
        }
        return parts;
    }

    /**
     * Whether some content of {@code event} was removed on purpose (redacted): its {@code data} names a digest its
     * {@code content} does not hold. What was sent of it can no longer be rebuilt.
     */
    public static boolean redacted(Event event) {
        List<String> digests = new ArrayList<>();
        contentDigests(event.data(), digests);
        JsonNode content = event.content();
        for (String digest : digests) {
            if (content == null || !content.has(digest)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The digests {@code data} names as its parts' content ({@code content_sha256} anywhere in it): what the
     * {@code content} object of a version 2 line may hold.
     */
    static void contentDigests(JsonNode data, Collection<String> into) {
        if (data.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (CONTENT_DIGEST.equals(field.getKey()) && field.getValue().isTextual()) {
                    into.add(field.getValue().textValue());
                } else {
                    contentDigests(field.getValue(), into);
                }
            }
        } else if (data.isArray()) {
            data.forEach(item -> contentDigests(item, into));
        }
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
                return optionValue(EventJson.mapper().convertValue(node, Object.class));
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
