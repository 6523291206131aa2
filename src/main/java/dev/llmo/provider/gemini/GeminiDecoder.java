package dev.llmo.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.http.HttpErrorMapper;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.StreamSink;
import dev.llmo.provider.http.WrongShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads generateContent answers, streamed or whole (wire-formats.md section 4, tools-batch-reasoning.md sections 2.3,
 * 3.4, 4, 5). Every stream event is a whole response holding only the new parts; the last usage seen wins; there is no
 * end marker, so an answer is complete when a finish reason has come by end of input. Parts with
 * {@code "thought": true} are reasoning, a {@code thoughtSignature} is kept (on a part that is not a thought it
 * becomes a reasoning part of its own, just before that part), {@code functionCall} parts are tool calls, the
 * candidate's {@code groundingMetadata} chunks are citations. Usage counts {@code thoughtsTokenCount} (apart from
 * {@code candidatesTokenCount} in Gemini's counts) as reasoning output and {@code cachedContentTokenCount} as
 * cached input.
 */
final class GeminiDecoder implements ResponseDecoder {
    /** Finish reasons that mean a filter stopped the answer (wire-formats.md section 7; reference section 4). */
    private static final Set<String> BLOCKING_FINISH = Set.of("SAFETY", "RECITATION", "BLOCKLIST",
            "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");

    private final HttpErrorMapper errors;
    private int toolCalls;
    private boolean sawCandidate;
    private String blockReason;
    private String blockMessage;
    private String finishReason;
    private String finishMessage;
    private JsonNode safetyRatings;

    GeminiDecoder(HttpErrorMapper errors) {
        this.errors = errors;
    }

    static StopReason stopReason(String finishReason, boolean toolCall) {
        if (BLOCKING_FINISH.contains(finishReason)) {
            return StopReason.BLOCKED;
        }
        return switch (finishReason) {
            case "STOP" -> toolCall ? StopReason.TOOL_CALL : StopReason.END;
            case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
            case "UNEXPECTED_TOOL_CALL", "MALFORMED_FUNCTION_CALL", "TOO_MANY_TOOL_CALLS" -> StopReason.TOOL_CALL;
            default -> StopReason.OTHER;
        };
    }

    /** {@code usageMetadata}; null when absent. */
    static Usage usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        long thoughts = orZero(Json.number(usage, "thoughtsTokenCount"));
        return Usage.reported(orZero(Json.number(usage, "promptTokenCount")),
                orZero(Json.number(usage, "candidatesTokenCount")) + thoughts, thoughts,
                orZero(Json.number(usage, "cachedContentTokenCount")), 0);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    @Override
    public void onEvent(SseEvent event, StreamSink sink) {
        if (event.data().isBlank()) {
            return;
        }
        JsonNode chunk = Json.parse(event.data()).orElse(null);
        if (chunk == null) {
            sink.fail(errors.malformed("a malformed stream event", event.data()));
            return;
        }
        if (chunk.isArray() && chunk.size() > 0) {
            chunk = chunk.get(0); // an error wrapped the way the non-SSE stream wraps it: [{"error":{...}}]
        }
        readShaped(chunk, sink);
    }

    @Override
    public void onBody(JsonNode body, StreamSink sink) {
        readShaped(body.isArray() && body.size() > 0 ? body.get(0) : body, sink);
        sink.done();
    }

