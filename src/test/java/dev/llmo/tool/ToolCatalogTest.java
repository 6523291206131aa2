package dev.llmo.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.Python3;
import dev.llmo.config.CommandToolSpec;
import dev.llmo.config.McpServerSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.SandboxSpec;
import dev.llmo.config.ToolSettings;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.UsageException;
import dev.llmo.tool.mcp.ReferenceServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog against the real reference server (see {@link ReferenceServer}) and real command tools. */
class ToolCatalogTest {
    private static final Origin ORIGIN = new Origin("user", "config.yaml", 1, 1);
    /** A stdio MCP server of one tool, "crash", that dies mid-call. */
    private static final String CRASHING_SERVER = """
            import json, os, sys
            def send(m):
                sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
            for line in sys.stdin:
                m = json.loads(line)
                method, i = m.get("method"), m.get("id")
                if method == "initialize":
                    send({"jsonrpc": "2.0", "id": i, "result": {"protocolVersion": "2025-11-25",
                          "capabilities": {"tools": {}}, "serverInfo": {"name": "py", "version": "1"}}})
                elif method == "tools/list":
                    send({"jsonrpc": "2.0", "id": i, "result": {"tools": [{"name": "crash",
                          "inputSchema": {"type": "object"}}]}})
                elif method == "tools/call":
                    sys.stderr.write("about to crash\\n"); sys.stderr.flush()
                    os._exit(3)
            """;

    @TempDir
    Path dir;
    private final List<ToolCatalog> opened = new ArrayList<>();

    @AfterEach
    void closeCatalogs() {
        opened.forEach(ToolCatalog::close);
    }

    private ToolCatalog catalog(Map<String, McpServerSpec> servers, Map<String, CommandToolSpec> tools,
                                SecretSource secrets) {
        ToolCatalog catalog = ToolCatalog.open(new ToolSettings(servers, tools, List.of(), SandboxSpec.DEFAULT),
                dir.resolve("logs"), secrets);
        opened.add(catalog);
        return catalog;
    }

    private ToolCatalog catalog(Map<String, McpServerSpec> servers, Map<String, CommandToolSpec> tools) {
        return catalog(servers, tools, SecretSource.environment(Map.of()));
    }

    private static McpServerSpec server(String name, List<String> command, boolean enabled) {
        return new McpServerSpec(name, command, Map.of(), null, null, Map.of(), false, enabled, ORIGIN);
    }

    private static CommandToolSpec tool(String name, List<String> command, Map<String, String> env, long timeout) {
        return new CommandToolSpec(name, "runs " + name, "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}",
                command, env, null, timeout, false, false, ORIGIN);
    }

    private static Map<String, CommandToolSpec> tools(CommandToolSpec... specs) {
        Map<String, CommandToolSpec> map = new LinkedHashMap<>();
        for (CommandToolSpec spec : specs) {
            map.put(spec.name(), spec);
        }
        return map;
    }

    private static Tool named(List<Tool> tools, String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void selectStartsOnlyTheServersThePatternsNeed() {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                tools(tool("cat", List.of("cat"), Map.of(), 10)));

        assertThat(catalog.select(List.of("cat"))).extracting(Tool::name).containsExactly("cat");
        assertThat(dir.resolve("logs/every.log")).as("the server was not started").doesNotExist();

        List<Tool> tools = catalog.select(List.of("every.get-*", "every.echo", "cat"));
        assertThat(tools).extracting(Tool::name).contains("every.get-sum", "every.get-env", "every.echo", "cat")
                .doesNotHaveDuplicates().allMatch(n -> n.equals("cat") || n.startsWith("every."));
        Tool sum = named(tools, "every.get-sum");
        assertThat(sum.source()).isEqualTo("mcp:every");
        assertThat(sum.schemaSha256()).matches("[0-9a-f]{64}");
        assertThat(sum.schemaJson()).contains("\"properties\"");
        assertThat(catalog.select(List.of("*"))).hasSizeGreaterThan(tools.size());
        assertThat(catalog.failures()).isEmpty();
    }

