package dev.llmo.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmo.config.CommandToolSpec;
import dev.llmo.config.McpServerSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.SandboxSpec;
import dev.llmo.config.ToolSettings;
import dev.llmo.failure.FailureException;
import dev.llmo.tool.mcp.ReferenceServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes under the real bubblewrap. Without a working bwrap the tests skip, unless
 * {@code LLMO_REQUIRE_SANDBOX=1} (CI), where they fail.
 */
class SandboxTest {
    private static final Origin ORIGIN = new Origin("user", "config.yaml", 1, 1);
    private static final String CONNECT = "import socket, sys\n"
            + "try:\n"
            + "    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5).close(); print('connected')\n"
            + "except OSError as e:\n"
            + "    print('refused:', e); sys.exit(1)\n";

    @TempDir
    Path dir;
    private ToolCatalog catalog;
    private Path outsideTmp;

    @BeforeEach
    void requireBubblewrap() {
        try {
            Sandbox.of(SandboxSpec.DEFAULT, dir.resolve("probe")).wrap("probe", List.of("true"), dir);
        } catch (FailureException e) {
            if ("1".equals(System.getenv("LLMO_REQUIRE_SANDBOX"))) {
                fail("LLMO_REQUIRE_SANDBOX=1 but the sandbox cannot run: " + e.getMessage());
            }
            assumeTrue(false, e.getMessage());
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        if (catalog != null) {
            catalog.close();
        }
        if (outsideTmp != null) {
            try (var files = Files.walk(outsideTmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static CommandToolSpec tool(String name, boolean sandbox, String... command) {
        return new CommandToolSpec(name, "d", "{\"type\":\"object\"}", List.of(command), Map.of("NAMED", "yes"), null,
                30, sandbox, false, ORIGIN);
    }

    private ToolCatalog open(SandboxSpec sandbox, CommandToolSpec... specs) {
        Map<String, CommandToolSpec> tools = new LinkedHashMap<>();
        for (CommandToolSpec spec : specs) {
            tools.put(spec.name(), spec);
        }
        catalog = ToolCatalog.open(new ToolSettings(Map.of(), tools, List.of(), sandbox), dir.resolve("logs"),
                SecretSource.environment(Map.of()));
        return catalog;
    }

    private ToolOutput call(String name) {
        return catalog.call(catalog.select(List.of(name)).get(0), "{}");
    }

    @Test
    void theNetworkIsBlockedUnlessAllowed() throws IOException {
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(listening.getLocalPort());
            open(SandboxSpec.DEFAULT, tool("open", false, "python3", "-c", CONNECT, port),
                    tool("boxed", true, "python3", "-c", CONNECT, port));

            assertThat(call("open")).isEqualTo(new ToolOutput("connected\n", false));
            ToolOutput boxed = call("boxed");
            assertThat(boxed.isError()).isTrue();
            assertThat(boxed.text()).startsWith("refused:");

            catalog.close();
            open(new SandboxSpec(List.of(), true), tool("boxed", true, "python3", "-c", CONNECT, port));
            assertThat(call("boxed")).as("network: true").isEqualTo(new ToolOutput("connected\n", false));
        }
    }

    @Test
    void onlyTheWritablePathsCanBeWritten() throws IOException {
        outsideTmp = Path.of("target", "sandbox-test-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(outsideTmp);
        Path writable = dir.resolve("out");
        open(new SandboxSpec(List.of(writable.toString()), false),
                tool("inside", true, "sh", "-c", "echo x > " + writable.resolve("f") + " && echo ok"),
                tool("outside", true, "sh", "-c", "echo x > " + outsideTmp.resolve("f") + " && echo ok"));

        assertThat(call("inside")).isEqualTo(new ToolOutput("ok\n", false));
        assertThat(writable.resolve("f")).hasContent("x");
        ToolOutput outside = call("outside");
        assertThat(outside.isError()).isTrue();
        assertThat(outside.text()).contains("Read-only file system");
        assertThat(outsideTmp.resolve("f")).doesNotExist();
    }

    @Test
    void withoutWritablePathsEachToolHasAScratchDirectoryOfItsOwn() {
        Path scratch = dir.resolve("scratch/scribble");
        open(SandboxSpec.DEFAULT, tool("scribble", true, "sh", "-c", "echo x > " + scratch.resolve("f") + " && echo ok"));

        assertThat(call("scribble")).isEqualTo(new ToolOutput("ok\n", false));
        assertThat(scratch.resolve("f")).hasContent("x");
    }

    @Test
    void theEnvironmentHasOnlyTheBasicsAndTheNamedVariablesAndThePidsAreItsOwn() {
        open(SandboxSpec.DEFAULT, tool("env", true, "env"), tool("pids", true, "sh", "-c", "ls /proc | grep -c '^[0-9]'"));

        Map<String, String> seen = new LinkedHashMap<>();
        call("env").text().lines().forEach(l -> seen.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        // bwrap's --chdir sets PWD, the directory it already runs in
        assertThat(seen.keySet()).isSubsetOf("PATH", "HOME", "LANG", "NAMED", "PWD").contains("NAMED");
        assertThat(Integer.parseInt(call("pids").text().strip())).as("processes seen in its PID namespace")
                .isLessThan(6);
    }

    @Test
    void aSandboxedMcpServerRuns() {
        catalog = ToolCatalog.open(new ToolSettings(Map.of("every", new McpServerSpec("every",
                ReferenceServer.everythingCommand(), Map.of(), null, null, Map.of(), true, false, ORIGIN)), Map.of(),
                List.of(), SandboxSpec.DEFAULT), dir.resolve("logs"), SecretSource.environment(Map.of()));

        Tool echo = catalog.select(List.of("every.echo")).get(0);
        assertThat(catalog.call(echo, "{\"message\":\"boxed\"}").text()).contains("boxed");
        assertThat(ProcessHandle.current().descendants().map(p -> p.info().command().orElse("")))
                .anyMatch(c -> c.endsWith("bwrap"));
    }

    @Test
    void theFilesystemServerSandboxedWritesOnlyWhereItMay() throws IOException {
        Path notes = Files.createDirectories(dir.resolve("notes"));
        outsideTmp = Path.of("target", "sandbox-test-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(outsideTmp);
        // the server may reach both directories; only the sandbox stands between it and the second one
        catalog = ToolCatalog.open(new ToolSettings(Map.of("fs", new McpServerSpec("fs",
                ReferenceServer.filesystemCommand(notes, outsideTmp), Map.of(), null, null, Map.of(), true, false,
                ORIGIN)), Map.of(), List.of(), new SandboxSpec(List.of(notes.toString()), false)), dir.resolve("logs"),
                SecretSource.environment(Map.of()));
        List<Tool> tools = catalog.select(List.of("fs.write_file", "fs.read_text_file"));

        ToolOutput written = catalog.call(tools.get(0), "{\"path\":\"" + notes.resolve("a.txt") + "\",\"content\":\"hi\"}");
        assertThat(written.isError()).as(written.text()).isFalse();
        assertThat(notes.resolve("a.txt")).hasContent("hi");
        assertThat(catalog.call(tools.get(1), "{\"path\":\"" + notes.resolve("a.txt") + "\"}").text()).isEqualTo("hi");
        ToolOutput refused = catalog.call(tools.get(0), "{\"path\":\"" + outsideTmp.resolve("b.txt")
                + "\",\"content\":\"no\"}");
        assertThat(refused.isError()).isTrue();
        assertThat(outsideTmp.resolve("b.txt")).doesNotExist();
    }

    @Test
    void withoutBubblewrapASandboxedToolRefusesToRun() {
        Path marker = dir.resolve("ran");
        Map<String, CommandToolSpec> tools = Map.of("t", tool("t", true, "touch", marker.toString()));
        Map<String, McpServerSpec> servers = Map.of("s", new McpServerSpec("s", List.of("touch", marker.toString()),
                Map.of(), null, null, Map.of(), true, false, ORIGIN));
        catalog = ToolCatalog.open(new ToolSettings(servers, tools, List.of(), SandboxSpec.DEFAULT), dir.resolve("logs"),
                SecretSource.environment(Map.of()), Sandbox.of(SandboxSpec.DEFAULT, dir, "/nonexistent/bwrap"));

        Tool t = catalog.select(List.of("t")).get(0);
        assertThatThrownBy(() -> catalog.call(t, "{}")).isInstanceOf(FailureException.class)
                .hasMessage("bubblewrap (bwrap) is not installed, and this tool is configured to run only sandboxed");
        assertThatThrownBy(() -> catalog.select(List.of("s.*"))).isInstanceOf(FailureException.class)
                .hasMessageStartingWith("bubblewrap (bwrap) is not installed");
        assertThat(marker).doesNotExist();
    }
}
