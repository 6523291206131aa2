package dev.llmo.tool.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.InterruptedRunException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of one local MCP server over stdio (MCP 2025-11-25, "Transports" and "Lifecycle"): one compact JSON-RPC
 * message per line on the server's stdin and stdout. Started by {@link #start}, which runs the handshake; closed by
 * {@link #close}, which ends the server and every process it started. Thread-safe: calls may overlap, answers are
 * matched to requests by id on a reader thread. See docs/architecture/adr-011-mcp-client.md.
 */
public final class McpClient implements AutoCloseable {
    /** The revision llmo asks for: the newest one with the initialize handshake the reference servers speak. */
    public static final String PROTOCOL_VERSION = "2025-11-25";
    /** Revisions whose tools and results llmo reads the same way; a server may answer with any of them. */
    static final Set<String> SUPPORTED_VERSIONS = Set.of("2025-11-25", "2025-06-18", "2025-03-26");
    /** The longest message llmo reads: a tool result with a large image still fits, a runaway server does not. */
    public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    /** The only variables of llmo's own environment a server gets, so provider keys and vault secrets never do. */
    static final List<String> INHERITED_VARIABLES = List.of("PATH", "HOME", "LANG");
    private static final int MAX_PAGES = 1000;
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StdioServer server;
    private final Process process;
    private final OutputStream stdin;
    private final Duration timeout;
    private final int maxLineBytes;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile McpException broken;
    private volatile boolean toolsChanged;
    private volatile boolean closed;
    private String protocolVersion;
    private String serverName;

    private McpClient(StdioServer server, Process process, Duration timeout, int maxLineBytes) {
        this.server = server;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.timeout = timeout;
        this.maxLineBytes = maxLineBytes;
        this.reader = new Thread(this::readMessages, "mcp-" + server.name());
        reader.setDaemon(true);
    }

    /** Starts the server and runs the handshake; {@code requestTimeout} bounds every request, the handshake too. */
    public static McpClient start(StdioServer server, Duration requestTimeout) {
        return start(server, requestTimeout, MAX_LINE_BYTES);
    }

    static McpClient start(StdioServer server, Duration requestTimeout, int maxLineBytes) {
        ProcessBuilder builder = new ProcessBuilder(server.command());
        Map<String, String> env = builder.environment();
        env.clear();
        for (String name : INHERITED_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putAll(server.env());
        if (server.cwd() != null) {
            builder.directory(server.cwd().toFile());
        }
        Process process;
        try {
            Path parent = server.stderrLog().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            builder.redirectError(Redirect.appendTo(server.stderrLog().toFile()));
            process = builder.start();
        } catch (IOException e) {
            throw new McpException("cannot start MCP server " + server.name() + ": " + oneLine(e.getMessage()),
                    "Check its command: " + server.command().get(0) + " must be a program on PATH or a path to one.",
                    e);
        }
        McpClient client = new McpClient(server, process, requestTimeout, maxLineBytes);
        client.reader.start();
        try {
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
        JsonNode result = request("initialize", params);
        String offered = result.path("protocolVersion").asText("");
        if (!SUPPORTED_VERSIONS.contains(offered)) {
            throw new McpException("MCP server " + server.name() + " speaks protocol version '" + oneLine(offered)
                    + "', which llmo does not support",
                    "Use a release of the server that supports MCP " + PROTOCOL_VERSION + " or 2025-06-18.");
        }
        protocolVersion = offered;
        serverName = result.path("serverInfo").path("name").asText("");
        ObjectNode initialized = JSON.createObjectNode();
        initialized.put("jsonrpc", "2.0");
        initialized.put("method", "notifications/initialized");
        send(initialized);
    }

    /** The revision the server agreed to. */
    public String protocolVersion() {
        return protocolVersion;
    }

    /** The name the server gave itself in the handshake (may be empty). */
    public String serverName() {
        return serverName;
    }

    /** The server process, to watch or to find its children. */
    public ProcessHandle process() {
        return process.toHandle();
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
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode params = JSON.createObjectNode();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result = request("tools/list", params);
            for (JsonNode tool : result.path("tools")) {
                tools.add(toTool(tool));
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
        return new McpTool(name, tool.path("description").asText(""), schema, sha256(canonical(schema)));
    }

    /** Calls a tool; a failure the tool reports comes back as a result with {@code isError}, not an exception. */
    public McpToolResult callTool(String name, JsonNode arguments) {
        ObjectNode params = JSON.createObjectNode();
        params.put("name", name);
        params.set("arguments", arguments == null ? JSON.createObjectNode() : arguments);
        JsonNode result = request("tools/call", params);
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

    private JsonNode request(String method, ObjectNode params) {
        McpException failure = broken;
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
        message.set("params", params);
        try {
            send(message);
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel(id, "timed out");
            throw new McpException("MCP server " + server.name() + " did not answer " + method + " within "
                    + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms"), "Check its log " + server.stderrLog() + ", or raise its timeout.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(id, "interrupted");
            throw new InterruptedRunException("interrupted: MCP " + method + " on " + server.name(), null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof McpException mcp) {
                throw new McpException(mcp.getMessage(), mcp.fix(), mcp);
            }
            throw new McpException("MCP " + method + " on " + server.name() + " failed: "
                    + oneLine(String.valueOf(e.getCause())), null, e.getCause());
        } finally {
            pending.remove(id);
        }
    }

    /** Tells the server to stop working on a request llmo no longer waits for (MCP "Cancellation"). */
    private void cancel(long id, String reason) {
        ObjectNode message = JSON.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("method", "notifications/cancelled");
        message.putObject("params").put("requestId", id).put("reason", reason);
        try {
            send(message);
        } catch (McpException e) {
            // The server is gone, so there is nothing left to cancel.
        }
    }

    private void send(JsonNode message) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (stdin) {
            try {
                stdin.write(bytes);
                stdin.write('\n');
                stdin.flush();
            } catch (IOException e) {
                McpException failure = broken;
                throw failure != null ? failure : new McpException("cannot write to MCP server " + server.name()
                        + ": it has stopped", "Check its log " + server.stderrLog() + ".", e);
            }
        }
    }

    private void readMessages() {
        InputStream in = new BufferedInputStream(process.getInputStream(), 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                line.reset();
                if (!readLine(in, line)) {
                    fail(new McpException("MCP server " + server.name() + " stopped" + exitStatus(),
                            "Check its log " + server.stderrLog() + "."));
                    return;
                }
                if (line.size() > 0) {
                    dispatch(line.toByteArray());
                }
            }
        } catch (LineTooLong e) {
            fail(protocolError("sent a message over " + maxLineBytes / (1024 * 1024) + " MiB"));
            process.destroyForcibly();
        } catch (IOException e) {
            fail(new McpException("cannot read from MCP server " + server.name() + ": " + oneLine(e.getMessage()),
                    "Check its log " + server.stderrLog() + ".", e));
        } catch (McpException e) {
            fail(e);
        }
    }

    /** Reads up to a newline into {@code line}; false at the end of the stream. */
    private boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return true;
            }
            if (line.size() >= maxLineBytes) {
                throw new LineTooLong();
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.size() > 0;
    }

    private void dispatch(byte[] line) {
        JsonNode message;
        try {
            message = JSON.readTree(line);
        } catch (IOException e) {
            throw protocolError("wrote something that is not a JSON-RPC message on stdout: "
                    + oneLine(new String(line, 0, Math.min(line.length, 80), StandardCharsets.UTF_8)));
        }
        JsonNode method = message.get("method");
        JsonNode id = message.get("id");
        if (method != null) {
            if (id != null) {
                answerServerRequest(id, method.asText());
            } else if ("notifications/tools/list_changed".equals(method.asText())) {
                toolsChanged = true;
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
            answer.completeExceptionally(new McpException("MCP server " + server.name() + " answered with error "
                    + error.path("code").asText() + ": " + oneLine(error.path("message").asText()),
                    "Check its log " + server.stderrLog() + "."));
        } else {
            answer.complete(message.path("result"));
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
            send(reply);
        } catch (McpException e) {
            // The server stopped; the reader sees the end of its output next.
        }
    }

    /** The first failure is the one every later request reports: what broke the connection, not its echoes. */
    private synchronized void fail(McpException failure) {
        if (broken == null) {
            broken = failure;
        }
        for (CompletableFuture<JsonNode> answer : pending.values()) {
            answer.completeExceptionally(broken);
        }
    }

    private String exitStatus() {
        try {
            if (process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private McpException protocolError(String what) {
        return new McpException("MCP server " + server.name() + " " + what,
                "This is a bug in the server; check its log " + server.stderrLog() + ".");
    }

    /**
     * Ends the server as the stdio transport asks: stdin closed, then SIGTERM, then SIGKILL, each after a grace
     * period; then every process it started that is still alive, so a wrapper such as {@code npx} leaves no orphan.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fail(new McpException("MCP server " + server.name() + " was closed", null));
        List<ProcessHandle> children = process.descendants().toList();
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed by the server's end: it is stopping.
        }
        boolean interrupted = false;
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
            process.destroyForcibly();
        }
        for (ProcessHandle child : children) {
            child.destroy();
        }
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                child.destroyForcibly();
            } catch (InterruptedException e) {
                interrupted = true;
                child.destroyForcibly();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The schema with the keys of every object sorted and no whitespace: equal schemas, equal bytes. */
    static byte[] canonical(JsonNode schema) {
        try {
            return JSON.writeValueAsBytes(sorted(schema));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                fields.put(field.getKey(), sorted(field.getValue()));
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A server's text on one line and of bounded length, so it cannot forge extra lines of llmo's output. */
    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\p{Cntrl}+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line too long");
        }
    }
}
