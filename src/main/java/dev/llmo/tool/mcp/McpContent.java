package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/** One block of a tool result, as the MCP schema defines them; an unknown block type is kept whole. */
public sealed interface McpContent {
    record Text(String text) implements McpContent {
    }

    /** An image or audio block; {@code type} is "image" or "audio", {@code base64Data} as sent. */
    record Media(String type, String mimeType, String base64Data) implements McpContent {
    }

    record ResourceLink(String uri, String name, String mimeType) implements McpContent {
    }

    /** An embedded resource: {@code text} for a text resource, else {@code base64Blob}; the other is null. */
    record EmbeddedResource(String uri, String mimeType, String text, String base64Blob) implements McpContent {
    }

    record Other(String type, JsonNode block) implements McpContent {
        public Other {
            block = block.deepCopy();
        }
    }
}
