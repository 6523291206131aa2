package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.json.JsonTrees;
import dev.llmo.secret.JdkCrypto;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A tool an MCP server offers: its name, description (may be empty), the JSON Schema of its arguments, and the
 * SHA-256 of that schema in canonical form (keys sorted, no whitespace), so a changed tool is noticed on replay.
 */
public record McpTool(String name, String description, JsonNode inputSchema, String schemaSha256) {
    public McpTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        inputSchema = inputSchema.deepCopy();
        Objects.requireNonNull(schemaSha256, "schemaSha256");
    }

    /**
     * The SHA-256 (hex) of a schema in canonical form, as {@link #schemaSha256()} holds it: command tools are hashed
     * the same way, so one function decides when any tool changed. Written by the generator alone, as a default
     * mapper writes it: a command tool's run needs no mapper.
     */
    public static String hashOf(JsonNode schema) {
        return HexFormat.of().formatHex(JdkCrypto.sha256().digest(canonical(schema)));
    }

    /** The schema with the keys of every object sorted and no whitespace: equal schemas, equal bytes. */
    static byte[] canonical(JsonNode schema) {
        return JsonTrees.writeBytes(JsonTrees.PLAIN_FACTORY, sorted(schema));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                fields.put(field.getKey(), sorted(field.getValue()));
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }

    @Override
    public JsonNode inputSchema() {
        return inputSchema.deepCopy();
    }
}
