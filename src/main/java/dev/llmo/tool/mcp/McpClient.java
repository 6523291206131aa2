package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A client of one MCP server (MCP 2025-11-25, "Lifecycle", "Tools", "Utilities"), over stdio ({@link #start}, a
 * local server llmo starts and stops) or Streamable HTTP ({@link #connect}). Either runs the handshake before it
 * returns; {@link #close} ends the session (and a local server with every process it started). Thread-safe: calls
 * may overlap, answers are matched to requests by id. The transports only move messages ({@link McpTransport});
 * everything of the protocol is here, once. See docs/architecture/adr-011-mcp-client.md.
 */
public final class McpClient implements AutoCloseable {
    /** The revision llmo asks for: the newest one with the initialize handshake the reference servers speak. */
    public static final String PROTOCOL_VERSION = "2025-11-25";
    /** Revisions whose tools and results llmo reads the same way; a server may answer with any of them. */
    static final Set<String> SUPPORTED_VERSIONS = Set.of("2025-11-25", "2025-06-18", "2025-03-26");
    /**
     * The longest message llmo reads (a stdio line, an HTTP body, one server-sent event): a tool result with a large
     * image still fits, a runaway server does not.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final int MAX_PAGES = 1000;
    /** The most tools one server may list. */
    static final int MAX_TOOLS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final McpTransport transport;
    private final Duration timeout;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, Progress> progressListeners = new ConcurrentHashMap<>();
    private volatile LlmoException broken;
    private volatile boolean toolsChanged;
    private volatile boolean closed;
    /** Counts handshakes, so that requests that all find their HTTP session expired start one new session. */
    private volatile long session;
    private volatile String protocolVersion;
    private volatile String serverName;

    private McpClient(String name, McpTransport transport, Duration timeout) {
        this.name = name;
        this.transport = transport;
        this.timeout = timeout;
    }

    /** Starts the server and runs the handshake; {@code requestTimeout} bounds every request, the handshake too. */
    public static McpClient start(StdioServer server, Duration requestTimeout) {
        return start(server, requestTimeout, MAX_MESSAGE_BYTES);
    }

    static McpClient start(StdioServer server, Duration requestTimeout, int maxMessageBytes) {
        return open(server.name(), StdioTransport.start(server, maxMessageBytes), requestTimeout);
    }

    /**
     * Connects to a server over Streamable HTTP and runs the handshake; {@code requestTimeout} bounds every request.
     * A server that refuses the endpoint's headers (HTTP 401 or 403) is a {@link CredentialsException} (exit 4);
     * an endpoint llmo will not use (not http or https, plain http to another host than this one) a
     * {@link dev.llmo.failure.ConfigException}.
     */
    public static McpClient connect(McpHttpEndpoint endpoint, Duration requestTimeout) {
        return connect(endpoint, requestTimeout, MAX_MESSAGE_BYTES);
    }

    static McpClient connect(McpHttpEndpoint endpoint, Duration requestTimeout, int maxMessageBytes) {
        return open(endpoint.name(), new HttpTransport(endpoint, requestTimeout, maxMessageBytes), requestTimeout);
    }

    private static McpClient open(String name, McpTransport transport, Duration requestTimeout) {
        McpClient client = new McpClient(name, transport, requestTimeout);
        try {
            transport.start(client.new Inbound());
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private void initialize() {
        ObjectNode params = JSON.createObjectNode();
        params.put("protocolVersion", PROTOCOL_VERSION);
        params.putObject("capabilities");
        String version = McpClient.class.getPackage().getImplementationVersion();
        params.putObject("clientInfo").put("name", "llmo").put("version", version == null ? "dev" : version);
        JsonNode result = attempt("initialize", params, null);
        String offered = result.path("protocolVersion").asText("");
        if (!SUPPORTED_VERSIONS.contains(offered)) {
            throw new McpException("MCP server " + name + " speaks protocol version '" + oneLine(offered)
                    + "', which llmo does not support",
                    "use a release of the server that supports MCP " + PROTOCOL_VERSION + " or 2025-06-18");
        }
        protocolVersion = offered;
        serverName = result.path("serverInfo").path("name").asText("");
        transport.negotiated(offered);
        ObjectNode initialized = JSON.createObjectNode();
        initialized.put("jsonrpc", "2.0");
        initialized.put("method", "notifications/initialized");
        transport.send(initialized);
    }

    /** The revision the server agreed to. */
    public String protocolVersion() {
        return protocolVersion;
    }

    /** The name the server gave itself in the handshake (may be empty). */
    public String serverName() {
        return serverName;
    }

    /** The process llmo started for a stdio server (to watch it or find its children); empty over HTTP. */
    public Optional<ProcessHandle> process() {
        return transport instanceof StdioTransport stdio ? Optional.of(stdio.process()) : Optional.empty();
    }

    /** Whether the server said its tools changed ({@code notifications/tools/list_changed}) since the last list. */
    public boolean toolsChanged() {
        return toolsChanged;
    }

    /** Every tool the server offers, all pages of {@code tools/list}. */
    public List<McpTool> listTools() {
        toolsChanged = false;
        List<McpTool> tools = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        Set<String> names = new HashSet<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode params = JSON.createObjectNode();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result = request("tools/list", params, null);
            for (JsonNode tool : result.path("tools")) {
                McpTool read = toTool(tool);
                if (!names.add(read.name())) {
                    // one of the two would be offered under the name and the other never: which, no one chose
                    throw protocolError("listed the tool '" + oneLine(read.name()) + "' twice");
                }
                if (tools.size() == MAX_TOOLS) {
                    // every tool's schema goes into each request: no model takes as many (OpenAI's limit is 128)
                    throw protocolError("listed more than " + MAX_TOOLS + " tools");
                }
                tools.add(read);
            }
            JsonNode next = result.get("nextCursor");
            if (next == null || next.isNull()) {
                return List.copyOf(tools);
            }
            cursor = next.asText();
            if (!cursors.add(cursor)) {
                throw protocolError("repeated the tools/list cursor '" + oneLine(cursor) + "'");
            }
        }
        throw protocolError("sent more than " + MAX_PAGES + " pages of tools");
    }

    private McpTool toTool(JsonNode tool) {
        String name = tool.path("name").asText("");
        JsonNode schema = tool.get("inputSchema");
        if (name.isEmpty() || schema == null || !schema.isObject()) {
            throw protocolError("offered a tool without a name or an input schema: " + oneLine(tool.toString()));
        }
        return new McpTool(name, tool.path("description").asText(""), schema, McpTool.hashOf(schema));
    }

    /** Calls a tool; a failure the tool reports comes back as a result with {@code isError}, not an exception. */
    public McpToolResult callTool(String name, JsonNode arguments) {
        return callTool(name, arguments, null);
    }

    /**
     * Calls a tool and passes each {@code notifications/progress} the server sends about it to {@code progress}
     * (null: none asked for), on a thread of the transport; what the listener throws fails the call.
     */
    public McpToolResult callTool(String name, JsonNode arguments, Consumer<McpProgress> progress) {
        ObjectNode params = JSON.createObjectNode();
        params.put("name", name);
        params.set("arguments", arguments == null ? JSON.createObjectNode() : arguments);
        JsonNode result = request("tools/call", params, progress);
        List<McpContent> content = new ArrayList<>();
        for (JsonNode block : result.path("content")) {
            content.add(toContent(block));
        }
        JsonNode structured = result.get("structuredContent");
        return new McpToolResult(content, structured == null || structured.isNull() ? null : structured,
                result.path("isError").asBoolean(false));
    }

    private static McpContent toContent(JsonNode block) {
        String type = block.path("type").asText("");
        switch (type) {
            case "text":
                return new McpContent.Text(block.path("text").asText(""));
            case "image":
            case "audio":
                return new McpContent.Media(type, block.path("mimeType").asText(""), block.path("data").asText(""));
            case "resource_link":
                return new McpContent.ResourceLink(block.path("uri").asText(""), block.path("name").asText(""),
                        textOrNull(block.get("mimeType")));
            case "resource":
                JsonNode resource = block.path("resource");
                return new McpContent.EmbeddedResource(resource.path("uri").asText(""),
                        textOrNull(resource.get("mimeType")), textOrNull(resource.get("text")),
                        textOrNull(resource.get("blob")));
            default:
                return new McpContent.Other(type, block);
        }
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    /** A request; over HTTP, once more in a new session when the server has forgotten the one it was sent in. */
    private JsonNode request(String method, ObjectNode params, Consumer<McpProgress> progress) {
        long sentIn = session;
        try {
            return attempt(method, params, progress);
        } catch (McpTransport.SessionExpired e) {
            renewSession(sentIn);
            try {
                return attempt(method, params, progress);
            } catch (McpTransport.SessionExpired again) {
                throw new McpException("MCP server " + name + " forgot its session (HTTP 404) right after it began",
                        "this is a bug in the server; " + transport.hint());
            }
        }
    }

    /** Starts a new session unless another request already did since {@code expired} was the current one. */
    private synchronized void renewSession(long expired) {
        if (session == expired) {
            initialize();
            session++;
        }
    }

    private JsonNode attempt(String method, ObjectNode params, Consumer<McpProgress> progress) {
        LlmoException failure = broken;
        if (failure != null) {
            throw failure;
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("id", id);
        message.put("method", method);
        ObjectNode sent = params.deepCopy();
        String token = "llmo-" + id;
        if (progress != null) {
            sent.putObject("_meta").put("progressToken", token);
            progressListeners.put(token, new Progress(id, progress));
        }
        message.set("params", sent);
        try {
            transport.send(message);
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel(method, id, "timed out");
            throw new McpException("MCP server " + name + " did not answer " + method + " within "
                    + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms"),
                    transport.hint() + ", or give it longer with 'timeout: SECONDS' in its "
                            + "mcp_servers entry");
        } catch (InterruptedException e) {
            // cancelled before the flag is set again: OkHttp refuses to send from an interrupted thread
            cancel(method, id, "interrupted");
            Thread.currentThread().interrupt();
            throw new InterruptedRunException("interrupted: MCP " + method + " on " + name, null, e);
        } catch (ExecutionException e) {
            throw rethrown(method, e.getCause());
        } finally {
            pending.remove(id);
            progressListeners.remove(token);
        }
    }

    /** The failure of an answer, thrown again in the caller's thread so its stack trace shows the call. */
    private RuntimeException rethrown(String method, Throwable cause) {
        if (cause instanceof McpTransport.SessionExpired expired) {
            if ("initialize".equals(method)) {
                return new McpException("MCP server " + name + " answered initialize with HTTP 404",
                        "check its url: the server has no MCP endpoint there");
            }
            return expired;
        }
        if (cause instanceof CredentialsException credentials) {
            return new CredentialsException(credentials.getMessage(), credentials.fix(), credentials);
        }
        if (cause instanceof LlmoException llmo && llmo.exitCode() == ExitCode.FAILURE) {
            return new McpException(llmo.getMessage(), llmo.fix(), llmo);
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new McpException("MCP " + method + " on " + name + " failed: " + oneLine(String.valueOf(cause)),
                null, cause);
    }

    /**
     * Tells the server to stop working on a request llmo no longer waits for (MCP "Cancellation"); never the
     * handshake, which the specification forbids cancelling.
     */
    private void cancel(String method, long id, String reason) {
        if ("initialize".equals(method)) {
            return;
        }
        ObjectNode message = JSON.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("method", "notifications/cancelled");
        message.putObject("params").put("requestId", id).put("reason", reason);
        try {
            transport.send(message);
        } catch (LlmoException e) {
            // The server is gone or unreachable, so there is nothing left to cancel.
        }
    }

    private void dispatch(JsonNode message) {
        JsonNode method = message.get("method");
        JsonNode id = message.get("id");
        if (method != null) {
            if (id != null) {
                answerServerRequest(id, method.asText());
            } else if ("notifications/tools/list_changed".equals(method.asText())) {
                toolsChanged = true;
            } else if ("notifications/progress".equals(method.asText())) {
                progress(message.path("params"));
            }
            return;
        }
        if (id == null || !id.canConvertToLong()) {
            return;
        }
        CompletableFuture<JsonNode> answer = pending.get(id.asLong());
        if (answer == null) {
            return;
        }
        JsonNode error = message.get("error");
        if (error != null) {
            answer.completeExceptionally(new McpException("MCP server " + name + " answered with error "
                    + error.path("code").asText() + ": " + oneLine(error.path("message").asText()),
                    transport.hint()));
        } else {
            answer.complete(message.path("result"));
        }
    }

    private void progress(JsonNode params) {
        Progress listener = progressListeners.get(params.path("progressToken").asText(""));
        JsonNode progress = params.get("progress");
        if (listener == null || progress == null || !progress.isNumber()) {
            return;
        }
        JsonNode total = params.get("total");
        JsonNode text = params.get("message");
        try {
            listener.listener().accept(new McpProgress(progress.asDouble(),
                    total != null && total.isNumber() ? total.asDouble() : null,
                    text != null && text.isTextual() ? oneLine(text.asText()) : null));
        } catch (RuntimeException e) {
            CompletableFuture<JsonNode> answer = pending.get(listener.requestId());
            if (answer != null) {
                answer.completeExceptionally(e);
            }
        }
    }

    /** llmo declares no client capabilities, so the only server request it serves is {@code ping}. */
    private void answerServerRequest(JsonNode id, String method) {
        ObjectNode reply = JSON.createObjectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", id);
        if ("ping".equals(method)) {
            reply.putObject("result");
        } else {
            reply.putObject("error").put("code", -32601).put("message", "Method not found: " + method);
        }
        try {
            transport.send(reply);
        } catch (LlmoException e) {
            // The server stopped or is unreachable; the request that waits for it reports that.
        }
    }

    /** The first failure is the one every later request reports: what broke the connection, not its echoes. */
    private synchronized void fail(LlmoException failure) {
        if (broken == null) {
            broken = failure;
        }
        for (CompletableFuture<JsonNode> answer : pending.values()) {
            answer.completeExceptionally(broken);
        }
    }

    /** Ends the session: a stdio server as its transport asks, an HTTP session with a DELETE. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fail(new McpException("MCP server " + name + " was closed", null));
        transport.close();
    }

    private final class Inbound implements McpTransport.Inbound {
        @Override
        public void message(JsonNode message) {
            dispatch(message);
        }

        @Override
        public void failed(long requestId, RuntimeException failure) {
            CompletableFuture<JsonNode> answer = pending.get(requestId);
            if (answer != null) {
                answer.completeExceptionally(failure);
            }
        }

        @Override
        public void broken(LlmoException failure) {
            fail(failure);
        }
    }

    private record Progress(long requestId, Consumer<McpProgress> listener) {
    }

    private McpException protocolError(String what) {
        return new McpException("MCP server " + name + " " + what,
                "this is a bug in the server; " + transport.hint());
    }

    /** A limit as people read it: 16 MiB, or 1024 bytes in tests. */
    static String size(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    /**
     * A server's text on one line and of bounded length, so it cannot forge extra lines of llmo's output: each run of
     * control characters becomes one space. That includes the C1 controls and the Unicode line and paragraph
     * separators, which {@code \p{Cntrl}} leaves out: NEL (U+0085), U+2028 and U+2029 end a line for many readers of
     * a log or a file (Java's {@code \R}, Python's {@code splitlines}).
     */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("[\\p{Cntrl}\\x{80}-\\x{9f}\\x{2028}\\x{2029}]+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
