package dev.llmo.tool.mcp;

import dev.llmo.failure.FailureException;

/** An MCP server that cannot be started, broke the protocol, answered with an error or took too long (exit 1). */
public final class McpException extends FailureException {
    McpException(String message, String fix) {
        super(message, fix);
    }

    McpException(String message, String fix, Throwable cause) {
        super(message, fix, cause);
    }
}
