package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reference MCP servers {@code @modelcontextprotocol/server-everything} and {@code server-filesystem},
 * installed from npm by {@code .ci/run} under {@code .mcp-servers} (or {@code LLMO_MCP_SERVERS}). Without them the
 * tests skip, unless {@code LLMO_REQUIRE_MCP=1} (CI), where they fail.
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
        return List.of("node", everythingScript().toString(), "stdio");
    }

    /** The command line of server-filesystem, allowed to reach {@code roots}. */
    public static List<String> filesystemCommand(Path... roots) {
        List<String> command = new ArrayList<>(List.of("node", script(FILESYSTEM, "server-filesystem").toString()));
        for (Path root : roots) {
            command.add(root.toString());
        }
        return command;
    }

    /** The path of server-everything's script, or a skipped (or, in CI, failed) test. */
    static Path everythingScript() {
        return script(EVERYTHING, "server-everything");
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

    /**
     * server-everything in Streamable HTTP mode on a free port of 127.0.0.1, once it accepts connections; its
     * stdout and stderr go to {@code log} (it logs each session it starts and ends there).
     */
    public static Http everythingOverHttp(Path log) throws IOException, InterruptedException {
        Path script = everythingScript();
        for (int attempt = 0; ; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder("node", script.toString(), "streamableHttp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("PORT", Integer.toString(port));
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (process.isAlive() && System.nanoTime() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Http(process, URI.create("http://127.0.0.1:" + port + "/mcp"), log);
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            process.destroyForcibly().waitFor();
            if (attempt == 2) {
                throw new IOException("server-everything did not listen on a port; see " + log);
            }
        }
    }

    /** A running HTTP server; closing it stops it. */
    public record Http(Process process, URI url, Path log) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
