package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

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
     * the same way, so one function decides when any tool changed.
     */
    public static String hashOf(JsonNode schema) {
        return McpClient.sha256(McpClient.canonical(schema));
    }

    @Override
    public JsonNode inputSchema() {
        return inputSchema.deepCopy();
    }
}
