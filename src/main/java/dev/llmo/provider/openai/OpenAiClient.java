package dev.llmo.provider.openai;

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
import okhttp3.Request;

/**
 * OpenAI Chat Completions, spoken by OpenAI and every compatible server (Ollama, vLLM, llama.cpp, LM Studio,
 * OpenRouter, Groq, DeepSeek, Mistral, Perplexity): the requests; {@link OpenAiDecoder} reads the answers.
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
        return new OpenAiDecoder(errors);
    }
}
