package dev.llmo.tool.mcp;

/**
 * A {@code notifications/progress} about a running tool call: {@code progress} grows with each one, {@code total}
 * (null when unknown) is where it ends, {@code message} (null when none) says what the server is doing, on one line.
 */
public record McpProgress(double progress, Double total, String message) {
}
