package dev.llmo.provider.openai;

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
import okhttp3.Request;

/**
 * OpenAI Chat Completions, spoken by OpenAI and every compatible server (Ollama, vLLM, llama.cpp, LM Studio,
 * OpenRouter, Groq). Tolerates their known deviations (wire-formats.md section 2): error shapes with integer or string
 * codes, errors as {@code data:} objects or {@code error:} fields inside a 200 stream, usage in Groq's
 * {@code x_groq.usage}, keep-alive comments, a missing {@code [DONE]}, and servers that answer JSON to a stream
 * request.
 */
public final class OpenAiClient extends HttpProviderClient {

    public OpenAiClient(ProviderConfig provider, ApiKey key, Transport transport) {
        super(provider, key, transport);
    }

    @Override
    protected Request chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        if (request.system() != null && !request.system().isEmpty()) {
            messages.addObject().put("role", "system").put("content", request.system());
        }
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role() == ChatMessage.Role.USER ? "user" : "assistant")
                    .put("content", message.content());
        }
        if (request.stream()) {
            body.put("stream", true);
            // without it the usage never arrives in a stream
            body.putObject("stream_options").put("include_usage", true);
        }
        body.setAll(OpenAiOptions.fields(request, provider));
        return authorized(new Request.Builder().url(url("/chat/completions")).post(jsonBody(body))).build();
    }

    @Override
    protected Request modelsRequest(String next) {
        return authorized(new Request.Builder().url(url("/models")).get()).build();
    }

    @Override
    protected ModelPage modelsPage(JsonNode body) {
        List<RemoteModel> models = new ArrayList<>();
        for (JsonNode item : body.path("data")) {
            String id = Json.text(item, "id");
            if (id != null) {
                models.add(new RemoteModel(id, null));
            }
        }
        return new ModelPage(models, null);
    }

    private Request.Builder authorized(Request.Builder builder) {
        if (key != null) {
            builder.header("Authorization", "Bearer " + key.value());
        }
        return builder;
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new Decoder();
    }

    /** Maps {@code finish_reason}; null while the answer goes on. */
    static StopReason stopReason(String finishReason) {
        return switch (finishReason) {
            case "stop", "eos", "end_turn" -> StopReason.END;
            case "length", "max_tokens" -> StopReason.MAX_TOKENS;
            case "tool_calls", "function_call" -> StopReason.TOOL_CALL;
            case "content_filter" -> StopReason.FILTERED;
            default -> StopReason.OTHER;
        };
    }

    /** Usage from {@code usage}, or Groq's {@code x_groq.usage}; null when neither is there. */
    static Usage usage(JsonNode chunk) {
        JsonNode usage = chunk.get("usage");
        if (usage == null || !usage.isObject()) {
            usage = chunk.path("x_groq").get("usage");
        }
        if (usage == null || !usage.isObject()) {
            return null;
        }
        Long input = Json.number(usage, "prompt_tokens");
        Long output = Json.number(usage, "completion_tokens");
        if (input == null && output == null) {
            return null;
        }
        return Usage.of(input == null ? 0 : input, output == null ? 0 : output);
    }

    /**
     * The answer text of a message's or a delta's {@code content}: a string, or a list of parts (Mistral, and the
     * request-side shape some servers echo) whose {@code text} parts are the answer and whose {@code thinking} parts are
     * reasoning, not answer (as Gemini's thought parts). Null when there is none (absent or JSON null).
     *
     * @throws WrongShape for a number, an object, a boolean or a list of anything else: never dropped silently
     */
    static String content(JsonNode content, String where) {
        if (!WrongShape.given(content)) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new WrongShape(where, content, "text or a list of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = where + "[" + i + "]";
            if (!part.isObject()) {
                throw new WrongShape(at, part, "a part object");
            }
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) {
                throw new WrongShape(at + ".type", type, "a string");
            }
            switch (type.asText()) {
                case "text" -> {
                    JsonNode value = part.get("text");
                    if (value == null || !value.isTextual()) {
                        throw new WrongShape(at + ".text", value, "a string");
                    }
                    text.append(value.asText());
                }
                case "thinking" -> {
                    // Magistral's reasoning: not the answer
                }
                default -> throw new WrongShape(at + " is a part of type '" + type.asText()
                        + "', which llmo cannot show as text");
            }
        }
        return text.toString();
    }

    /** A message's or a delta's {@code refusal}: text, or null when absent or JSON null. */
    private static String refusal(JsonNode node, String where) {
        JsonNode refusal = node.get("refusal");
        if (!WrongShape.given(refusal)) {
            return null;
        }
        if (!refusal.isTextual()) {
            throw new WrongShape(where, refusal, "a string");
        }
        return refusal.asText().isEmpty() ? null : refusal.asText();
    }

    /** Whether a whole answer without text says why: a tool call, reasoning that used up the tokens, a filter. */
    private static boolean carriesMoreThanText(JsonNode message, String finishReason) {
        for (String field : List.of("tool_calls", "function_call", "reasoning_content", "reasoning")) {
            if (WrongShape.given(message.get(field))) {
                return true;
            }
        }
        return finishReason != null && List.of("tool_calls", "function_call", "content_filter").contains(finishReason);
    }

    /** The most of a refusal kept: the error line shows its start only. */
    private static final int MAX_REFUSAL_CHARS = 8192;

    private final class Decoder implements ResponseDecoder {
        /** The model's refusal: {@code message.refusal}, or the {@code delta.refusal} pieces of a stream. */
        private final StringBuilder refusal = new StringBuilder();
        private String finishReason;
        private JsonNode filterResults;
        private boolean sawChoices;

        @Override
        public void onEvent(SseEvent event, StreamSink sink) {
            String data = event.data();
            if (data.startsWith("[DONE]")) {
                sink.done();
                return;
            }
            boolean errorEvent = "error".equals(event.event());
            if (data.isBlank()) {
                if (errorEvent) {
                    sink.fail(errors.fromStreamError(null, null));
                }
                return;
            }
            JsonNode chunk = Json.parse(data).orElse(null);
            if (chunk == null || !chunk.isObject()) {
                sink.fail(errorEvent ? errors.fromStreamError(null, data)
                        : errors.malformed("a malformed stream event", data));
                return;
            }
            if (errorEvent || isError(chunk)) {
                sink.fail(errors.fromStreamError(chunk.has("error") ? chunk : wrap(chunk), data));
                return;
            }
            sink.model(Json.text(chunk, "model"));
            try {
                readChunk(chunk, sink);
            } catch (WrongShape e) {
                sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", data));
            }
        }

        private void readChunk(JsonNode chunk, StreamSink sink) {
            // usage first: a refusal, a filter or a broken chunk that ends the answer still reports what it cost
            Usage usage = usage(chunk);
            if (usage != null) {
                sink.usage(usage);
            }
            JsonNode choices = chunk.get("choices");
            if (WrongShape.given(choices) && !choices.isArray()) {
                throw new WrongShape("choices", choices, "a list");
            }
            if (choices == null || !choices.isArray()) {
                return;
            }
            sawChoices = true;
            if (choices.isEmpty()) {
                return; // the usage chunk, Azure's prompt_filter_results chunk
            }
            JsonNode choice = choices.get(0);
            if (!choice.isObject()) {
                throw new WrongShape("choices[0]", choice, "an object");
            }
            JsonNode delta = choice.get("delta");
            if (WrongShape.given(delta) && !delta.isObject()) {
                throw new WrongShape("choices[0].delta", delta, "an object");
            }
            if (delta != null && delta.isObject()) {
                // null content is normal in a stream: the role chunk (llama.cpp), tool call and refusal deltas
                sink.text(content(delta.get("content"), "choices[0].delta.content"));
                String refused = refusal(delta, "choices[0].delta.refusal");
                if (refused != null && refusal.length() < MAX_REFUSAL_CHARS) {
                    // only its start is shown in the one-line error: a server cannot grow it without end
                    refusal.append(refused, 0, Math.min(refused.length(), MAX_REFUSAL_CHARS - refusal.length()));
                }
            }
            String finish = Json.text(choice, "finish_reason");
            if ("error".equals(finish)) {
                // OpenRouter: the upstream model failed after the stream had started
                sink.fail(errors.fromStreamError(null, "the upstream model failed mid-answer"));
                return;
            }
            if (finish != null) {
                finishReason = finish;
                filterResults = choice.get("content_filter_results");
                sink.stop(stopReason(finish));
            }
        }

        @Override
        public void onEnd(StreamSink sink) {
            if (!sawChoices) {
                sink.fail(errors.malformed("an answer without choices", null));
            } else if (!refusal.isEmpty()) {
                sink.fail(errors.refused("refusal", refusal.toString()));
            } else if ("content_filter".equals(finishReason)) {
                sink.fail(errors.blocked("stopped the answer (finish_reason content_filter)",
                        filteredCategories(filterResults)));
            }
        }

        @Override
        public void onBody(JsonNode body, StreamSink sink) {
            if (isError(body)) {
                sink.fail(errors.fromStreamError(body.has("error") ? body : wrap(body), body.toString()));
                return;
            }
            try {
                readBody(body, sink);
            } catch (WrongShape e) {
                sink.fail(errors.malformed("an answer of the wrong shape (" + e.getMessage() + ")", body.toString()));
            }
        }

        private void readBody(JsonNode body, StreamSink sink) {
            JsonNode choices = body.get("choices");
            if (WrongShape.given(choices) && !choices.isArray()) {
                throw new WrongShape("choices", choices, "a list");
            }
            JsonNode choice = body.path("choices").path(0);
            if (!choice.isObject() || !choice.path("message").isObject()) {
                sink.fail(errors.malformed("an answer without choices", body.toString()));
                return;
            }
            sawChoices = true;
            sink.model(Json.text(body, "model"));
            Usage usage = usage(body);
            if (usage != null) {
                sink.usage(usage);
            }
            JsonNode message = choice.path("message");
            String finish = Json.text(choice, "finish_reason");
            String refused = refusal(message, "choices[0].message.refusal");
            String text = content(message.get("content"), "choices[0].message.content");
            if (text == null && refused == null && !carriesMoreThanText(message, finish)) {
                // a whole answer's content is null only beside something else: a tool call, a refusal, a filter
                throw new WrongShape("choices[0].message.content", message.get("content"), "text");
            }
            sink.text(text);
            if (refused != null) {
                refusal.append(refused, 0, Math.min(refused.length(), MAX_REFUSAL_CHARS));
            }
            finishReason = finish;
            filterResults = choice.get("content_filter_results");
            sink.stop(finish == null ? StopReason.END : stopReason(finish));
            sink.done();
        }

        /** Azure's {@code content_filter_results}: the categories marked {@code filtered}, e.g. "hate, violence". */
        private String filteredCategories(JsonNode results) {
            if (results == null || !results.isObject()) {
                return null;
            }
            List<String> filtered = new ArrayList<>();
            results.fields().forEachRemaining(entry -> {
                if (entry.getValue().path("filtered").asBoolean(false)) {
                    filtered.add(entry.getKey());
                }
            });
            return filtered.isEmpty() ? null : "filtered for " + String.join(", ", filtered);
        }

        /** A truthy {@code error} key (openai-python's rule), or vLLM's old top-level {@code "object":"error"}. */
        private boolean isError(JsonNode node) {
            JsonNode error = node.get("error");
            boolean truthy = error != null && !error.isNull() && !(error.isTextual() && error.asText().isEmpty())
                    && !(error.isBoolean() && !error.asBoolean());
            return truthy || "error".equals(Json.text(node, "object"));
        }

        private JsonNode wrap(JsonNode flat) {
            ObjectNode wrapper = Json.object();
            wrapper.set("error", flat);
            return wrapper;
        }
    }
}
