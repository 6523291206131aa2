package dev.llmo.provider.gemini;

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
 * The Gemini API, version v1beta (wire-formats.md section 4): {@code x-goog-api-key},
 * {@code :streamGenerateContent?alt=sse}: the requests, whose options go into {@code generationConfig} but for the
 * tool definitions ({@link GeminiOptions}); {@link GeminiDecoder} reads the answers.
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
        body.setAll(GeminiOptions.fields(request));
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
        return new GeminiDecoder(errors);
    }
}