    @Test
    void aRemoteServerIsReachedOverStreamableHttpWithItsHeadersFromTheEnvironment() throws Exception {
        try (ReferenceServer.Http http = ReferenceServer.everythingOverHttp(dir.resolve("http.log"))) {
            McpServerSpec remote = new McpServerSpec("web", List.of(), Map.of(), null, http.url().toString(),
                    Map.of("Authorization", "Bearer ${env:WEB_TOKEN}"), false, false, ORIGIN);
            ToolCatalog catalog = catalog(Map.of("web", remote), Map.of(),
                    SecretSource.environment(Map.of("WEB_TOKEN", "t0ken")));

            List<Tool> tools = catalog.select(List.of("web.*"));

            assertThat(tools).extracting(Tool::source).containsOnly("mcp:web");
            assertThat(catalog.call(named(tools, "web.echo"), "{\"message\":\"over http\"}").text())
                    .contains("over http");
        }
    }

    @Test
    void aLongRunningToolsProgressReachesTheCallerLineByLine() {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                Map.of());
        Tool slow = named(catalog.select(List.of("every.trigger-long-running-operation")),
                "every.trigger-long-running-operation");
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        ToolOutput output = catalog.call(slow, "{\"duration\":1,\"steps\":2}", lines::add);

        assertThat(output.isError()).as(output.text()).isFalse();
        assertThat(lines).isNotEmpty().allMatch(line -> line.matches("[12]/2.*"));
    }

    @Test
    void anUnknownPatternIsAUsageErrorNamingWhatExists() {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                tools(tool("cat", List.of("cat"), Map.of(), 10)));

        assertThatThrownBy(() -> catalog.select(List.of("every.ecoh"))).isInstanceOf(UsageException.class)
                .hasMessage("no tool matches -T every.ecoh (did you mean 'every.echo'?)")
                .satisfies(e -> assertThat(((LlmoException) e).exitCode()).isEqualTo(ExitCode.USAGE))
                .satisfies(e -> assertThat(((LlmoException) e).fix()).contains("cat", "llmo tools list"));
        assertThatThrownBy(() -> catalog.select(List.of("ca"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("did you mean 'cat'?");
    }

    @Test
    void enabledOffersOnlyWhatTheConfigEnables() {
        CommandToolSpec on = new CommandToolSpec("on", "d", "{\"type\":\"object\"}", List.of("cat"), Map.of(), null, 5,
                false, true, ORIGIN);
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                tools(on, tool("off", List.of("cat"), Map.of(), 5)));

        assertThat(catalog.enabled()).extracting(Tool::name).containsExactly("on");
        assertThat(dir.resolve("logs/every.log")).doesNotExist();
    }

    @Test
    void mcpResultsBecomeTextForTheModel() {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                Map.of());
        List<Tool> tools = catalog.select(List.of("every.*"));

        assertThat(catalog.call(named(tools, "every.echo"), "{\"message\":\"hi there\"}"))
                .satisfies(o -> assertThat(o.text()).contains("hi there")).extracting(ToolOutput::isError).isEqualTo(false);
        assertThat(catalog.call(named(tools, "every.get-sum"), "{\"a\":2,\"b\":40}").text()).contains("42");
        assertThat(catalog.call(named(tools, "every.get-tiny-image"), "{}").text())
                .containsPattern("\\[image image/png, \\d+ bytes]");
        assertThat(catalog.call(named(tools, "every.get-resource-links"), "{\"count\":2}").text())
                .containsPattern("(?m)^demo://resource/");
        ToolOutput bad = catalog.call(named(tools, "every.get-sum"), "{\"a\":\"two\",\"b\":40}");
        assertThat(bad.isError()).isTrue();
    }

    @Test
    void argumentsThatAreNotAJsonObjectAreAnErrorResultAndNothingRuns() throws IOException {
        Path marker = dir.resolve("ran");
        ToolCatalog catalog = catalog(Map.of(), tools(tool("touch", List.of("touch", marker.toString()), Map.of(), 5)));
        Tool touch = catalog.select(List.of("touch")).get(0);

        for (String arguments : List.of("[1]", "\"text\"", "{broken", "")) {
            ToolOutput output = catalog.call(touch, arguments);
            assertThat(output.isError()).isTrue();
            assertThat(output.text()).startsWith("the arguments of touch must be a JSON object");
        }
        assertThat(marker).doesNotExist();
        assertThat(catalog.call(touch, "{}").isError()).isFalse();
        assertThat(marker).exists();
    }

    @Test
    void aCommandToolReadsItsArgumentsOnStdinAndGetsOnlyTheVariablesItNames() {
        SecretSource secrets = new SecretSource() {
            @Override
            public String secret(String name) {
                return "vault-" + name;
            }

            @Override
            public String variable(String name) {
                return name.equals("GREETING") ? "hello" : null;
            }
        };
        ToolCatalog catalog = catalog(Map.of(), tools(tool("cat", List.of("cat"), Map.of(), 10),
                tool("env", List.of("env"), Map.of("MINE", "${env:GREETING} ${vault:TOKEN}!", "PLAIN", "x"), 10)),
                secrets);
        List<Tool> tools = catalog.select(List.of("*"));

        assertThat(catalog.call(named(tools, "cat"), "{\"text\": \"a b\"}")).isEqualTo(new ToolOutput("{\"text\":\"a b\"}", false));
        ToolOutput env = catalog.call(named(tools, "env"), "{}");
        Map<String, String> seen = new LinkedHashMap<>();
        env.text().lines().forEach(l -> seen.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        // whatever this JVM's environment holds (provider keys, LLMO_VAULT_PASSWORD in CI), only these pass
        assertThat(seen.keySet()).isSubsetOf("PATH", "HOME", "LANG", "MINE", "PLAIN").contains("PATH", "MINE", "PLAIN");
        assertThat(seen).containsEntry("MINE", "hello vault-TOKEN!").containsEntry("PLAIN", "x");
    }

    @Test
    void aMissingVariableOrVaultEntryStopsTheToolBeforeItRunsWithoutShowingValues() {
        ToolCatalog catalog = catalog(Map.of(), tools(tool("env", List.of("env"), Map.of("K", "${env:NOPE}"), 10),
                tool("env2", List.of("env"), Map.of("K", "${vault:NOPE}"), 10)));
        List<Tool> tools = catalog.select(List.of("*"));

        assertThatThrownBy(() -> catalog.call(named(tools, "env"), "{}")).isInstanceOf(CredentialsException.class)
                .hasMessage("command tool env needs the environment variable NOPE (for K), which is not set");
        assertThatThrownBy(() -> catalog.call(named(tools, "env2"), "{}")).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("no vault");
    }

    @Test
    void aFailingCommandIsAnErrorResultWithTheEndOfItsStderrWhichAlsoGoesToItsLog() throws IOException {
        ToolCatalog catalog = catalog(Map.of(), tools(tool("fails", List.of("sh", "-c",
                "echo partial; for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 3"), Map.of(), 10)));

        ToolOutput output = catalog.call(catalog.select(List.of("fails")).get(0), "{}");

        assertThat(output.isError()).isTrue();
        assertThat(output.text()).isEqualTo("partial\ncommand tool fails failed with exit code 3; its last lines of "
                + "stderr:\nline3\nline4\nline5\nline6\nline7");
        assertThat(Files.readString(dir.resolve("logs/fails.log"))).startsWith("line1\n");
    }

    @Test
    void aSlowCommandIsKilledAtItsTimeoutAndBigOutputIsCut() {
        ToolCatalog catalog = catalog(Map.of(), tools(tool("slow", List.of("sleep", "30"), Map.of(), 1),
                tool("big", List.of("head", "-c", "3000000", "/dev/zero"), Map.of(), 10)));
        List<Tool> tools = catalog.select(List.of("*"));

        ToolOutput slow = catalog.call(named(tools, "slow"), "{}");
        assertThat(slow).isEqualTo(new ToolOutput("command tool slow did not finish within 1 s and was stopped", true));

        ToolOutput big = catalog.call(named(tools, "big"), "{}");
        assertThat(big.isError()).isFalse();
        assertThat(big.text()).endsWith("\n[output truncated: 3000000 bytes, the first 1048576 shown]")
                .hasSize(1048576 + "\n[output truncated: 3000000 bytes, the first 1048576 shown]".length());
    }

    @Test
    void anInterruptCancelsACommandAndKeepsTheFlag() throws Exception {
        Path pidFile = dir.resolve("pid");
        ToolCatalog catalog = catalog(Map.of(), tools(tool("slow", List.of("sh", "-c", "echo $$ > " + pidFile
                + "; exec sleep 60"), Map.of(), 120)));
        Tool slow = catalog.select(List.of("slow")).get(0);
        AtomicReference<ToolOutput> output = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            output.set(catalog.call(slow, "{}"));
            flag.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        waitFor(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(caller.isAlive()).isFalse();
        assertThat(output.get()).isEqualTo(new ToolOutput("cancelled", true));
        assertThat(flag).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void anInterruptCancelsAnMcpCallAndKeepsTheFlag() throws Exception {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                Map.of());
        Tool slow = catalog.select(List.of("every.trigger-long-running-operation")).get(0);
        AtomicReference<ToolOutput> output = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            started.complete(null);
            output.set(catalog.call(slow, "{\"duration\":60,\"steps\":60}"));
            flag.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        started.get();
        Thread.sleep(500);
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(caller.isAlive()).isFalse();
        assertThat(output.get()).isEqualTo(new ToolOutput("cancelled", true));
        assertThat(flag).isTrue();
        Tool echo = catalog.select(List.of("every.echo")).get(0);
        assertThat(catalog.call(echo, "{\"message\":\"still here\"}").text()).contains("still here");
    }

    @Test
    void aServerThatCrashesMidCallIsAnErrorResultAndStartsAgainOnTheNextCall() throws IOException {
        Path script = Files.writeString(dir.resolve("crash.py"), CRASHING_SERVER);
        ToolCatalog catalog = catalog(
                Map.of("py", server("py", List.of(Python3.executable(), script.toString()), false)), Map.of());
        Tool crash = catalog.select(List.of("py.crash")).get(0);

        ToolOutput first = catalog.call(crash, "{}");
        assertThat(first.isError()).isTrue();
        assertThat(first.text()).contains("MCP server py stopped");
        ToolOutput second = catalog.call(crash, "{}");
        assertThat(second.isError()).isTrue();
        assertThat(second.text()).contains("MCP server py stopped");
        assertThat(Files.readString(dir.resolve("logs/py.log"))).contains("about to crash");
    }

    @Test
    void aServerThatCannotStartIsKeptAsAFailureAndTheOthersAreListed() {
        ToolCatalog catalog = catalog(Map.of("nope", server("nope", List.of("/nonexistent/mcp-server"), false)),
                tools(tool("cat", List.of("cat"), Map.of(), 10)));

        assertThat(catalog.all()).extracting(Tool::name).containsExactly("cat");
        assertThat(catalog.failures()).containsOnlyKeys("nope");
        assertThat(catalog.failures().get("nope")).hasMessageContaining("cannot start MCP server nope");
        assertThatThrownBy(() -> catalog.select(List.of("nope.*"))).hasMessageContaining("cannot start MCP server nope");
    }

    @Test
    void closeStopsEveryServerItStarted() {
        ToolCatalog catalog = catalog(Map.of("every", server("every", ReferenceServer.everythingCommand(), false)),
                Map.of());
        catalog.select(List.of("every.echo"));
        List<ProcessHandle> servers = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("server-everything")).toList();
        assertThat(servers).isNotEmpty();

        catalog.close();

        assertThat(servers).noneMatch(ProcessHandle::isAlive);
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void waitFor(Check check) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.ok()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
