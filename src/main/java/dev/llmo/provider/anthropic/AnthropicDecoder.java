package dev.llmo.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.http.DeltaTemplate;
import dev.llmo.provider.http.HttpErrorMapper;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.StreamSink;
import dev.llmo.provider.http.WrongShape;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads Messages API answers, streamed or whole (wire-formats.md section 3, tools-batch-reasoning.md sections 2.2,
 * 3.3, 4, 5): text blocks and their web-search {@code citations}, {@code thinking} blocks with their
 * {@code signature}, {@code redacted_thinking} (its {@code data} kept as the signature), {@code tool_use} blocks whose
 * {@code input_json_delta} pieces join into the arguments, the stop reason with a refusal's {@code stop_details} (its
 * explanation a refusal part), and
 * usage where the input counts the cache reads and writes too and the output its thinking tokens. In a stream the
 * input usage comes first and the cumulative output usage last.
 */
final class AnthropicDecoder implements ResponseDecoder {
    private final HttpErrorMapper errors;
    /** The content blocks that are tool calls: block index to the call's position among the answer's calls. */
    private final Map<Integer, ToolBlock> toolBlocks = new HashMap<>();
    private int toolCalls;
    private long input;
    private long cacheRead;
    private long cacheWrite;
    private long output;
    private long thinking;
    private boolean started;
    private String stopReason;
    private JsonNode stopDetails;

    /** Whether plain text deltas are read by {@link TextDeltaEvent} (always, but in the test that compares it). */
    private final boolean plainDeltas;
    /** The stream's last plain text delta: the next is usually the same event with another text. */
    private final DeltaTemplate template = new DeltaTemplate();

    AnthropicDecoder(HttpErrorMapper errors) {
        this(errors, true);
    }

    /** @param plainDeltas false: every event goes through the tree, the reading {@link TextDeltaEvent} must equal */
    AnthropicDecoder(HttpErrorMapper errors, boolean plainDeltas) {
        this.errors = errors;
        this.plainDeltas = plainDeltas;
    }

    /** A tool-use block of a stream: its position among the calls, the input of its start, whether pieces came. */
    private static final class ToolBlock {
        final int call;
        final JsonNode input;
        boolean pieces;

        ToolBlock(int call, JsonNode input) {
            this.call = call;
            this.input = input;
        }
    }

    static StopReason stopReason(String reason) {
        return switch (reason) {
            case "end_turn", "stop_sequence" -> StopReason.END;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "tool_use" -> StopReason.TOOL_CALL;
            case "refusal" -> StopReason.REFUSED;
            case "pause_turn" -> StopReason.INCOMPLETE; // a server tool's long turn, paused: not finished
            default -> StopReason.OTHER;
        };
    }

