package dev.llmo.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.secret.ApiKey;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.RemoteModel;
import dev.llmo.provider.http.HttpProviderClient;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.ModelPage;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.Transport;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * The Anthropic Messages API ({@code POST /v1/messages}, wire-formats.md section 3): {@code x-api-key},
 * {@code anthropic-version}, a required {@code max_tokens}: the requests; {@link AnthropicDecoder} reads the answers.
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
        return new AnthropicDecoder(errors);
    }
}
