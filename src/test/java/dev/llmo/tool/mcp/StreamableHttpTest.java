package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over Streamable HTTP against the real reference server (see {@link ReferenceServer}). */
class StreamableHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSessionNegotiatesListsCallsReportsProgressAndEndsWithADelete() throws Exception {
        try (ReferenceServer.Http server = ReferenceServer.everythingOverHttp(dir.resolve("http.log"))) {
            McpHttpEndpoint endpoint = new McpHttpEndpoint("everything", server.url(),
                    Map.of("X-Test", "not shown"));
            try (McpClient client = McpClient.connect(endpoint, TIMEOUT)) {
                assertThat(client.protocolVersion()).isEqualTo(McpClient.PROTOCOL_VERSION);
                assertThat(client.serverName()).isNotEmpty();
                assertThat(client.process()).isEmpty();
                assertThat(client.listTools()).extracting(McpTool::name)
                        .contains("echo", "get-sum", "get-tiny-image", "trigger-long-running-operation");

                McpToolResult echo = client.callTool("echo", JSON.readTree("{\"message\":\"hé over http\"}"));
                assertThat(((McpContent.Text) echo.content().get(0)).text()).contains("hé over http");
                McpToolResult image = client.callTool("get-tiny-image", null);
                assertThat(image.content()).anySatisfy(c -> assertThat(c).isInstanceOf(McpContent.Media.class));
                McpToolResult structured = client.callTool("get-structured-content",
                        JSON.readTree("{\"location\":\"Chicago\"}"));
                assertThat(structured.structuredContent().has("temperature")).isTrue();
                assertThat(client.callTool("get-sum", JSON.readTree("{\"a\":\"two\",\"b\":1}")).isError()).isTrue();

                List<McpProgress> progress = new CopyOnWriteArrayList<>();
                McpToolResult slow = client.callTool("trigger-long-running-operation",
                        JSON.readTree("{\"duration\":1,\"steps\":2}"), progress::add);
                assertThat(((McpContent.Text) slow.content().get(0)).text()).contains("completed");
                assertThat(progress).extracting(McpProgress::progress).containsExactly(1.0, 2.0);
                assertThat(progress).extracting(McpProgress::total).containsOnly(2.0);
            }
            assertThat(Files.readString(server.log())).contains("Session initialized with ID")
                    .contains("Received session termination request");
        }
    }
}
