package dev.llmo.provider.anthropic;

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
import okhttp3.HttpUrl;
import dev.llmo.provider.http.HttpRequest;
import okhttp3.Headers;

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

    /** @param contents where attachments' bytes are read */
    public AnthropicClient(ProviderConfig provider, ApiKey key, Transport transport, ContentSource contents) {
        super(provider, key, transport, contents);
    }

    @Override
    protected HttpRequest chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        body.put("model", request.model());
        ObjectNode options = AnthropicOptions.fields(request);
        body.set("max_tokens", options.remove("max_tokens")); // in its place of old: a logged body rebuilds byte for byte
        if (request.system() != null && !request.system().isEmpty()) {
            body.put("system", request.system());
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            switch (message.role()) {
                case USER -> user(message, messages.addObject().put("role", "user"));
                case ASSISTANT -> assistant(message, messages.addObject());
                case TOOL -> toolResults(message, messages.addObject());
            }
        }
        if (request.stream()) {
            body.put("stream", true);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDeclaration tool : request.tools()) {
                ObjectNode declared = tools.addObject().put("name", tool.name());
                if (!tool.description().isEmpty()) {
                    declared.put("description", tool.description());
                }
                declared.set("input_schema", ToolJson.schema(tool));
            }
        }
        body.setAll(options);
        outputFormat(request, body);
        return postJson(url("/v1/messages"), body).with(apiHeaders());
    }

    /**
     * Structured output, as the Messages API has it since it left beta: {@code output_config} {@code {"format":
     * {"type": "json_schema", "schema"}}} (the beta's {@code output_format} and its header are not needed). The schema
     * is closed ({@code additionalProperties: false} on every object, which the API requires) and the keywords it
     * refuses (numeric bounds, lengths) become words of the description (see ADR-012).
     */
    private static void outputFormat(ChatRequest request, ObjectNode body) {
        if (request.schema() == null) {
            return;
        }
        if (body.has("output_config") || body.has("output_format")) {
            throw new dev.llmo.failure.UsageException("-o output_config and a response schema do not go together",
                    "leave out -o output_config: the schema is sent as output_config.format");
        }
        body.putObject("output_config").putObject("format").put("type", "json_schema")
                .set("schema", dev.llmo.provider.http.SchemaShapes.forAnthropic(dev.llmo.provider.http.SchemaShapes
                        .tree(request.schema())));
    }

    /**
     * An assistant turn: its text alone, unless it called tools; then its blocks in the model's order. With extended
     * thinking the API checks that the turn's thinking comes back unchanged, so {@code thinking} goes with its
     * {@code signature} and {@code redacted_thinking} with its {@code data}; reasoning without a signature did not
     * come from this API (which signs every thinking block) and is left out, as are empty text, refusals and
     * citations. A call's {@code input} is the object its arguments denote ({@link ToolJson#argumentsObject}).
     */
    /**
     * A user turn: its text alone, as ever, unless it has attachments; then {@code content} is a list of blocks in
     * order: {@code text}, {@code image} (JPEG, PNG, GIF, WebP) and {@code document} (PDF), each with a
     * {@code base64} {@code source}; a {@code text/*} attachment is a text block.
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
                byte[] bytes = contents.bytes(attachment.sha256());
                String type = attachment.mediaType();
                if (AttachmentJson.isText(attachment)) {
                    content.addObject().put("type", "text").put("text", AttachmentJson.text(attachment, bytes));
                } else if (IMAGES.contains(type) || type.equals("application/pdf")) {
                    content.addObject().put("type", type.equals("application/pdf") ? "document" : "image")
                            .putObject("source").put("type", "base64").put("media_type", type)
                            .put("data", AttachmentJson.base64(bytes));
                } else {
                    throw AttachmentJson.unsupported("Anthropic Messages", attachment);
                }
            }
        }
    }

    /** The image types the Messages API takes. */
    private static final java.util.Set<String> IMAGES = java.util.Set.of("image/jpeg", "image/png", "image/gif",
            "image/webp");

    private static void assistant(ChatMessage message, ObjectNode out) {
        out.put("role", "assistant");
        if (!ToolJson.callsTools(message)) {
            out.put("content", message.content());
            return;
        }
        ArrayNode content = out.putArray("content");
        for (Part part : message.parts()) {
            if (part instanceof Part.Reasoning reasoning && reasoning.signature() != null) {
                if (reasoning.redacted()) {
                    content.addObject().put("type", "redacted_thinking").put("data", reasoning.signature());
                } else {
                    content.addObject().put("type", "thinking").put("thinking", reasoning.text())
                            .put("signature", reasoning.signature());
                }
            } else if (part instanceof Part.Text text && !text.text().isEmpty()) {
                content.addObject().put("type", "text").put("text", text.text());
            } else if (part instanceof Part.ToolCall call) {
                content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                        .set("input", ToolJson.argumentsObject(call.arguments()));
            }
        }
    }

    /** A tool turn: one user message of {@code tool_result} blocks, {@code is_error} only on a failure. */
    private static void toolResults(ChatMessage message, ObjectNode out) {
        ArrayNode content = out.put("role", "user").putArray("content");
        for (Part.ToolResult result : message.parts(Part.ToolResult.class)) {
            ObjectNode block = content.addObject().put("type", "tool_result").put("tool_use_id", result.callId())
                    .put("content", result.content());
            if (result.isError()) {
                block.put("is_error", true);
            }
        }
    }

    @Override
    protected HttpRequest modelsRequest(String next) {
        HttpUrl.Builder url = HttpUrl.get(url("/v1/models")).newBuilder().addQueryParameter("limit", "1000");
        if (next != null) {
            url.addQueryParameter("after_id", next);
        }
        return HttpRequest.get(url.build().toString()).with(apiHeaders());
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

    @Override
    protected Headers apiHeaders() {
        return key == null ? Headers.of("anthropic-version", API_VERSION)
                : Headers.of("x-api-key", key.value(), "anthropic-version", API_VERSION);
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new AnthropicDecoder(errors);
    }
}
