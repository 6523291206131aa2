package dev.llmo.tool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.CommandToolSpec;
import dev.llmo.config.McpServerSpec;
import dev.llmo.config.NameSuggestions;
import dev.llmo.config.ToolSettings;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.UsageException;
import dev.llmo.json.JsonTrees;
import dev.llmo.tool.mcp.McpClient;
import dev.llmo.tool.mcp.McpHttpEndpoint;
import dev.llmo.tool.mcp.McpContent;
import dev.llmo.tool.mcp.McpException;
import dev.llmo.tool.mcp.McpTool;
import dev.llmo.tool.mcp.McpToolResult;
import dev.llmo.tool.mcp.StdioServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every tool the configuration offers (design.md "Tools"): the command tools of {@code tools:} and the tools of the
 * MCP servers of {@code mcp_servers:}, named {@code SERVER.TOOL}. Servers start lazily, only when a selection needs
 * them, and {@link #close} stops every server and command it started. Thread-safe.
 *
 * <p>Each server or command tool's stderr is appended to {@code serverLogDir/NAME.log}; a sandboxed one's default
 * writable directory is {@code serverLogDir/../scratch/NAME}.
 */
public final class ToolCatalog implements AutoCloseable {
    /** {@link Tool#source()} of a command tool; an MCP server's tools say {@code mcp:SERVER}. */
    public static final String COMMAND_SOURCE = "command";

    private final ToolSettings settings;
    private final Path serverLogDir;
    private final SecretSource secrets;
    private final Sandbox sandbox;
    private final CommandRun commands = new CommandRun();
    private final Map<String, Tool> commandTools = new LinkedHashMap<>();
    private final Map<String, Started> servers = new LinkedHashMap<>();
    private final Map<String, LlmoException> failures = new LinkedHashMap<>();
    private boolean closed;

    private ToolCatalog(ToolSettings settings, Path serverLogDir, SecretSource secrets, Sandbox sandbox) {
        this.settings = settings;
        this.serverLogDir = serverLogDir;
        this.secrets = secrets;
        this.sandbox = sandbox;
        for (CommandToolSpec spec : settings.commandTools().values()) {
            JsonNode schema;
            try {
                schema = JsonTrees.MAPPER_DEFAULTS.read(spec.schemaJson());
            } catch (IOException e) {
                throw new IllegalStateException("the binder writes the schema as JSON", e);
            }
            commandTools.put(spec.name(), new Tool(spec.name(), spec.description(), spec.schemaJson(),
                    McpTool.hashOf(schema), COMMAND_SOURCE));
        }
    }

    /** The catalog of {@code settings}; starts nothing. */
    public static ToolCatalog open(ToolSettings settings, Path serverLogDir, SecretSource secrets) {
        return open(settings, serverLogDir, secrets,
                Sandbox.of(settings.sandbox(), serverLogDir.toAbsolutePath().normalize().resolveSibling("scratch")));
    }

    /** As {@link #open(ToolSettings, Path, SecretSource)} with a sandbox of the caller's (another bwrap, say). */
    public static ToolCatalog open(ToolSettings settings, Path serverLogDir, SecretSource secrets, Sandbox sandbox) {
        return new ToolCatalog(settings, serverLogDir, secrets, sandbox);
    }

    /**
     * The tools that {@code -T} patterns name, in pattern order without repeats: a command tool's name, a server's
     * tool ({@code fs.read_file}), a glob ({@code fs.*}, {@code *}; {@code *} matches any run of characters, dots
     * too, {@code ?} one). Starts the servers the patterns reach.
     *
     * @throws UsageException when a pattern matches no tool (naming those that exist)
     * @throws LlmoException  when a server the patterns need cannot start (the server's own error)
     */
    public List<Tool> select(List<String> patterns) {
        Set<Tool> selected = new LinkedHashSet<>();
        for (String pattern : patterns) {
            Pattern glob = ToolPolicy.glob(pattern);
            List<Tool> matched = new ArrayList<>();
            commandTools.values().stream().filter(t -> glob.matcher(t.name()).matches()).forEach(matched::add);
            for (String server : serversFor(pattern)) {
                started(server).tools.stream().filter(t -> glob.matcher(t.name()).matches()).forEach(matched::add);
            }
            if (matched.isEmpty()) {
                throw unknown(pattern);
            }
            selected.addAll(matched);
        }
        return List.copyOf(selected);
    }

    /** The tools offered without {@code -T}: those of servers and command tools with {@code enabled: true}. */
    public List<Tool> enabled() {
        List<Tool> tools = new ArrayList<>();
        for (CommandToolSpec spec : settings.commandTools().values()) {
            if (spec.enabled()) {
                tools.add(commandTools.get(spec.name()));
            }
        }
        for (McpServerSpec spec : settings.mcpServers().values()) {
            if (spec.enabled()) {
                tools.addAll(started(spec.name()).tools);
            }
        }
        return List.copyOf(tools);
    }

    /**
     * Every tool, starting every server; a server that cannot start is left out and its error kept in
     * {@link #failures()}, so that a listing shows the others.
     */
    public List<Tool> all() {
        List<Tool> tools = new ArrayList<>(commandTools.values());
        for (String server : settings.mcpServers().keySet()) {
            try {
                tools.addAll(started(server).tools);
            } catch (InterruptedRunException e) {
                throw e;
            } catch (LlmoException e) {
                // kept in failures
            }
        }
        return List.copyOf(tools);
    }

    /** The servers that failed to start so far, by name, with why (one line each, no secret). */
    public synchronized Map<String, LlmoException> failures() {
        return Map.copyOf(failures);
    }

    /**
     * Runs one call and waits for it. What the tool says back, and any failure while it runs (a non-zero exit, a
     * timeout, a server that crashed mid-call, arguments that are not a JSON object) is the result, with
     * {@link ToolOutput#isError()} set, for the model to read. An interrupt of the calling thread cancels the call
     * (MCP cancellation, or the command killed) and returns the error result "cancelled" with the interrupt flag set.
     *
     * @throws LlmoException when the tool cannot run at all: its server does not start, its sandbox is unavailable, a
     *                       secret it needs is missing
     */
    public ToolOutput call(Tool tool, String argumentsJson) {
        return call(tool, argumentsJson, progress -> { });
    }

    /**
     * {@link #call(Tool, String)}, with the server's progress notifications of the call passed to {@code progress}
     * as one line each ({@code 3/5 fetching}); a command tool reports none.
     */
    public ToolOutput call(Tool tool, String argumentsJson, java.util.function.Consumer<String> progress) {
        JsonNode arguments;
        try {
            arguments = JsonTrees.MAPPER_DEFAULTS.read(argumentsJson == null ? "" : argumentsJson);
        } catch (IOException e) {
            arguments = null;
        }
        if (arguments == null || !arguments.isObject()) {
            return new ToolOutput("the arguments of " + tool.name() + " must be a JSON object, got: "
                    + CommandRun.oneLine(argumentsJson), true);
        }
        if (COMMAND_SOURCE.equals(tool.source()) && settings.commandTools().containsKey(tool.name())) {
            return runCommand(settings.commandTools().get(tool.name()),
                    JsonTrees.write(JsonTrees.PLAIN_FACTORY, arguments));
        }
        int dot = tool.name().indexOf('.');
        if (dot < 0 || !settings.mcpServers().containsKey(tool.name().substring(0, dot))) {
            return new ToolOutput("no tool " + tool.name() + " is configured", true);
        }
        String server = tool.name().substring(0, dot);
        Started started = started(server);
        try {
            return text(started.client.callTool(tool.name().substring(dot + 1), arguments,
                    update -> progress.accept(progressLine(update))));
        } catch (InterruptedRunException e) {
            Thread.currentThread().interrupt();
            return new ToolOutput("cancelled", true);
        } catch (McpException e) {
            forget(server, started); // crashed, stuck or confused: the next call starts it afresh
            return new ToolOutput(e.getMessage(), true);
        }
    }

    private ToolOutput runCommand(CommandToolSpec spec, String arguments) {
        Path cwd = spec.cwd() == null ? Path.of("").toAbsolutePath() : Path.of(spec.cwd()).toAbsolutePath();
        Map<String, String> env = References.resolve(spec.env(), secrets, "command tool " + spec.name());
        List<String> command = spec.sandbox() ? sandbox.wrap(spec.name(), spec.command(), cwd) : spec.command();
        return commands.run(spec, command, env, cwd, log(spec.name()), arguments);
    }

    private Path log(String name) {
        return serverLogDir.resolve(name + ".log");
    }

    /** The servers a pattern can reach: those whose name begins with the pattern's text before any wildcard. */
    private List<String> serversFor(String pattern) {
        int wildcard = indexOfWildcard(pattern);
        String literal = wildcard < 0 ? pattern : pattern.substring(0, wildcard);
        int dot = literal.indexOf('.');
        List<String> names = new ArrayList<>();
        for (String server : settings.mcpServers().keySet()) {
            if (dot >= 0 ? server.equals(literal.substring(0, dot)) : wildcard >= 0 && server.startsWith(literal)) {
                names.add(server);
            }
        }
        return names;
    }

    private static int indexOfWildcard(String pattern) {
        int star = pattern.indexOf('*');
        int question = pattern.indexOf('?');
        return star < 0 ? question : question < 0 ? star : Math.min(star, question);
    }

    private UsageException unknown(String pattern) {
        List<String> names = new ArrayList<>(commandTools.keySet());
        synchronized (this) {
            servers.values().forEach(s -> s.tools.forEach(t -> names.add(t.name())));
        }
        settings.mcpServers().keySet().forEach(server -> names.add(server + ".*"));
        String hint = NameSuggestions.didYouMean(pattern, names);
        String known = names.isEmpty() ? "no tools are configured (mcp_servers: and tools: in config.yaml)"
                : "the tools are " + String.join(", ", names.size() > 12 ? names.subList(0, 12) : names)
                + (names.size() > 12 ? ", ..." : "") + "; 'llmo tools list' shows them all";
        return new UsageException("no tool matches -T " + pattern + (hint.isEmpty() ? "" : " (" + hint + ")"), known);
    }

    /** The server, started if it was not; a server that failed to start fails again with the same error. */
    private synchronized Started started(String name) {
        Started started = servers.get(name);
        if (started != null) {
            return started;
        }
        LlmoException failed = failures.get(name);
        if (failed != null) {
            throw failed;
        }
        if (closed) {
            throw new FailureException("the tool catalog is closed: MCP server " + name + " was not started", null);
        }
        McpServerSpec spec = settings.mcpServers().get(name);
        try {
            started = start(spec);
        } catch (InterruptedRunException e) {
            throw e;
        } catch (LlmoException e) {
            failures.put(name, e);
            throw e;
        }
        servers.put(name, started);
        return started;
    }

    private Started start(McpServerSpec spec) {
        McpClient client;
        if (spec.remote()) {
            // header values (a bearer token from the vault) are resolved only now, and never shown
            Map<String, String> headers = References.resolve(spec.headers(), secrets, "MCP server " + spec.name());
            client = McpClient.connect(new McpHttpEndpoint(spec.name(), URI.create(spec.url()), headers),
                    Duration.ofSeconds(spec.timeoutSeconds()));
        } else {
            Path cwd = spec.cwd() == null ? Path.of("").toAbsolutePath() : Path.of(spec.cwd()).toAbsolutePath();
            Map<String, String> env = References.resolve(spec.env(), secrets, "MCP server " + spec.name());
            List<String> command = spec.sandbox() ? sandbox.wrap(spec.name(), spec.command(), cwd) : spec.command();
            client = McpClient.start(new StdioServer(spec.name(), command, env, cwd, log(spec.name())),
                    Duration.ofSeconds(spec.timeoutSeconds()));
        }
        try {
            List<Tool> tools = new ArrayList<>();
            for (McpTool tool : client.listTools()) {
                tools.add(new Tool(spec.name() + "." + tool.name(), tool.description(), tool.inputSchema().toString(),
                        tool.schemaSha256(), "mcp:" + spec.name()));
            }
            return new Started(client, List.copyOf(tools));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private synchronized void forget(String name, Started started) {
        if (servers.get(name) == started) {
            servers.remove(name);
        }
        started.client.close();
    }

    /**
     * A result as the model reads it: text blocks joined by newlines, other blocks as short notes (an image's type and
     * size, a resource link's URI), the structured content as JSON when there is no text.
     */
    static ToolOutput text(McpToolResult result) {
        List<String> parts = new ArrayList<>();
        boolean anyText = false;
        for (McpContent block : result.content()) {
            if (block instanceof McpContent.Text text) {
                parts.add(text.text());
                anyText = true;
            } else if (block instanceof McpContent.Media media) {
                parts.add("[" + media.type() + " " + media.mimeType() + ", " + decodedSize(media.base64Data())
                        + " bytes]");
            } else if (block instanceof McpContent.ResourceLink link) {
                parts.add(link.uri());
            } else if (block instanceof McpContent.EmbeddedResource resource) {
                if (resource.text() != null) {
                    parts.add(resource.text());
                    anyText = true;
                } else {
                    parts.add("[resource " + resource.uri() + (resource.mimeType() == null ? "" : " "
                            + resource.mimeType()) + ", " + decodedSize(resource.base64Blob()) + " bytes]");
                }
            } else if (block instanceof McpContent.Other other) {
                parts.add(other.block().toString());
            }
        }
        if (!anyText && result.structuredContent() != null) {
            parts.add(0, result.structuredContent().toString());
        }
        return new ToolOutput(String.join("\n", parts), result.isError());
    }

    private static long decodedSize(String base64) {
        if (base64 == null) {
            return 0;
        }
        try {
            return Base64.getDecoder().decode(base64.strip()).length;
        } catch (IllegalArgumentException e) {
            return base64.length() * 3L / 4;
        }
    }

    /** Whether {@link #close} was called: its tools no longer run. */
    public synchronized boolean closed() {
        return closed;
    }

    /** Stops every server this catalog started and every command tool still running; safe to call twice. */
    @Override
    public void close() {
        List<Started> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(servers.values());
            servers.clear();
        }
        commands.close();
        for (Started started : toClose) {
            started.client.close();
        }
    }

    /** {@code 3/5 fetching}, {@code 40%}, {@code 3}: a progress notification as a person reads it. */
    static String progressLine(dev.llmo.tool.mcp.McpProgress update) {
        String done = update.progress() == Math.rint(update.progress()) ? Long.toString((long) update.progress())
                : Double.toString(update.progress());
        String amount = update.total() == null ? done : update.total() == 100.0 ? done + "%" : done + "/"
                + (update.total() == Math.rint(update.total()) ? Long.toString(update.total().longValue())
                : update.total().toString());
        return update.message() == null || update.message().isBlank() ? amount : amount + " " + update.message();
    }

    private record Started(McpClient client, List<Tool> tools) {
    }
}
