package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference MCP server {@code @modelcontextprotocol/server-everything}, installed from npm by {@code .ci/run}
 * under {@code .mcp-servers} (or {@code LLMO_MCP_SERVERS}). Without it the tests skip, unless
 * {@code LLMO_REQUIRE_MCP=1} (CI), where they fail.
 */
public final class ReferenceServer {
    private static final String EVERYTHING = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
    private static final String FILESYSTEM = "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js";

    private ReferenceServer() {
    }

    static StdioServer everything(Path stderrLog, Map<String, String> env) {
        return new StdioServer("everything", everythingCommand(), env, null, stderrLog);
    }

    /** The command line of server-everything over stdio, as an {@code mcp_servers} entry would run it. */
    public static List<String> everythingCommand() {
        return List.of("node", script(EVERYTHING, "server-everything").toString(), "stdio");
    }

    /** The command line of server-filesystem, allowed to reach {@code roots}. */
    public static List<String> filesystemCommand(Path... roots) {
        List<String> command = new java.util.ArrayList<>(List.of("node",
                script(FILESYSTEM, "server-filesystem").toString()));
        for (Path root : roots) {
            command.add(root.toString());
        }
        return command;
    }

    private static Path script(String file, String name) {
        String dir = System.getenv("LLMO_MCP_SERVERS");
        Path script = Path.of(dir == null ? ".mcp-servers" : dir).resolve(file).toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            String missing = "the reference MCP server is not installed at " + script
                    + "; run: npm install --prefix .mcp-servers @modelcontextprotocol/" + name + "@2026.8.31";
            if ("1".equals(System.getenv("LLMO_REQUIRE_MCP"))) {
                fail(missing);
            }
            assumeTrue(false, missing);
        }
        return script;
    }
}
