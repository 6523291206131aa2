package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.EventLog;
import dev.llmo.tool.mcp.ReferenceServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool loop through the built binary with the real reference MCP server (server-everything over stdio): a model
 * (MockWebServer in the OpenAI format) calls its tools; llmo starts the server, runs the calls, sends the results back,
 * and leaves no server process behind, whether it ends normally, by Ctrl-C during a slow tool, or killed.
 */
class ToolsBinaryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    /** The server's working directory: the processes whose cwd it is are the server's (and only this test's). */
    private Path serverDir;
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        serverDir = Files.createDirectories(home.resolve("server-cwd"));
        List<String> command = ReferenceServer.everythingCommand();
        BinaryRun.mockProvider(home, server.url("/v1").toString());
        Path dir = home.resolve("llmo");
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/m1
                mcp_servers:
                  everything:
                    command: %s
                    args: %s
                    cwd: %s
                """.formatted(command.get(0), JSON.writeValueAsString(command.subList(1, command.size())),
                serverDir));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
        serverProcesses().forEach(ProcessHandle::destroyForcibly);
    }

    private BinaryRun llmo() {
        return BinaryRun.in(home).env("MOCK_API_KEY", "sk-it-secret");
    }

    /** Every process whose working directory is the server's. */
    private List<ProcessHandle> serverProcesses() {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).equals(serverDir);
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }).toList();
    }

    private void awaitNoServer() throws InterruptedException {
        for (int i = 0; i < 100 && !serverProcesses().isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertThat(serverProcesses()).as("server processes left behind").isEmpty();
    }

    private static MockResponse calls(String name, String arguments) {
        return OpenAiAnswers.toolCalls("call_1", name, arguments);
    }

    @Test
    void aModelCallsTheReferenceServersEchoAndGetsItsAnswer() throws Exception {
        server.enqueue(calls("everything_echo", "{\"message\":\"hello tools\"}"));
        server.enqueue(OpenAiAnswers.streamed("The server said hello."));

        BinaryRun.Result result = llmo().run("run", "--json", "-T", "everything.echo", "--approve", "everything.*",
                "Echo hello tools");

        assertThat(result.exitCode()).as(result.err()).isZero();
        RecordedRequest first = server.takeRequest();
        assertThat(JSON.readTree(first.getBody().readUtf8()).at("/tools/0/function/name").asText())
                .isEqualTo("everything_echo");
        assertThat(server.takeRequest().getBody().readUtf8()).contains("hello tools").contains("call_1");
        JsonNode line = JSON.readTree(result.out());
        assertThat(line.path("text").asText()).isEqualTo("The server said hello.");
        assertThat(line.at("/tool_results/0/content").asText()).contains("hello tools");
        assertThat(line.at("/tool_results/0/is_error").asBoolean()).isFalse();
        // the tool's own name, as -T and tool_policy name it, not the one the wire format made of it
        assertThat(line.at("/tool_calls/0/name").asText()).isEqualTo("everything.echo");
        Path log = onlyLog();
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
        assertThat(EventLog.read(log).stream().map(e -> e.type()).toList())
                .containsSubsequence("tool.offer", "request", "response", "tool.approval", "tool.call", "tool.result",
                        "request", "response");
        awaitNoServer();

        BinaryRun.Result replay = llmo().run("log", "replay", log.getFileName().toString().replace(".jsonl", ""));
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("The server said hello.");
        assertThat(replay.err()).contains("tool call everything.echo ").doesNotContain("everything_echo");
        BinaryRun.Result shown = llmo().run("log", "show", log.getFileName().toString().replace(".jsonl", ""));
        assertThat(shown.out()).contains("[tool call call_1] everything.echo ").doesNotContain("everything_echo");
        BinaryRun.Result exported = llmo().run("log", "export", "--format", "md",
                log.getFileName().toString().replace(".jsonl", ""));
        assertThat(exported.out()).contains("Tool call `call_1`: `everything.echo`");
    }

    @Test
    void ctrlCDuringASlowToolStopsItAndTheRunAndLeavesNoServer() throws Exception {
        server.enqueue(calls("everything_trigger-long-running-operation", "{\"duration\":60,\"steps\":60}"));
        Path out = home.resolve("out.txt");
        Path err = home.resolve("err.txt");
        Process llmo = llmo().start(out, err, "run", "-T", "everything.*", "--yolo", "Take your time");
        try {
            awaitServerRunningTheTool();
            new ProcessBuilder("kill", "-INT", Long.toString(llmo.pid())).start().waitFor();
            assertThat(llmo.waitFor(20, TimeUnit.SECONDS)).as("llmo ends after Ctrl-C").isTrue();
            assertThat(llmo.exitValue()).as(Files.readString(err)).isEqualTo(130);
            assertThat(server.getRequestCount()).as("no round after the cancelled tool").isEqualTo(1);
            awaitNoServer();
        } finally {
            llmo.destroyForcibly();
        }
    }

    @Test
    void killedDuringASlowToolLlmoLeavesNoServer() throws Exception {
        server.enqueue(calls("everything_trigger-long-running-operation", "{\"duration\":60,\"steps\":60}"));
        Process llmo = llmo().start(home.resolve("out.txt"), home.resolve("err.txt"), "run", "-T", "everything.*",
                "--yolo", "Take your time");
        try {
            awaitServerRunningTheTool();
            llmo.destroyForcibly(); // SIGKILL: no shutdown hook runs
            llmo.waitFor(10, TimeUnit.SECONDS);
            awaitNoServer();
        } finally {
            llmo.destroyForcibly();
        }
    }

    /** Waits until the server runs and the log says the slow tool call has started. */
    private void awaitServerRunningTheTool() throws Exception {
        assertThat(server.takeRequest(60, TimeUnit.SECONDS)).as("the first request").isNotNull();
        for (int i = 0; i < 600 && (serverProcesses().isEmpty() || !logSays("\"tool.call\"")); i++) {
            Thread.sleep(100);
        }
        assertThat(serverProcesses()).as("the server started").isNotEmpty();
        assertThat(logSays("\"tool.call\"")).as("the tool call started").isTrue();
    }

    private boolean logSays(String text) throws IOException {
        Path dir = home.resolve("llmo/conversations");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                if (Files.readString(file).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Path onlyLog() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            List<Path> logs = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }
}
