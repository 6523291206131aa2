package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real reference server from npm (see {@link ReferenceServer}). */
class McpClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** What security.md says of an MCP server's messages: every control character is a space, nothing ends a line. */
    @Test
    void aServersMessageKeepsToOneLineWithEveryControlCharacterASpace() {
        String message = "\u001b[2Jcleared\r\nforged\u0085line\u2028and\u2029more\u009b31m red\u007f\u0000end\t";
        assertThat(McpClient.oneLine(message)).isEqualTo("[2Jcleared forged line and more 31m red end");
        assertThat(McpClient.oneLine("x".repeat(400))).isEqualTo("x".repeat(300) + "...");
    }

    @Test
    void handshakeNegotiatesTheNewestHandshakeRevisionAndListsTheTools() {
        try (McpClient client = McpClient.start(ReferenceServer.everything(dir.resolve("s.log"), Map.of()), TIMEOUT)) {
            assertThat(client.protocolVersion()).isEqualTo(McpClient.PROTOCOL_VERSION);
            assertThat(client.serverName()).isNotEmpty();
            List<McpTool> tools = client.listTools();
            assertThat(tools).extracting(McpTool::name).contains("echo", "get-sum", "get-env", "get-tiny-image");
            McpTool sum = tools.stream().filter(t -> t.name().equals("get-sum")).findFirst().orElseThrow();
            assertThat(sum.description()).isNotEmpty();
            assertThat(sum.inputSchema().path("properties").has("a")).isTrue();
            assertThat(sum.schemaSha256()).matches("[0-9a-f]{64}")
                    .isEqualTo(sha256(McpTool.canonical(sum.inputSchema())));
        }
    }

    @Test
    void callsReturnTextImageAndStructuredContent() throws IOException {
        try (McpClient client = McpClient.start(ReferenceServer.everything(dir.resolve("s.log"), Map.of()), TIMEOUT)) {
            McpToolResult echo = client.callTool("echo", JSON.readTree("{\"message\":\"hé \\n there\"}"));
            assertThat(echo.isError()).isFalse();
            assertThat(echo.content()).hasSize(1);
            assertThat(((McpContent.Text) echo.content().get(0)).text()).contains("hé \n there");

            McpToolResult sum = client.callTool("get-sum", JSON.readTree("{\"a\":2,\"b\":40}"));
            assertThat(((McpContent.Text) sum.content().get(0)).text()).contains("42");

            McpToolResult image = client.callTool("get-tiny-image", null);
            assertThat(image.content()).filteredOn(c -> c instanceof McpContent.Media).singleElement()
                    .satisfies(c -> {
                        McpContent.Media media = (McpContent.Media) c;
                        assertThat(media.type()).isEqualTo("image");
                        assertThat(media.mimeType()).isEqualTo("image/png");
                        assertThat(java.util.Base64.getDecoder().decode(media.base64Data()))
                                .startsWith(0x89, 'P', 'N', 'G');
                    });

            McpToolResult structured = client.callTool("get-structured-content",
                    JSON.readTree("{\"location\":\"Chicago\"}"));
            assertThat(structured.structuredContent()).isNotNull();
            assertThat(structured.structuredContent().has("temperature")).isTrue();
        }
    }

    @Test
    void badArgumentsComeBackAsAnErrorResultNotAnException() throws IOException {
        try (McpClient client = McpClient.start(ReferenceServer.everything(dir.resolve("s.log"), Map.of()), TIMEOUT)) {
            McpToolResult result = client.callTool("get-sum", JSON.readTree("{\"a\":\"two\",\"b\":40}"));
            assertThat(result.isError()).isTrue();
            assertThat(result.content()).isNotEmpty();
            assertThat(client.callTool("echo", JSON.readTree("{\"message\":\"still up\"}")).isError()).isFalse();
        }
    }

    @Test
    void theServerGetsOnlyPathHomeLangAndWhatTheCallerPasses() throws IOException {
        Map<String, String> passed = Map.of("LLMO_MCP_TEST_PASSED", "yes");
        JsonNode env;
        try (McpClient client = McpClient.start(ReferenceServer.everything(dir.resolve("s.log"), passed), TIMEOUT)) {
            McpToolResult result = client.callTool("get-env", null);
            env = JSON.readTree(((McpContent.Text) result.content().get(0)).text());
        }
        Set<String> names = new HashSet<>();
        env.fieldNames().forEachRemaining(names::add);
        assertThat(env.path("LLMO_MCP_TEST_PASSED").asText()).isEqualTo("yes");
        assertThat(names).isSubsetOf(Set.of("PATH", "HOME", "LANG", "LLMO_MCP_TEST_PASSED"));
        Set<String> ours = System.getenv().keySet().stream()
                .filter(name -> !StdioTransport.INHERITED_VARIABLES.contains(name)).collect(Collectors.toSet());
        assertThat(ours).as("variables of the test JVM other than PATH, HOME, LANG").isNotEmpty();
        assertThat(names).doesNotContainAnyElementsOf(ours);
    }

    @Test
    void closeEndsTheServerAndEveryProcessItStarted() throws IOException {
        Path log = dir.resolve("logs/s.log");
        McpClient client = McpClient.start(ReferenceServer.everything(log, Map.of()), TIMEOUT);
        ProcessHandle server = client.process().orElseThrow();
        List<ProcessHandle> children = server.descendants().toList();
        assertThat(server.isAlive()).isTrue();
        client.close();
        assertThat(server.isAlive()).isFalse();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(log).exists();
        assertThatThrownBy(() -> client.listTools()).isInstanceOf(McpException.class).hasMessageContaining("closed");
        client.close();
    }

    @Test
    void aCommandThatDoesNotExistIsAOneLineErrorWithAFix() {
        StdioServer missing = new StdioServer("nosuch", List.of(dir.resolve("no-such-server").toString()), Map.of(),
                null, dir.resolve("s.log"));
        assertThatThrownBy(() -> McpClient.start(missing, TIMEOUT)).isInstanceOf(McpException.class)
                .hasMessageStartingWith("cannot start MCP server nosuch")
                .satisfies(e -> assertThat(((McpException) e).fix()).contains("must be a program on PATH"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
