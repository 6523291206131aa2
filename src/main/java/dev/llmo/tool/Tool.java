package dev.llmo.tool;

import java.util.Objects;

/**
 * A tool a model can be offered: an MCP server's tool or a command tool from the config.
 *
 * @param name         its full name: {@code SERVER.TOOL} for an MCP server's tool, the command tool's own name
 * @param description  what it does, possibly empty
 * @param schemaJson   the JSON Schema of its arguments, as JSON text
 * @param schemaSha256 the SHA-256 of the schema in canonical form (keys sorted, no whitespace), hex: the log keeps it
 *                     so that a tool that changed since a conversation is noticed on replay
 * @param source       where it comes from, as shown to the user: {@code mcp:SERVER} or {@code command}
 */
public record Tool(String name, String description, String schemaJson, String schemaSha256, String source) {
    public Tool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(schemaJson, "schemaJson");
        Objects.requireNonNull(schemaSha256, "schemaSha256");
        Objects.requireNonNull(source, "source");
    }
}
