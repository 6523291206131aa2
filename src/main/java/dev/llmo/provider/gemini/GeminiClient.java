package dev.llmo.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.provider.ApiKey;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.RemoteModel;
import dev.llmo.provider.StopReason;
import dev.llmo.message.Usage;
import dev.llmo.provider.http.HttpProviderClient;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.ModelPage;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.StreamSink;
import dev.llmo.provider.http.Transport;
import dev.llmo.provider.http.WrongShape;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The Gemini API, version v1beta (wire-formats.md section 4): {@code x-goog-api-key},
 * {@code :streamGenerateContent?alt=sse}. Every stream event is a whole response holding only the new text; the last
 * usage seen wins; there is no end marker, so an answer is complete when a finish reason has come by end of input.
 * Options go into {@code generationConfig} ({@link GeminiOptions}).
 */
public final class GeminiClient extends HttpProviderClient {

    public GeminiClient(ProviderConfig provider, ApiKey key, Transport transport) {
        super(provider, key, transport);
    }

    @Override
    protected Request chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        ArrayNode contents = body.putArray("contents");
        for (ChatMessage message : request.messages()) {
            ObjectNode content = contents.addObject();
            content.put("role", message.role() == ChatMessage.Role.USER ? "user" : "model");
            content.putArray("parts").addObject().put("text", message.content());
        }
        if (request.system() != null && !request.system().isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", request.system());
        }
        ObjectNode config = GeminiOptions.generationConfig(request);
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        String model = request.model().startsWith("models/") ? request.model().substring(7) : request.model();
        // one percent-encoded path segment: a model name cannot add a path ("../../x") or a query ("x?key=...")
        HttpUrl.Builder url = HttpUrl.get(url("/v1beta/models")).newBuilder()
                .addPathSegment(model + (request.stream() ? ":streamGenerateContent" : ":generateContent"));
        if (request.stream()) {
            url.addQueryParameter("alt", "sse"); // without it the stream is one incrementally written JSON array
        }
        return headers(new Request.Builder().url(url.build()).post(jsonBody(body))).build();
    }

    @Override
    protected Request modelsRequest(String next) {
        HttpUrl.Builder url = HttpUrl.get(url("/v1beta/models")).newBuilder().addQueryParameter("pageSize", "1000");
        if (next != null) {
            url.addQueryParameter("pageToken", next);
        }
        return headers(new Request.Builder().url(url.build()).get()).build();
    }

    @Override
    protected ModelPage modelsPage(JsonNode body) {
        List<RemoteModel> models = new ArrayList<>();
        for (JsonNode item : body.path("models")) {
            String name = Json.text(item, "name");
            if (name != null) {
                models.add(new RemoteModel(name.startsWith("models/") ? name.substring(7) : name,
                        Json.text(item, "displayName")));
            }
        }
        return new ModelPage(models, Json.text(body, "nextPageToken"));
    }

    private Request.Builder headers(Request.Builder builder) {
        if (key != null) {
            builder.header("x-goog-api-key", key.value());
        }
        return builder;
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new Decoder();
    }

    static StopReason stopReason(String finishReason, boolean toolCall) {
        return switch (finishReason) {
            case "STOP" -> toolCall ? StopReason.TOOL_CALL : StopReason.END;
            case "MAX_TOKENS" -> StopReason.MAX_TOKENS;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                 "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> StopReason.BLOCKED;
            case "UNEXPECTED_TOOL_CALL", "MALFORMED_FUNCTION_CALL", "TOO_MANY_TOOL_CALLS" -> StopReason.TOOL_CALL;
            default -> StopReason.OTHER;
        };
    }

    /** Finish reasons that mean a filter stopped the answer (wire-formats.md section 7; reference section 4). */
    private static final java.util.Set<String> BLOCKING_FINISH = java.util.Set.of("SAFETY", "RECITATION", "BLOCKLIST",
            "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");

    private final class Decoder implements ResponseDecoder {
        private boolean toolCall;
        private boolean sawCandidate;
        private String blockReason;
        private String blockMessage;
        private String finishReason;
        private String finishMessage;
        private JsonNode safetyRatings;

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
            JsonNode usage = chunk.get("usageMetadata");
            if (usage != null && usage.isObject()) {
                Long input = Json.number(usage, "promptTokenCount");
                Long output = Json.number(usage, "candidatesTokenCount");
                Long thoughts = Json.number(usage, "thoughtsTokenCount");
                sink.usage(Usage.of(input == null ? 0 : input,
                        (output == null ? 0 : output) + (thoughts == null ? 0 : thoughts)));
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
            JsonNode candidate = candidates.get(0);
            if (!candidate.isObject()) {
                throw new WrongShape("candidates[0]", candidate, "an object");
            }
            sawCandidate = true;
            // content and parts may be missing (a blocked answer, a last chunk with the finish reason only)
            JsonNode content = candidate.get("content");
            if (WrongShape.given(content) && !content.isObject()) {
                throw new WrongShape("candidates[0].content", content, "an object");
            }
            JsonNode parts = content == null ? null : content.get("parts");
            if (WrongShape.given(parts) && !parts.isArray()) {
                throw new WrongShape("candidates[0].content.parts", parts, "a list");
            }
            for (int i = 0; parts != null && i < parts.size(); i++) {
                JsonNode part = parts.get(i);
                if (!part.isObject()) {
                    throw new WrongShape("candidates[0].content.parts[" + i + "]", part, "an object");
                }
                if (part.has("functionCall")) {
                    toolCall = true;
                }
                // a part without text is another kind of part (functionCall, thoughtSignature...): no answer text
                JsonNode text = part.get("text");
                if (WrongShape.given(text) && !text.isTextual()) {
                    throw new WrongShape("candidates[0].content.parts[" + i + "].text", text, "a string");
                }
                if (text != null && text.isTextual() && !part.path("thought").asBoolean(false)) {
                    sink.text(text.asText());
                }
            }
            String finish = Json.text(candidate, "finishReason");
            if (finish != null) {
                finishReason = finish;
                finishMessage = Json.text(candidate, "finishMessage");
                safetyRatings = candidate.get("safetyRatings");
                sink.stop(stopReason(finish, toolCall));
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
}
