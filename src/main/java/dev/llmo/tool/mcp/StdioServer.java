package dev.llmo.tool.mcp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to start a local MCP server: its command line (run without a shell), the only environment variables it gets
 * beyond {@code PATH}, {@code HOME} and {@code LANG}, its working directory (null: llmo's) and the file its stderr
 * is appended to, so its logs never reach the user's terminal.
 */
public record StdioServer(String name, List<String> command, Map<String, String> env, Path cwd, Path stderrLog) {
    public StdioServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stderrLog, "stderrLog");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        if (command.isEmpty()) {
            throw new McpException("MCP server " + name + " has no command",
                    "set its command to the program that starts the server");
        }
    }
}
