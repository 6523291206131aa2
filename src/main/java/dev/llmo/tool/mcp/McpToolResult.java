package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What {@code tools/call} returned: its content blocks, its structured content (null when the tool sent none) and
 * whether the tool reported an error, which goes back to the model as a result rather than failing the run.
 */
public record McpToolResult(List<McpContent> content, JsonNode structuredContent, boolean isError) {
    public McpToolResult {
        content = List.copyOf(content);
        structuredContent = structuredContent == null ? null : structuredContent.deepCopy();
    }
}
