package dev.llmo.provider.anthropic;

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
 * The Anthropic Messages API ({@code POST /v1/messages}, wire-formats.md section 3): {@code x-api-key},
 * {@code anthropic-version}, a required {@code max_tokens}; streams of typed events where the input usage comes
 * first and the cumulative output usage last.
 */
public final class AnthropicClient extends HttpProviderClient {
    /** The API version the SDKs pin; the event grammar below is the one of this version. */
    public static final String API_VERSION = "2023-06-01";

    public AnthropicClient(ProviderConfig provider, ApiKey key, Transport transport) {
        super(provider, key, transport);
    }

    @Override
    protected Request chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        body.put("model", request.model());
        ObjectNode options = AnthropicOptions.fields(request);
        body.set("max_tokens", options.remove("max_tokens")); // in its place of old: a logged body rebuilds byte for byte
        if (request.system() != null && !request.system().isEmpty()) {
            body.put("system", request.system());
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role() == ChatMessage.Role.USER ? "user" : "assistant")
                    .put("content", message.content());
        }
        if (request.stream()) {
            body.put("stream", true);
        }
        body.setAll(options);
        return headers(new Request.Builder().url(url("/v1/messages")).post(jsonBody(body))).build();
    }

    @Override
    protected Request modelsRequest(String next) {
        HttpUrl.Builder url = HttpUrl.get(url("/v1/models")).newBuilder().addQueryParameter("limit", "1000");
        if (next != null) {
            url.addQueryParameter("after_id", next);
        }
        return headers(new Request.Builder().url(url.build()).get()).build();
    }

    @Override
    protected ModelPage modelsPage(JsonNode body) {
        List<RemoteModel> models = new ArrayList<>();
        for (JsonNode item : body.path("data")) {
            String id = Json.text(item, "id");
            if (id != null) {
                models.add(new RemoteModel(id, Json.text(item, "display_name")));
            }
        }
        boolean more = body.path("has_more").asBoolean(false);
        return new ModelPage(models, more ? Json.text(body, "last_id") : null);
    }

    private Request.Builder headers(Request.Builder builder) {
        if (key != null) {
            builder.header("x-api-key", key.value());
        }
        return builder.header("anthropic-version", API_VERSION);
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new Decoder();
    }

    static StopReason stopReason(String reason) {
        return switch (reason) {
            case "end_turn", "stop_sequence" -> StopReason.END;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "tool_use" -> StopReason.TOOL_CALL;
            case "refusal" -> StopReason.REFUSED;
            case "pause_turn" -> StopReason.INCOMPLETE;
            default -> StopReason.OTHER;
        };
    }

    /** Input counts the cache reads and writes too: everything the model read. */
    private static long inputTokens(JsonNode usage) {
        long input = 0;
        for (String field : List.of("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")) {
            Long value = Json.number(usage, field);
            input += value == null ? 0 : value;
        }
        return input;
    }

    private final class Decoder implements ResponseDecoder {
        private long input;
        private long output;
        private boolean started;
        private String stopReason;
        private JsonNode stopDetails;

        @Override
        public void onEvent(SseEvent event, StreamSink sink) {
            if (event.data().isBlank()) {
                if ("error".equals(event.event())) {
                    sink.fail(errors.fromStreamError(null, null));
                }
                return; // e.g. "event: ping" without data
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
            switch (type) {
                case "message_start" -> {
                    started = true;
                    JsonNode message = data.path("message");
                    sink.model(Json.text(message, "model"));
                    JsonNode usage = message.path("usage");
                    input = inputTokens(usage);
                    Long placeholder = Json.number(usage, "output_tokens");
                    output = placeholder == null ? 0 : placeholder;
                    sink.usage(Usage.of(input, output));
                }
                case "content_block_delta" -> {
                    JsonNode delta = data.get("delta");
                    if (delta == null || !delta.isObject()) {
                        wrongShape(new WrongShape("content_block_delta.delta", delta, "an object"), event.data(),
                                sink);
                    } else if ("text_delta".equals(Json.text(delta, "type"))) {
                        JsonNode text = delta.get("text");
                        if (text == null || !text.isTextual()) {
                            wrongShape(new WrongShape("the text of a text_delta", text, "a string"), event.data(),
                                    sink);
                        } else {
                            sink.text(text.asText());
                        }
                    }
                }
                case "message_delta" -> {
                    String reason = Json.text(data.path("delta"), "stop_reason");
                    if (reason != null) {
                        stopReason = reason;
                        stopDetails = data.path("delta").get("stop_details");
                        sink.stop(stopReason(reason));
                    }
                    JsonNode usage = data.path("usage");
                    // output_tokens is cumulative: replace, never add; newer servers repeat the input counts
                    Long out = Json.number(usage, "output_tokens");
                    if (out != null) {
                        output = out;
                    }
                    if (Json.number(usage, "input_tokens") != null) {
                        input = inputTokens(usage);
                    }
                    sink.usage(Usage.of(input, output));
                }
                case "message_stop" -> sink.done();
                case "error" -> sink.fail(errors.fromStreamError(data, event.data()));
                default -> {
                    // ping, content_block_start/stop and event types added later carry no answer text
                }
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
                Long out = Json.number(usage, "output_tokens");
                sink.usage(Usage.of(inputTokens(usage), out == null ? 0 : out));
            }
            StringBuilder text = new StringBuilder();
            JsonNode content = body.path("content");
            WrongShape problem = null;
            for (int i = 0; i < content.size() && problem == null; i++) {
                JsonNode block = content.get(i);
                if (!block.isObject()) {
                    problem = new WrongShape("content[" + i + "]", block, "a content block");
                } else if ("text".equals(Json.text(block, "type"))) {
                    JsonNode blockText = block.get("text");
                    if (blockText == null || !blockText.isTextual()) {
                        problem = new WrongShape("content[" + i + "].text", blockText, "a string");
                    } else {
                        text.append(blockText.asText());
                    }
                }
            }
            sink.text(text.toString()); // the blocks before a broken one stay the user's
            if (problem != null) {
                wrongShape(problem, body.toString(), sink);
                return;
            }
            String reason = Json.text(body, "stop_reason");
            stopReason = reason;
            stopDetails = body.get("stop_details");
            sink.stop(reason == null ? StopReason.OTHER : stopReason(reason));
            sink.done();
        }

        private void wrongShape(WrongShape problem, String sample, StreamSink sink) {
            sink.fail(errors.malformed("an answer of the wrong shape (" + problem.getMessage() + ")", sample));
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
}
