package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.Python3;
import dev.llmo.failure.InterruptedRunException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the reference server never does: pages of tools, an answer too long, a crash mid-call, no answer. A real
 * stdio server written in Python (python3 is a CI requirement) speaking the same line-delimited JSON-RPC.
 */
class MisbehavingServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVER = """
            import json, sys, time
            def send(m):
                sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
            pages = {None: ("p2", ["a", "b"]), "p2": ("p3", ["c"]), "p3": (None, ["d"])}
            for line in sys.stdin:
                m = json.loads(line)
                method, i = m.get("method"), m.get("id")
                if method == "initialize":
                    sys.stderr.write("starting\\n")
                    send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": sys.argv[1],
                          "capabilities": {"tools": {}}, "serverInfo": {"name": "py", "version": "1"}}})
                elif method == "tools/list":
                    nxt, names = pages[m["params"].get("cursor")]
                    if sys.argv[2:] == ["twice"]: nxt, names = None, ["a", "b", "a"]
                    if sys.argv[2:] == ["many"]: nxt, names = None, ["t%d" % k for k in range(1001)]
                    r = {"tools": [{"name": n, "inputSchema": {"type": "object", "properties": {n: {}}}} for n in names]}
                    if nxt: r["nextCursor"] = nxt
                    send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "x"}})
                    send({"jsonrpc": "2.0", "id": 99, "method": "ping"})
                    send({"jsonrpc": "2.0", "id": i, "result": r})
                elif method == "notifications/cancelled":
                    sys.stderr.write("cancelled %s %s\\n" % (m["params"]["requestId"], m["params"]["reason"]))
                    sys.stderr.flush()
                elif method == "tools/call":
                    name = m["params"]["name"]
                    if name == "big": send({"jsonrpc": "2.0", "id": i, "result": {"content": [{"type": "text", "text": "x" * 5000}]}})
                    elif name == "crash": sys.exit(3)
                    elif name == "slow": pass
                    elif name == "progress":
                        token = m["params"]["_meta"]["progressToken"]
                        for step in (1, 2):
                            send({"jsonrpc": "2.0", "method": "notifications/progress",
                                  "params": {"progressToken": token, "progress": step, "total": 2}})
                        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
                        send({"jsonrpc": "2.0", "id": i, "result": {"content": [{"type": "text", "text": "done"}]}})
                    elif name == "rpc-error": send({"jsonrpc": "2.0", "id": i, "error": {"code": -32602, "message": "Unknown tool:\\nrpc-error"}})
            """;

    @TempDir
    Path dir;
    private Path script;

    @BeforeEach
    void writeServer() throws IOException {
        script = Files.writeString(dir.resolve("server.py"), SERVER);
    }

    private McpClient start(String version, Duration timeout, String... mode) {
        List<String> command = new java.util.ArrayList<>(List.of(Python3.executable(), script.toString(), version));
        command.addAll(List.of(mode));
        return McpClient.start(new StdioServer("py", command, Map.of(), dir, dir.resolve("py.log")), timeout, 1024);
    }

    @Test
    void aToolListedTwiceOrMoreToolsThanAModelTakesAreTheServersErrorNotASilentChoice() {
        try (McpClient client = start("2025-06-18", Duration.ofSeconds(20), "twice")) {
            assertThatThrownBy(client::listTools).hasMessage("MCP server py listed the tool 'a' twice");
        }
        try (McpClient client = McpClient.start(new StdioServer("py", List.of(Python3.executable(), script.toString(),
                "2025-06-18", "many"), Map.of(), dir, dir.resolve("py.log")), Duration.ofSeconds(20), 1 << 20)) {
            assertThatThrownBy(client::listTools).hasMessage("MCP server py listed more than 1000 tools");
        }
    }

    @Test
    void listingFollowsEveryCursorAndAnswersThePingInBetween() throws IOException {
        try (McpClient client = start("2025-06-18", Duration.ofSeconds(20))) {
            assertThat(client.protocolVersion()).isEqualTo("2025-06-18");
            assertThat(client.listTools()).extracting(McpTool::name).containsExactly("a", "b", "c", "d");
        }
        assertThat(Files.readString(dir.resolve("py.log"))).contains("starting");
    }

    @Test
    void anUnsupportedVersionIsRefusedAndTheServerStopped() {
        assertThatThrownBy(() -> start("2024-01-01", Duration.ofSeconds(20))).isInstanceOf(McpException.class)
                .hasMessageContaining("speaks protocol version '2024-01-01', which llmo does not support");
    }

    @Test
    void anAnswerOverTheLineLimitBreaksTheConnectionInsteadOfTheMemory() throws IOException {
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(20))) {
            ProcessHandle server = client.process().orElseThrow();
            assertThatThrownBy(() -> client.callTool("big", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class).hasMessageContaining("sent a message over");
            assertThat(server.onExit()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void aCrashMidCallIsAnErrorNamingTheLog() {
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> client.callTool("crash", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class).hasMessage("MCP server py stopped (exit code 3)")
                    .satisfies(e -> assertThat(((McpException) e).fix()).contains("py.log"));
        }
    }

    @Test
    void progressAndAChangedToolListArriveWhileACallRuns() {
        List<McpProgress> progress = new CopyOnWriteArrayList<>();
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(20))) {
            assertThat(client.toolsChanged()).isFalse();
            McpToolResult result = client.callTool("progress", JSON.createObjectNode(), progress::add);
            assertThat(((McpContent.Text) result.content().get(0)).text()).isEqualTo("done");
            assertThat(client.toolsChanged()).isTrue();
        }
        assertThat(progress).containsExactly(new McpProgress(1, 2.0, null), new McpProgress(2, 2.0, null));
    }

    @Test
    void aListenerThatFailsFailsItsCallButNotTheConnection() {
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> client.callTool("progress", JSON.createObjectNode(), p -> {
                throw new IllegalStateException("listener bug");
            })).isInstanceOf(IllegalStateException.class).hasMessage("listener bug");
            assertThat(client.listTools()).hasSize(4);
        }
    }

    @Test
    void aTimedOutOrInterruptedCallIsCancelledOnTheServer() throws Exception {
        // the timeout is waited out, so it is short; it also bounds the handshake, which python answers in well
        // under a second even on a loaded machine
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> client.callTool("slow", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class).hasMessage("MCP server py did not answer tools/call within 3 s")
                    .satisfies(e -> assertThat(((McpException) e).fix())
                            .endsWith("or give it longer with 'timeout: SECONDS' in its mcp_servers entry"));
        }
        assertThat(Files.readString(dir.resolve("py.log"))).contains("cancelled 2 timed out");
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(30))) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    client.callTool("slow", JSON.createObjectNode());
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            caller.start();
            Thread.sleep(500);
            caller.interrupt();
            caller.join(10_000);
            assertThat(thrown.get()).isInstanceOf(InterruptedRunException.class);
        }
        assertThat(Files.readString(dir.resolve("py.log"))).contains("cancelled 2 interrupted");
    }

    @Test
    void anRpcErrorIsOneLine() {
        try (McpClient client = start("2025-11-25", Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> client.callTool("rpc-error", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class)
                    .hasMessage("MCP server py answered with error -32602: Unknown tool: rpc-error");
        }
    }
}