    /** Reads the counts of a {@code usage} object; the input ones only when it has them (message_delta may not). */
    private void readUsage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        if (Json.number(usage, "input_tokens") != null) {
            cacheRead = orZero(Json.number(usage, "cache_read_input_tokens"));
            cacheWrite = orZero(Json.number(usage, "cache_creation_input_tokens"));
            // input_tokens is the uncached rest: everything the model read is the three together
            input = orZero(Json.number(usage, "input_tokens")) + cacheRead + cacheWrite;
        }
        Long out = Json.number(usage, "output_tokens");
        if (out != null) {
            output = out; // cumulative in a stream: replace, never add
        }
        Long thought = Json.number(usage.path("output_tokens_details"), "thinking_tokens");
        if (thought != null) {
            thinking = thought;
        }
    }

    private Usage usage() {
        return Usage.reported(input, output, thinking, cacheRead, cacheWrite);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    @Override
    public DeltaTemplate template() {
        return plainDeltas ? template : null;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink sink) {
        String templated = plainDeltas ? event.templateText(template) : null;
        if (templated != null) {
            event.templateTextTo(sink); // data the parser read as the template with this text (so not blank)
            return;
        }
        if (event.data().isBlank()) {
            if ("error".equals(event.event())) {
                sink.fail(errors.fromStreamError(null, null));
            }
            return; // e.g. "event: ping" without data
        }
        String text = !plainDeltas ? null : template.text(event.data());
        if (text == null && plainDeltas) {
            text = TextDeltaEvent.text(event.data(), template);
        }
        if (text != null) {
            sink.text(text); // what readDelta does with it, without building its tree
            return;
        }
        JsonNode data = Json.parse(event.data()).orElse(null);
        if (data == null || !data.isObject()) {
            sink.fail(errors.malformed("a malformed stream event", event.data()));
            return;
        }
        String type = Json.text(data, "type");
        if (type == null) {
            type = event.event() == null ? "" : event.event();
        }
        try {
            readEvent(type, data, event.data(), sink);
        } catch (WrongShape e) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", event.data()));
        }
    }

    private void readEvent(String type, JsonNode data, String raw, StreamSink sink) {
        switch (type) {
            case "message_start" -> {
                started = true;
                JsonNode message = data.path("message");
                sink.model(Json.text(message, "model"));
                readUsage(message.get("usage"));
                sink.usage(usage());
            }
            case "content_block_start" -> startBlock(data.path("index").asInt(-1), data.get("content_block"), sink);
            case "content_block_delta" -> readDelta(data.path("index").asInt(-1), data.get("delta"), sink);
            case "content_block_stop" -> {
                ToolBlock tool = toolBlocks.get(data.path("index").asInt(-1));
                if (tool != null && !tool.pieces) {
                    // a call without arguments streams none: its input is the start's (an empty object)
                    sink.toolCall(tool.call, null, null, Json.write(tool.input));
                }
            }
            case "message_delta" -> {
                JsonNode delta = data.path("delta");
                String reason = Json.text(delta, "stop_reason");
                if (reason != null) {
                    stopReason = reason;
                    stopDetails = delta.get("stop_details");
                    refusal(sink);
                    sink.stop(stopReason(reason));
                }
                readUsage(data.get("usage"));
                sink.usage(usage());
            }
            case "message_stop" -> sink.done();
            case "error" -> sink.fail(errors.fromStreamError(data, raw));
            default -> {
                // ping, and event types added later that carry no content
            }
        }
    }

    private void startBlock(int index, JsonNode block, StreamSink sink) {
        if (block == null || !block.isObject()) {
            throw new WrongShape("content_block_start.content_block", block, "an object");
        }
        switch (String.valueOf(Json.text(block, "type"))) {
            case "text" -> {
                citations(block.get("citations"), sink);
                sink.text(Json.text(block, "text"));
            }
            case "thinking" -> {
                sink.endBlock(); // its own signature: never merged into the thinking before
                sink.reasoning(Json.text(block, "thinking"));
                sink.reasoningSignature(Json.text(block, "signature"));
            }
            case "redacted_thinking" -> sink.redactedReasoning(Json.text(block, "data"));
            case "tool_use", "server_tool_use" -> {
                JsonNode input = block.get("input");
                ToolBlock tool = new ToolBlock(toolCalls++, input == null || input.isNull() ? Json.object() : input);
                toolBlocks.put(index, tool);
                sink.toolCall(tool.call, Json.text(block, "id"), Json.text(block, "name"), "");
            }
            default -> {
                // results of server tools (web_search_tool_result...): the answer's citations point into them
            }
        }
    }

    private void readDelta(int index, JsonNode delta, StreamSink sink) {
        if (delta == null || !delta.isObject()) {
            throw new WrongShape("content_block_delta.delta", delta, "an object");
        }
        switch (String.valueOf(Json.text(delta, "type"))) {
            case "text_delta" -> sink.text(string(delta.get("text"), "the text of a text_delta"));
            case "thinking_delta" -> sink.reasoning(string(delta.get("thinking"), "the thinking of a thinking_delta"));
            case "signature_delta" -> sink.reasoningSignature(string(delta.get("signature"),
                    "the signature of a signature_delta"));
            case "input_json_delta" -> {
                ToolBlock tool = toolBlocks.get(index);
                String piece = Json.text(delta, "partial_json");
                if (tool != null && piece != null && !piece.isEmpty()) {
                    tool.pieces = true;
                    sink.toolCall(tool.call, null, null, piece);
                }
            }
            case "citations_delta" -> citation(delta.get("citation"), sink);
            default -> {
                // delta types added later
            }
        }
    }

    private static String string(JsonNode value, String what) {
        if (value == null || !value.isTextual()) {
            throw new WrongShape(what, value, "a string");
        }
        return value.asText();
    }

    private static void citations(JsonNode citations, StreamSink sink) {
        if (citations != null && citations.isArray()) {
            for (JsonNode citation : citations) {
                citation(citation, sink);
            }
        }
    }

    /**
     * A citation that names a web source ({@code web_search_result_location}: {@code url}; {@code search_result_location}:
     * {@code source}). Citations of documents have no URL; llmo sends no documents, so none can come.
     */
    private static void citation(JsonNode citation, StreamSink sink) {
        if (citation == null || !citation.isObject()) {
            return;
        }
        String url = Json.text(citation, "url");
        if (url == null) {
            url = Json.text(citation, "source");
        }
        if (url != null) {
            sink.citation(new Part.Citation(url, Json.text(citation, "title"), Json.text(citation, "cited_text")));
        }
    }

    @Override
    public void onBody(JsonNode body, StreamSink sink) {
        if ("error".equals(Json.text(body, "type")) || body.has("error")) {
            sink.fail(errors.fromStreamError(body, body.toString()));
            return;
        }
        if (!body.path("content").isArray()) {
            sink.fail(errors.malformed("an answer without content", body.toString()));
            return;
        }
        started = true;
        sink.model(Json.text(body, "model"));
        // before the content: an answer of the wrong shape still reports what it cost
        JsonNode usage = body.get("usage");
        if (usage != null && usage.isObject()) {
            readUsage(usage);
            sink.usage(usage());
        }
        JsonNode content = body.path("content");
        try {
            for (int i = 0; i < content.size(); i++) {
                readBlock(content.get(i), "content[" + i + "]", sink); // the blocks before a broken one stay
            }
        } catch (WrongShape problem) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + problem.getMessage() + ")",
                    body.toString()));
            return;
        }
        String reason = Json.text(body, "stop_reason");
        stopReason = reason;
        stopDetails = body.get("stop_details");
        refusal(sink);
        sink.stop(reason == null ? StopReason.OTHER : stopReason(reason));
        sink.done();
    }

    private void readBlock(JsonNode block, String where, StreamSink sink) {
        if (!block.isObject()) {
            throw new WrongShape(where, block, "a content block");
        }
        switch (String.valueOf(Json.text(block, "type"))) {
            case "text" -> {
                citations(block.get("citations"), sink);
                sink.text(string(block.get("text"), where + ".text"));
            }
            case "thinking" -> {
                sink.endBlock();
                sink.reasoning(Json.text(block, "thinking"));
                sink.reasoningSignature(Json.text(block, "signature"));
            }
            case "redacted_thinking" -> sink.redactedReasoning(Json.text(block, "data"));
            case "tool_use", "server_tool_use" -> {
                JsonNode input = block.get("input");
                sink.toolCall(toolCalls++, Json.text(block, "id"), Json.text(block, "name"),
                        Json.write(input == null || input.isNull() ? Json.object() : input));
            }
            default -> {
                // results of server tools: the answer's citations point into them
            }
        }
    }

    /**
     * A refusal's words as a refusal part, after the answer's blocks. Anthropic's refusal is a stop reason, not content:
     * the text blocks before it are the answer the model had begun when its classifier stopped it (text, as the
     * provider sent it), and what is said of the refusal is {@code stop_details.explanation}, the explanation meant to
     * be shown to the user (tools-batch-reasoning.md section 4): the counterpart of OpenAI's {@code refusal} field.
     * Without an explanation there is no refusal part; the stop reason and the error say the answer was refused.
     */
    private void refusal(StreamSink sink) {
        String explanation = "refusal".equals(stopReason) ? Json.text(stopDetails, "explanation") : null;
        if (explanation != null && !explanation.isBlank()) {
            sink.refusal(explanation);
        }
    }

    @Override
    public void onEnd(StreamSink sink) {
        if (!started) {
            sink.fail(errors.malformed("an answer without a message (no message_start)", null));
        } else if ("refusal".equals(stopReason)) {
            // stop_details: {"type":"refusal","category":"cyber"|...|null,"explanation":"..."}
            String category = Json.text(stopDetails, "category");
            sink.fail(errors.refused("stop_reason refusal" + (category == null ? "" : ", category " + category),
                    Json.text(stopDetails, "explanation")));
        }
    }
}
