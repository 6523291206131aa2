package dev.llmo.provider.gemini;

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
import dev.llmo.provider.http.AnswerParts;
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
 * The Gemini API, version v1beta (wire-formats.md section 4): {@code x-goog-api-key},
 * {@code :streamGenerateContent?alt=sse}: the requests, whose options go into {@code generationConfig} but for the
 * tool definitions ({@link GeminiOptions}); {@link GeminiDecoder} reads the answers.
 */
public final class GeminiClient extends HttpProviderClient {

    public GeminiClient(ProviderConfig provider, ApiKey key, Transport transport) {
        super(provider, key, transport);
    }

    /** @param contents where attachments' bytes are read */
    public GeminiClient(ProviderConfig provider, ApiKey key, Transport transport, ContentSource contents) {
        super(provider, key, transport, contents);
    }

    @Override
    protected HttpRequest chatRequest(ChatRequest request) {
        ObjectNode body = Json.object();
        ArrayNode contents = body.putArray("contents");
        List<Part.ToolCall> lastCalls = List.of();
        for (ChatMessage message : request.messages()) {
            ObjectNode content = contents.addObject();
            switch (message.role()) {
                case USER -> user(message, content.put("role", "user").putArray("parts"));
                case ASSISTANT -> {
                    content.put("role", "model");
                    if (ToolJson.callsTools(message)) {
                        modelParts(message, content.putArray("parts"));
                        lastCalls = message.parts(Part.ToolCall.class);
                    } else {
                        content.putArray("parts").addObject().put("text", message.content());
                    }
                }
                case TOOL -> functionResponses(message, lastCalls, content.put("role", "user").putArray("parts"));
            }
        }
        if (request.system() != null && !request.system().isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", request.system());
        }
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolDeclaration tool : request.tools()) {
                ObjectNode declared = declarations.addObject().put("name", tool.name());
                if (!tool.description().isEmpty()) {
                    declared.put("description", tool.description());
                }
                // full JSON Schema, as MCP servers write it; "parameters" takes only an OpenAPI subset and refuses
                // keywords such as additionalProperties, $ref or const
                declared.set("parametersJsonSchema", ToolJson.schema(tool));
            }
        }
        body.setAll(GeminiOptions.fields(request));
        responseSchema(request, body);
        String model = request.model().startsWith("models/") ? request.model().substring(7) : request.model();
        // one percent-encoded path segment: a model name cannot add a path ("../../x") or a query ("x?key=...")
        HttpUrl.Builder url = HttpUrl.get(url("/v1beta/models")).newBuilder()
                .addPathSegment(model + (request.stream() ? ":streamGenerateContent" : ":generateContent"));
        if (request.stream()) {
            url.addQueryParameter("alt", "sse"); // without it the stream is one incrementally written JSON array
        }
        return postJson(url.build().toString(), body).with(apiHeaders());
    }

    /**
     * Structured output: {@code generationConfig.responseMimeType} {@code application/json} with the schema as
     * {@code responseJsonSchema}, which takes JSON Schema as written ({@code responseSchema} takes only an OpenAPI
     * subset). The schema goes unchanged: Gemini needs no closing of objects.
     */
    private static void responseSchema(ChatRequest request, ObjectNode body) {
        if (request.schema() == null) {
            return;
        }
        ObjectNode config = body.has("generationConfig") ? (ObjectNode) body.get("generationConfig")
                : body.putObject("generationConfig");
        for (String taken : List.of("responseMimeType", "responseSchema", "responseJsonSchema")) {
            if (config.has(taken)) {
                throw new dev.llmo.failure.UsageException("-o " + taken + " and a response schema do not go together",
                        "leave it out: the schema sets responseMimeType and responseJsonSchema");
            }
        }
        config.put("responseMimeType", "application/json");
        config.set("responseJsonSchema", dev.llmo.provider.http.SchemaShapes.tree(request.schema()));
    }

    /**
     * A user turn: one text part, as ever, unless it has attachments; then its parts in order, {@code text} and
     * {@code inlineData} ({@code mimeType} and base64 {@code data}); a {@code text/*} attachment is a text part.
     */
    private void user(ChatMessage message, ArrayNode out) {
        if (!AttachmentJson.hasAttachments(message)) {
            out.addObject().put("text", message.content());
            return;
        }
        for (Part part : message.parts()) {
            if (part instanceof Part.Text text) {
                out.addObject().put("text", text.text());
            } else if (part instanceof Part.Attachment attachment) {
                byte[] bytes = contents.bytes(attachment.sha256());
                if (AttachmentJson.isText(attachment)) {
                    out.addObject().put("text", AttachmentJson.text(attachment, bytes));
                } else {
                    out.addObject().putObject("inlineData").put("mimeType", attachment.mediaType())
                            .put("data", AttachmentJson.base64(bytes));
                }
            }
        }
    }

    /**
     * A model turn that called tools, its parts in order and each {@code thoughtSignature} back on the part it came
     * on. {@link GeminiDecoder} keeps a signature that came on a text or function-call part as a reasoning part with no
     * text just before that part, and one on a thought as that thought's signature; so such an empty reasoning part
     * gives its signature to the part after it (or, last, stands as an empty text part carrying it, as Gemini sends
     * it), a thought goes back as {@code {"text", "thought": true}} with its own. Gemini 3 refuses a function-call
     * turn without its signatures. A call's {@code args} is the object its arguments denote
     * ({@link ToolJson#argumentsObject}); its {@code id} goes back only when Gemini gave one.
     */
    private static void modelParts(ChatMessage message, ArrayNode out) {
        String waiting = null;
        int call = 0;
        for (Part part : message.parts()) {
            ObjectNode written = null;
            if (part instanceof Part.Reasoning reasoning && !reasoning.redacted()) {
                if (reasoning.text().isEmpty()) {
                    if (reasoning.signature() != null) {
                        signatureAlone(waiting, out);
                        waiting = reasoning.signature();
                    }
                    continue;
                }
                signatureAlone(waiting, out);
                waiting = null;
                ObjectNode thought = out.addObject().put("text", reasoning.text()).put("thought", true);
                if (reasoning.signature() != null) {
                    thought.put("thoughtSignature", reasoning.signature());
                }
            } else if (part instanceof Part.Text text) {
                written = out.addObject().put("text", text.text());
            } else if (part instanceof Part.ToolCall toolCall) {
                ObjectNode function = Json.object();
                if (givenId(toolCall, call++)) {
                    function.put("id", toolCall.id());
                }
                function.put("name", toolCall.name()).set("args", ToolJson.argumentsObject(toolCall.arguments()));
                written = out.addObject();
                written.set("functionCall", function);
            }
            if (written != null && waiting != null) {
                written.put("thoughtSignature", waiting);
                waiting = null;
            }
        }
        signatureAlone(waiting, out);
    }

    /** A signature with no part after it to carry it: an empty text part, as Gemini itself sends one. */
    private static void signatureAlone(String signature, ArrayNode out) {
        if (signature != null) {
            out.addObject().put("text", "").put("thoughtSignature", signature);
        }
    }

    /**
     * A tool turn: one user content of {@code functionResponse} parts, each named after the call it answers (Gemini
     * matches them by name), {@code response} {@code {"output": text}} or, for a failure, {@code {"error": text}}: the
     * two keys the API documents for {@code FunctionResponse.response}.
     */
    private static void functionResponses(ChatMessage message, List<Part.ToolCall> calls, ArrayNode out) {
        for (Part.ToolResult result : message.parts(Part.ToolResult.class)) {
            int index = -1;
            for (int i = 0; i < calls.size() && index < 0; i++) {
                if (calls.get(i).id().equals(result.callId())) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException("the tool result for call '" + result.callId() + "' answers no "
                        + "tool call of the model turn before it");
            }
            Part.ToolCall call = calls.get(index);
            ObjectNode response = Json.object();
            if (givenId(call, index)) {
                response.put("id", call.id());
            }
            response.put("name", call.name()).putObject("response")
                    .put(result.isError() ? "error" : "output", result.content());
            out.addObject().set("functionResponse", response);
        }
    }

    /** Whether Gemini named the call itself, rather than llmo ({@link AnswerParts#unnamedCallId}). */
    private static boolean givenId(Part.ToolCall call, int position) {
        return !call.id().equals(AnswerParts.unnamedCallId(position));
    }

    @Override
    protected HttpRequest modelsRequest(String next) {
        HttpUrl.Builder url = HttpUrl.get(url("/v1beta/models")).newBuilder().addQueryParameter("pageSize", "1000");
        if (next != null) {
            url.addQueryParameter("pageToken", next);
        }
        return HttpRequest.get(url.build().toString()).with(apiHeaders());
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

    @Override
    protected Headers apiHeaders() {
        return key == null ? Headers.of() : Headers.of("x-goog-api-key", key.value());
    }

    @Override
    protected ResponseDecoder decoder(ChatRequest request) {
        return new GeminiDecoder(errors);
    }
}
