package dev.llmo.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.secret.ApiKey;
import dev.llmo.message.ContentSource;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.RemoteModel;
import dev.llmo.provider.ToolDeclaration;
import dev.llmo.provider.http.AttachmentJson;
import dev.llmo.provider.http.HttpProviderClient;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.ModelPage;
import dev.llmo.provider.http.ResponseDecoder;
import dev.llmo.provider.http.ToolJson;
import dev.llmo.provider.http.Transport;
import java.util.ArrayList;
import java.util.List;
import dev.llmo.provider.http.HttpRequest;
import okhttp3.Headers;

/**
 * OpenAI Chat Completions, spoken by OpenAI and every compatible server (Ollama, vLLM, llama.cpp, LM Studio,
 * OpenRouter, Groq, DeepSeek, Mistral, Perplexity): the requests; {@link OpenAiDecoder} reads the answers.
 */
public final class OpenAiClient extends HttpProviderClient {

    public OpenAiClient(ProviderConfig provider, ApiKey key, Transport transport) {
        super(provider, key, transport);
    }

    /** @param contents where attachments' bytes are read */
    public OpenAiClient(ProviderConfig provider, ApiKey key, Transport transport, ContentSource contents) {
        super(provider, key, transport, contents);
    }

    @Override
    protected HttpRequest chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        if (request.system() != null && !request.system().isEmpty()) {
            messages.addObject().put("role", "system").put("content", request.system());
        }
        for (ChatMessage message : request.messages()) {
            switch (message.role()) {
                case USER -> user(message, messages.addObject().put("role", "user"));
                case ASSISTANT -> assistant(message, messages.addObject());
                case TOOL -> {
                    for (Part.ToolResult result : message.parts(Part.ToolResult.class)) {
                        messages.addObject().put("role", "tool").put("tool_call_id", result.callId())
                                .put("content", result.content());
                    }
                }
            }
        }
        if (request.stream()) {
            body.put("stream", true);
            // without it the usage never arrives in a stream
            body.putObject("stream_options").put("include_usage", true);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDeclaration tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                if (!tool.description().isEmpty()) {
                    function.put("description", tool.description());
                }
                function.set("parameters", ToolJson.schema(tool));
            }
        }
        body.setAll(OpenAiOptions.fields(request, provider));
        responseFormat(request, body);
        return postJson(url("/chat/completions"), body).with(apiHeaders());
    }

    /**
     * Structured output: {@code response_format} {@code {"type": "json_schema", "json_schema": {"name", "schema",
     * "strict"}}}, which OpenAI and the compatible servers that take a schema (Ollama, vLLM, llama.cpp, LM Studio)
     * read. Every object schema is closed ({@code additionalProperties: false}); {@code strict} is true when every
     * property is also required, which strict mode demands; otherwise it is left out and the server follows the schema
     * as best it can (the answer is checked locally either way).
     */
    private static void responseFormat(ChatRequest request, ObjectNode body) {
        if (request.schema() == null) {
            return;
        }
        if (body.has("response_format")) {
            throw new dev.llmo.failure.UsageException("-o response_format and a response schema do not go together",
                    "leave out -o response_format: the schema is sent as response_format");
        }
        ObjectNode schema = dev.llmo.provider.http.SchemaShapes.closed(dev.llmo.provider.http.SchemaShapes.tree(
                request.schema()));
        ObjectNode format = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        format.put("name", request.schema().name());
        format.set("schema", schema);
        if (dev.llmo.provider.http.SchemaShapes.strictable(schema)) {
            format.put("strict", true);
        }
    }

    /**
     * A user turn: its text alone, as ever, unless it has attachments; then {@code content} is a list of parts in
     * order: {@code text}, {@code image_url} (a {@code data:} URL), {@code file} ({@code file_data} as a {@code data:}
     * URL and {@code filename}) for a PDF, {@code input_audio} ({@code data} in base64 and {@code format},
     * {@code wav} or {@code mp3}); a {@code text/*} attachment is a text part.
     */
    private void user(ChatMessage message, ObjectNode out) {
        if (!AttachmentJson.hasAttachments(message)) {
            out.put("content", message.content());
            return;
        }
        ArrayNode content = out.putArray("content");
        for (Part part : message.parts()) {
            if (part instanceof Part.Text text) {
                content.addObject().put("type", "text").put("text", text.text());
            } else if (part instanceof Part.Attachment attachment) {
                attachment(attachment, content.addObject());
            }
        }
    }

    private void attachment(Part.Attachment attachment, ObjectNode out) {
        byte[] bytes = contents.bytes(attachment.sha256());
        String type = attachment.mediaType();
        if (AttachmentJson.isText(attachment)) {
            out.put("type", "text").put("text", AttachmentJson.text(attachment, bytes));
        } else if (IMAGES.contains(type)) {
            out.put("type", "image_url").putObject("image_url").put("url", AttachmentJson.dataUrl(type, bytes));
        } else if (type.equals("application/pdf")) {
            ObjectNode file = out.put("type", "file").putObject("file");
            file.put("filename", fileName(attachment));
            file.put("file_data", AttachmentJson.dataUrl(type, bytes));
        } else if (audioFormat(type) != null) {
            out.put("type", "input_audio").putObject("input_audio").put("data", AttachmentJson.base64(bytes))
                    .put("format", audioFormat(type));
        } else {
            throw AttachmentJson.unsupported("OpenAI Chat Completions", attachment);
        }
    }

    /** The image types Chat Completions takes (HEIC, for one, it does not). */
    private static final java.util.Set<String> IMAGES = java.util.Set.of("image/png", "image/jpeg", "image/gif",
            "image/webp");

    /** The {@code input_audio} format of an audio media type, or null for one Chat Completions does not take. */
    private static String audioFormat(String mediaType) {
        return switch (mediaType) {
            case "audio/wav", "audio/x-wav", "audio/wave" -> "wav";
            case "audio/mpeg", "audio/mp3" -> "mp3";
            default -> null;
        };
    }

    /** The last segment of the name it came from (a path or URL), as OpenAI shows a file to the model. */
    private static String fileName(Part.Attachment attachment) {
        String name = attachment.name();
        if (name == null || name.isBlank() || name.equals("-")) {
            return attachment.sha256().substring(0, 12) + ".pdf";
        }
        String trimmed = name.replaceAll("[?#].*$", "");
        int slash = trimmed.lastIndexOf('/');
        String last = slash >= 0 ? trimmed.substring(slash + 1) : trimmed;
        return last.isEmpty() ? attachment.sha256().substring(0, 12) + ".pdf" : last;
    }

    /**
     * An assistant turn: its text alone, unless it called tools; then {@code content} (its text, or null without
     * any), the reasoning a compatible server gave as {@code reasoning_content} (DeepSeek's thinking mode refuses a
     * tool-call turn sent back without it; vLLM reads it; OpenAI gives no reasoning text, so never gets one back) and
     * {@code tool_calls} with the arguments exactly as the model wrote them: the format carries them as a string, so
     * even arguments that are not JSON go back unchanged.
     */
    private static void assistant(ChatMessage message, ObjectNode out) {
        out.put("role", "assistant");
        if (!ToolJson.callsTools(message)) {
            out.put("content", message.content());
            return;
        }
        String text = message.content();
        if (text.isEmpty()) {
            out.putNull("content");
        } else {
            out.put("content", text);
        }
        StringBuilder reasoning = new StringBuilder();
        for (Part.Reasoning part : message.parts(Part.Reasoning.class)) {
            reasoning.append(part.text());
        }
        if (!reasoning.isEmpty()) {
            out.put("reasoning_content", reasoning.toString());
        }
        ArrayNode calls = out.putArray("tool_calls");
        for (Part.ToolCall call : message.parts(Part.ToolCall.class)) {
            calls.addObject().put("id", call.id()).put("type", "function").putObject("function")
                    .put("name", call.name()).put("arguments", call.arguments());
        }
    }

    @Override
    protected HttpRequest modelsRequest(String next) {
        return HttpRequest.get(url("/models")).with(apiHeaders());
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

    @Override
    protected Headers apiHeaders() {
        return key == null ? Headers.of() : Headers.of("Authorization", "Bearer " + key.value());
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new OpenAiDecoder(errors);
    }
}