    private void readShaped(JsonNode chunk, StreamSink sink) {
        try {
            read(chunk, sink);
        } catch (WrongShape e) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", chunk.toString()));
        }
    }

    private void read(JsonNode chunk, StreamSink sink) {
        if (!chunk.isObject()) {
            sink.fail(errors.malformed("an answer that is not a JSON object", chunk.toString()));
            return;
        }
        if (chunk.has("error")) {
            sink.fail(errors.fromStreamError(chunk, chunk.toString()));
            return;
        }
        sink.model(Json.text(chunk, "modelVersion"));
        Usage usage = usage(chunk.get("usageMetadata"));
        if (usage != null) {
            sink.usage(usage);
        }
        JsonNode feedback = chunk.path("promptFeedback");
        String blocked = Json.text(feedback, "blockReason");
        if (blocked != null) {
            // the prompt itself was blocked: no candidates will come
            blockReason = blocked;
            blockMessage = Json.text(feedback, "blockReasonMessage");
            safetyRatings = feedback.get("safetyRatings");
            sink.stop(StopReason.BLOCKED);
            return;
        }
        JsonNode candidates = chunk.get("candidates");
        if (WrongShape.given(candidates) && !candidates.isArray()) {
            throw new WrongShape("candidates", candidates, "a list");
        }
        if (candidates == null || !candidates.isArray() || candidates.isEmpty()) {
            return; // a chunk with usage only
        }
        // the answer is the candidate whose index is 0 (an absent index is 0), wherever the list puts it: llmo asks
        // for one (candidateCount is refused), and what a server sends for another is not mixed into it
        int position = -1;
        for (int i = 0; i < candidates.size() && position < 0; i++) {
            JsonNode each = candidates.get(i);
            if (!each.isObject()) {
                throw new WrongShape("candidates[" + i + "]", each, "an object");
            }
            JsonNode index = each.get("index");
            if (index == null || index.isNull() || index.isIntegralNumber() && index.asLong() == 0) {
                position = i;
            }
        }
        if (position < 0) {
            return; // only other candidates in this chunk
        }
        String where = "candidates[" + position + "]";
        JsonNode candidate = candidates.get(position);
        sawCandidate = true;
        // content and parts may be missing (a blocked answer, a last chunk with the finish reason only)
        JsonNode content = candidate.get("content");
        if (WrongShape.given(content) && !content.isObject()) {
            throw new WrongShape(where + ".content", content, "an object");
        }
        JsonNode parts = content == null ? null : content.get("parts");
        if (WrongShape.given(parts) && !parts.isArray()) {
            throw new WrongShape(where + ".content.parts", parts, "a list");
        }
        for (int i = 0; parts != null && i < parts.size(); i++) {
            readPart(parts.get(i), where + ".content.parts[" + i + "]", sink);
        }
        grounding(candidate.path("groundingMetadata").get("groundingChunks"), sink);
        String finish = Json.text(candidate, "finishReason");
        if (finish != null) {
            finishReason = finish;
            finishMessage = Json.text(candidate, "finishMessage");
            safetyRatings = candidate.get("safetyRatings");
            sink.stop(stopReason(finish, toolCalls > 0));
        }
    }

    private void readPart(JsonNode part, String where, StreamSink sink) {
        if (!part.isObject()) {
            throw new WrongShape(where, part, "an object");
        }
        JsonNode text = part.get("text");
        if (WrongShape.given(text) && !text.isTextual()) {
            throw new WrongShape(where + ".text", text, "a string");
        }
        String signature = Json.text(part, "thoughtSignature");
        boolean thought = part.path("thought").asBoolean(false);
        if (thought) {
            sink.reasoning(text == null || !text.isTextual() ? null : text.asText());
            if (signature != null) {
                sink.reasoningSignature(signature);
                sink.endBlock(); // a signed thought is complete
            }
            return;
        }
        if (signature != null) {
            // the signature of the thinking behind this part, kept just before it
            sink.endBlock();
            sink.reasoningSignature(signature);
            sink.endBlock();
        }
        if (text != null && text.isTextual()) {
            sink.text(text.asText());
        }
        JsonNode call = part.get("functionCall");
        if (call != null && call.isObject()) {
            JsonNode args = call.get("args");
            sink.toolCall(toolCalls++, Json.text(call, "id"), Json.text(call, "name"),
                    Json.write(args == null || args.isNull() ? Json.object() : args));
        }
        // other kinds of part (inlineData, executableCode...) are answers to options llmo refuses
    }

    /** Grounding sources: {@code web} (Google Search) or {@code retrievedContext} chunks with a URI. */
    private static void grounding(JsonNode chunks, StreamSink sink) {
        if (chunks == null || !chunks.isArray()) {
            return;
        }
        for (JsonNode chunk : chunks) {
            JsonNode source = chunk.has("web") ? chunk.get("web") : chunk.get("retrievedContext");
            String uri = Json.text(source, "uri");
            if (uri != null) {
                sink.citation(new Part.Citation(uri, Json.text(source, "title"), null));
            }
        }
    }

    @Override
    public void onEnd(StreamSink sink) {
        if (blockReason != null) {
            sink.fail(errors.blocked("blocked the prompt (blockReason " + blockReason + ")",
                    explanation(blockMessage)));
        } else if (!sawCandidate) {
            sink.fail(errors.malformed("an answer without candidates", null));
        } else if (finishReason != null && BLOCKING_FINISH.contains(finishReason)) {
            sink.fail(errors.blocked("stopped the answer (finishReason " + finishReason + ")",
                    explanation(finishMessage)));
        }
    }

    /** The provider's message, else the safety categories it marked as blocked. */
    private String explanation(String message) {
        if (message != null) {
            return message;
        }
        List<String> categories = new ArrayList<>();
        if (safetyRatings != null && safetyRatings.isArray()) {
            for (JsonNode rating : safetyRatings) {
                if (rating.path("blocked").asBoolean(false) && Json.text(rating, "category") != null) {
                    categories.add(Json.text(rating, "category"));
                }
            }
        }
        return categories.isEmpty() ? null : "blocked for " + String.join(", ", categories);
    }
}
