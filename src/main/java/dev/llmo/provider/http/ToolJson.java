package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;

/** The JSON every wire format makes of a tool call's arguments and of a declared tool's schema. */
public final class ToolJson {
    /**
     * The key under which arguments that are not a JSON object go back to a format that needs an object (Anthropic's
     * {@code input}, Gemini's {@code args}): the model sees what it wrote, as it wrote it, beside the tool result that
     * says the call could not be made.
     */
    public static final String UNPARSED_ARGUMENTS = "_unparsed_arguments";

    private ToolJson() {
    }

    /**
     * The arguments as a JSON object, numbers as written: the object the model wrote; {@code {}} for none (blank
     * text: a call without arguments, as some servers stream it); anything else, which the model may write (broken
     * JSON, a list, a number), kept whole as {@code {"_unparsed_arguments": "<the text>"}}.
     */
    public static ObjectNode argumentsObject(String arguments) {
        if (arguments.isBlank()) {
            return Json.object();
        }
        JsonNode parsed = Json.parseExact(arguments).orElse(null);
        if (parsed instanceof ObjectNode object && Json.writable(object)) {
            return object;
        }
        return Json.object().put(UNPARSED_ARGUMENTS, arguments);
    }

    /** The declared tool's JSON Schema, numbers as written. */
    public static ObjectNode schema(ToolDeclaration tool) {
        JsonNode parsed = Json.parseExact(tool.parametersJson()).orElse(null);
        if (!(parsed instanceof ObjectNode object) || !Json.writable(object)) {
            throw new IllegalArgumentException("the parameters of tool '" + tool.name() + "' are not a JSON object "
                    + "schema");
        }
        return object;
    }

    /**
     * Whether an assistant turn asked for tools. Only such a turn is sent with its parts (reasoning and its signature
     * included): every other turn goes as its text alone, byte for byte as before tools existed, which keeps logged
     * bodies rebuildable and keeps one provider's signatures away from another in a conversation that changed model.
     */
    public static boolean callsTools(ChatMessage message) {
        if (message.role() != ChatMessage.Role.ASSISTANT) {
            return false;
        }
        for (Part part : message.parts()) {
            if (part instanceof Part.ToolCall) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses the option {@code option} (the format's own tool definitions) in a request that declares tools: the two
     * lists would have to be merged or one dropped, and either would send the model tools nobody asked for.
     */
    public static void refuseBesideDeclared(ChatRequest request, String option) {
        if (!request.tools().isEmpty()) {
            throw new UsageException("option '" + option + "' cannot be sent beside the tools llmo declares ("
                    + request.tools().size() + " in this run)",
                    "drop '" + option + "' from -o, the role or models.yaml, or run without tools");
        }
    }
}
