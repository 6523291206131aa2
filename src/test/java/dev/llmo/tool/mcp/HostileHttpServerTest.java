package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streamable HTTP servers that misbehave or merely use the parts of the transport the reference server does not:
 * an MCP server double on MockWebServer speaking the 2025-11-25 wire format (JSON and SSE answers, sessions, the
 * GET stream), with one tool per hostile behaviour.
 */
class HostileHttpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "Bearer sk-secret-mcp-token";

    private MockWebServer server;
    private final List<JsonNode> posted = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger sessions = new AtomicInteger();
    /** What tools/call answers, by tool name; anything else answers an echo as JSON. */
    private final Map<String, Function<JsonNode, MockResponse>> tools = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile MockResponse getStream = new MockResponse().setResponseCode(405);
    private volatile MockResponse initializeOverride;

    @BeforeEach
    void startServer() throws IOException {
        server = MockServers.create();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                return answer(request);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.shutdown();
    }

    private MockResponse answer(RecordedRequest request) {
        String session = request.getHeader("Mcp-Session-Id");
        if (request.getMethod().equals("GET")) {
            return getStream;
        }
        if (request.getMethod().equals("DELETE")) {
            return new MockResponse().setResponseCode(200);
        }
        JsonNode message;
        try {
            message = JSON.readTree(request.getBody().readUtf8());
        } catch (IOException e) {
            return new MockResponse().setResponseCode(400);
        }
        posted.add(message);
        String method = message.path("method").asText();
        if (!message.has("id")) {
            return new MockResponse().setResponseCode(202);
        }
        if (method.equals("initialize")) {
            if (initializeOverride != null) {
                return initializeOverride;
            }
            return json(result(message, "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":"
                    + "{\"listChanged\":true}},\"serverInfo\":{\"name\":\"double\",\"version\":\"1\"}}"))
                    .setHeader("Mcp-Session-Id", "session-" + sessions.incrementAndGet());
        }
        if (session == null || !session.equals("session-" + sessions.get())) {
            return new MockResponse().setResponseCode(404);
        }
        if (method.equals("tools/list")) {
            return json(result(message, "{\"tools\":[{\"name\":\"t\",\"inputSchema\":{\"type\":\"object\"}}]}"));
        }
        Function<JsonNode, MockResponse> tool = tools.get(message.path("params").path("name").asText());
        return tool != null ? tool.apply(message) : json(result(message, "{\"content\":[{\"type\":\"text\","
                + "\"text\":\"ok\"}]}"));
    }

    private static String result(JsonNode request, String result) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":" + result + "}";
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    private static MockResponse sse(String... events) {
        StringBuilder body = new StringBuilder();
        for (String event : events) {
            body.append(event).append("\n\n");
        }
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body.toString());
    }

    private McpHttpEndpoint endpoint() {
        return new McpHttpEndpoint("double", server.url("/mcp").uri(), Map.of("Authorization", TOKEN));
    }

    private List<JsonNode> postedMethod(String method) {
        return posted.stream().filter(m -> m.path("method").asText().equals(method)).toList();
    }

    @Test
    void jsonAndEventStreamAnswersCarryProgressPingsAndTheSessionHeaders() throws Exception {
        tools.put("streamed", call -> sse("id: e0\ndata:",
                "id: e1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":"
                        + call.path("params").path("_meta").get("progressToken") + ",\"progress\":1,\"total\":2,"
                        + "\"message\":\"half\\nway\"}}",
                "data: {\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"method\":\"ping\"}",
                ": a comment",
                "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}",
                "data: " + result(call, "{\"content\":[{\"type\":\"text\",\"text\":\"streamed\"}]}")));
        List<McpProgress> progress = new CopyOnWriteArrayList<>();
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(20))) {
            assertThat(client.serverName()).isEqualTo("double");
            assertThat(client.listTools()).extracting(McpTool::name).containsExactly("t");
            assertThat(client.toolsChanged()).isFalse();
            McpToolResult result = client.callTool("streamed", JSON.createObjectNode(), progress::add);
            assertThat(((McpContent.Text) result.content().get(0)).text()).isEqualTo("streamed");
            assertThat(client.toolsChanged()).isTrue();
        }
        assertThat(progress).containsExactly(new McpProgress(1, 2.0, "half way"));
        assertThat(posted).anySatisfy(m -> {
            assertThat(m.path("id").asText()).isEqualTo("srv-1");
            assertThat(m.has("result")).isTrue();
        });
        RecordedRequest first = requests.get(0);
        assertThat(first.getHeader("Mcp-Session-Id")).isNull();
        assertThat(first.getHeader("Accept")).isEqualTo("application/json, text/event-stream");
        assertThat(requests).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo(TOKEN));
        assertThat(requests.subList(1, requests.size())).allSatisfy(r -> {
            assertThat(r.getHeader("Mcp-Session-Id")).isEqualTo("session-1");
            assertThat(r.getHeader("MCP-Protocol-Version")).isEqualTo("2025-11-25");
        });
        assertThat(requests).anySatisfy(r -> assertThat(r.getMethod()).isEqualTo("DELETE"));
    }

    @Test
    void aNotificationOnTheGetStreamMarksTheToolsChanged() throws Exception {
        getStream = sse("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}")
                .setSocketPolicy(SocketPolicy.KEEP_OPEN);
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(20))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!client.toolsChanged() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(client.toolsChanged()).isTrue();
            client.listTools();
            assertThat(client.toolsChanged()).isFalse();
        }
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getMethod()).isEqualTo("GET");
            assertThat(r.getHeader("Accept")).isEqualTo("text/event-stream");
            assertThat(r.getHeader("Mcp-Session-Id")).isEqualTo("session-1");
        });
    }

    @Test
    void anExpiredSessionIsRenewedOnceAndTheCallRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        tools.put("forget", call -> {
            if (calls.incrementAndGet() == 1) {
                sessions.incrementAndGet(); // the server restarted: session-1 is unknown from now on
                return new MockResponse().setResponseCode(404);
            }
            return json(result(call, "{\"content\":[{\"type\":\"text\",\"text\":\"again\"}]}"));
        });
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(20))) {
            McpToolResult result = client.callTool("forget", JSON.createObjectNode());
            assertThat(((McpContent.Text) result.content().get(0)).text()).isEqualTo("again");
        }
        assertThat(postedMethod("initialize")).hasSize(2);
        assertThat(postedMethod("notifications/initialized")).hasSize(2);
        List<String> callSessions = new ArrayList<>();
        for (RecordedRequest request : requests) {
            if (request.getMethod().equals("POST") && request.getBodySize() > 0) {
                callSessions.add(String.valueOf(request.getHeader("Mcp-Session-Id")));
            }
        }
        assertThat(callSessions).containsSubsequence("session-1", "null", "session-3");
    }

    @Test
    void aSessionForgottenAgainRightAfterItBeganIsAnErrorNotALoop() {
        tools.put("always404", call -> new MockResponse().setResponseCode(404));
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> client.callTool("always404", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class).hasMessageContaining("forgot its session");
        }
        assertThat(postedMethod("initialize")).hasSize(2);
    }

    @Test
    void unauthorizedIsACredentialsErrorThatNeverShowsTheToken() {
        initializeOverride = new MockResponse().setResponseCode(401)
                .setHeader("WWW-Authenticate", "Bearer realm=\"mcp\"");
        assertThatThrownBy(() -> McpClient.connect(endpoint(), Duration.ofSeconds(20)))
                .isInstanceOf(CredentialsException.class)
                .satisfies(e -> assertThat(((CredentialsException) e).exitCode()).isEqualTo(ExitCode.CREDENTIALS))
                .hasMessage("MCP server double refused llmo's credentials (HTTP 401)")
                .satisfies(e -> assertThat(e.toString() + ((CredentialsException) e).fix())
                        .doesNotContain("sk-secret"));
    }

    @Test
    void aRedirectIsRefusedAndTheHeadersNeverReachTheOtherAddress() throws IOException {
        try (MockWebServer elsewhere = MockServers.create()) {
            elsewhere.start();
            initializeOverride = new MockResponse().setResponseCode(307)
                    .setHeader("Location", elsewhere.url("/mcp").toString());
            assertThatThrownBy(() -> McpClient.connect(endpoint(), Duration.ofSeconds(20)))
                    .isInstanceOf(McpException.class)
                    .hasMessageContaining("answered with a redirect (HTTP 307), which llmo does not follow");
            assertThat(elsewhere.getRequestCount()).isZero();
        }
    }

    @Test
    void bodiesAndEventsOverTheLimitAreRefusedWithoutReadingThemWhole() {
        String big = "x".repeat(5000);
        tools.put("big-json", call -> json(result(call, "{\"content\":[{\"type\":\"text\",\"text\":\"" + big
                + "\"}]}")));
        tools.put("big-event", call -> sse("data: " + result(call, "{\"content\":[{\"type\":\"text\",\"text\":\""
                + big + "\"}]}")));
        tools.put("endless", call -> sse("data: {\"jsonrpc\":\"2.0\",\n" + ("data: " + "y".repeat(100) + "\n")
                .repeat(100)));
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(20), 1024)) {
            for (String tool : List.of("big-json", "big-event", "endless")) {
                assertThatThrownBy(() -> client.callTool(tool, JSON.createObjectNode())).as(tool)
                        .isInstanceOf(McpException.class).hasMessageContaining("sent a message over 1024 bytes");
            }
            assertThat(((McpContent.Text) client.callTool("small", null).content().get(0)).text()).isEqualTo("ok");
        }
    }

    @Test
    void aSlowServerTimesOutAndIsToldToCancel() {
        tools.put("slow", call -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> client.callTool("slow", JSON.createObjectNode()))
                    .isInstanceOf(McpException.class).hasMessage("MCP server double did not answer tools/call within 3 s");
            JsonNode call = postedMethod("tools/call").get(0);
            assertThat(postedMethod("notifications/cancelled")).singleElement().satisfies(cancel -> {
                assertThat(cancel.path("params").path("requestId")).isEqualTo(call.get("id"));
                assertThat(cancel.path("params").path("reason").asText()).isEqualTo("timed out");
            });
            assertThat(((McpContent.Text) client.callTool("fast", null).content().get(0)).text()).isEqualTo("ok");
        }
    }

    @Test
    void anInterruptedCallIsCancelled() throws Exception {
        tools.put("slow", call -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        try (McpClient client = McpClient.connect(endpoint(), Duration.ofSeconds(30))) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    client.callTool("slow", JSON.createObjectNode());
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            caller.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (postedMethod("tools/call").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            caller.interrupt();
            caller.join(10_000);
            assertThat(thrown.get()).isInstanceOf(InterruptedRunException.class);
            assertThat(postedMethod("notifications/cancelled")).singleElement()
                    .satisfies(c -> assertThat(c.path("params").path("reason").asText()).isEqualTo("interrupted"));
        }
    }

    @Test
    void anEndpointThatWouldLeakItsHeadersIsAConfigErrorThatNeverShowsThem() {
        Map<String, String> secret = Map.of("Authorization", TOKEN);
        assertThatThrownBy(() -> new McpHttpEndpoint("remote", URI.create("http://mcp.example.com/mcp?key=k1"), secret))
                .isInstanceOf(ConfigException.class)
                .hasMessage("MCP server remote has url http://mcp.example.com/mcp: plain http to another machine "
                        + "would expose its headers and every tool call on the network");
        assertThatThrownBy(() -> new McpHttpEndpoint("ftp", URI.create("ftp://localhost/mcp"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not an http or https address");
        assertThatThrownBy(() -> new McpHttpEndpoint("bad", URI.create("https://example.com/mcp"),
                Map.of("Authorization", "Bearer sk-secret\r\nX-Evil: 1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("header 'Authorization'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-secret"));
        assertThatThrownBy(() -> new McpHttpEndpoint("own", URI.create("https://example.com/mcp"),
                Map.of("Mcp-Session-Id", "x"))).isInstanceOf(ConfigException.class);
        for (String local : List.of("http://localhost:1/mcp", "http://127.0.0.1:1/mcp", "http://[::1]:1/mcp")) {
            assertThat(new McpHttpEndpoint("local", URI.create(local), secret).toString())
                    .contains("Authorization").doesNotContain("sk-secret");
        }
        assertThat(new McpHttpEndpoint("tls", URI.create("https://mcp.example.com/mcp"), secret).url()).isNotNull();
        assertThat(new McpHttpEndpoint("at", URI.create("https://mcp.example.com/@scope/mcp"), secret).toString())
                .contains("url=https://mcp.example.com/@scope/mcp");
    }

    /** A password with an unescaped '/' or '#' hides the user-info from java.net.URI; no message shows any of it. */
    @Test
    void aUrlWhosePasswordHidesItsUserInfoIsRefusedWithoutShowingIt() {
        for (String url : List.of("https://user:pa/ss@mcp.example.com/mcp", "https://dG9r/ZW4@mcp.example.com/mcp",
                "http://tok/en@mcp.example.com/mcp", "https://user:pa%23ss@mcp.example.com/mcp?k=1")) {
            assertThatThrownBy(() -> new McpHttpEndpoint("remote", URI.create(url), Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("MCP server remote has a user name or password in its url");
        }
        assertThatThrownBy(() -> new McpHttpEndpoint("remote", URI.create("ftp://host/mcp?k=1"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("MCP server remote has url ftp://host/mcp, which is not an http or https address");
    }
}
