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
final class ReferenceServer {
    private static final String EVERYTHING = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";

    private ReferenceServer() {
    }

    static StdioServer everything(Path stderrLog, Map<String, String> env) {
        String dir = System.getenv("LLMO_MCP_SERVERS");
        Path script = Path.of(dir == null ? ".mcp-servers" : dir).resolve(EVERYTHING).toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            String missing = "the reference MCP server is not installed at " + script
                    + "; run: npm install --prefix .mcp-servers @modelcontextprotocol/server-everything@2026.8.31";
            if ("1".equals(System.getenv("LLMO_REQUIRE_MCP"))) {
                fail(missing);
            }
            assumeTrue(false, missing);
        }
        return new StdioServer("everything", List.of("node", script.toString(), "stdio"), env, null, stderrLog);
    }
}
