package dev.llmo.tool.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.io.ChildLog;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * MCP over stdio: one compact JSON-RPC message per line on the server's stdin and stdout, its stderr appended to a
 * log. The server runs under a small {@code /bin/sh} watchdog ({@link #WATCHDOG}) so that it cannot outlive llmo,
 * even when llmo is killed with SIGKILL and cannot clean up (ADR-011, "Orphans").
 */
final class StdioTransport implements McpTransport {
    /** The only variables of llmo's own environment a server gets, so provider keys and vault secrets never do. */
    static final List<String> INHERITED_VARIABLES = List.of("PATH", "HOME", "LANG");
    static final Duration GRACE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Runs {@code "$@"} (the server's command, never parsed by a shell) in the background with llmo's pipe as its
     * stdin, and a watcher beside it that polls, once a second, whether llmo (the shell's parent) is still alive.
     * When llmo is gone the watcher ends the server and every process under it: SIGTERM, then SIGKILL two seconds
     * later. SIGTERM to the shell (llmo's {@code destroy()}) is passed on the same way; Ctrl-C is left to llmo,
     * which closes its servers itself. The shell's exit code is the server's. Only POSIX sh, ps and awk. Each shell
     * waits for what it killed: an orphan would be left to init, which in some containers reaps only every second or
     * two (or never), and {@link #close()} waits for every process it saw until it is reaped.
     */
    static final String WATCHDOG = """
            trap '' INT
            unset PWD
            parent=$PPID
            tree() {
              ps -A -o pid= -o ppid= 2>/dev/null | awk -v root="$1" '{ kids[$2] = kids[$2] " " $1 }
                END { n = 1; q[1] = root; for (i = 1; i <= n; i++) { print q[i]; m = split(kids[q[i]], c, " ");
                  for (j = 1; j <= m; j++) q[++n] = c[j] } }'
            }
            stop() {
              pids=$(tree "$child"); [ -n "$pids" ] || pids=$child
              kill -TERM $pids 2>/dev/null; sleep 2; kill -KILL $pids 2>/dev/null
            }
            exec 3<&0
            "$@" <&3 3<&- &
            child=$!
            (
              PATH=$PATH:/usr/bin:/bin
              trap 'kill "$s" 2>/dev/null; wait "$s" 2>/dev/null; exit 0' TERM
              while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
                sleep 1 & s=$!; wait "$s" || exit 1
              done
              kill -0 "$child" 2>/dev/null && stop
            ) </dev/null >/dev/null 2>&1 &
            watcher=$!
            exec 0</dev/null 3<&- >/dev/null
            trap 'PATH=$PATH:/usr/bin:/bin; stop' TERM
            while :; do
              wait "$child"; status=$?
              kill -0 "$child" 2>/dev/null || break
            done
            kill "$watcher" 2>/dev/null; wait "$watcher"
            exit "$status"
            """;

    private final StdioServer server;
    private final Process process;
    private final OutputStream stdin;
    private final int maxLineBytes;
    private Thread reader;

    private StdioTransport(StdioServer server, Process process, int maxLineBytes) {
        this.server = server;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.maxLineBytes = maxLineBytes;
    }

    /** Starts the server with only {@link #INHERITED_VARIABLES} and the ones it names in its environment. */
    static StdioTransport start(StdioServer server, int maxLineBytes) {
        Map<String, String> env = new HashMap<>();
        for (String name : INHERITED_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putAll(server.env());
        String program = resolve(server, env.get("PATH"));
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "llmo-mcp-" + server.name(),
                program));
        command.addAll(server.command().subList(1, server.command().size()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        if (server.cwd() != null) {
            builder.directory(server.cwd().toFile());
        }
        try {
            ChildLog.prepare(server.stderrLog());
            Process process = builder.start();
            ChildLog.drain(process, server.stderrLog(), "llmo-mcp-stderr-" + server.name());
            return new StdioTransport(server, process, maxLineBytes);
        } catch (IOException e) {
            throw cannotStart(server, McpClient.oneLine(e.getMessage()), e);
        }
    }

    /**
     * The program as the shell would find it (a path as given, else the first executable of that name on the
     * server's PATH), checked here because the shell could only say so on the server's stderr.
     */
    private static String resolve(StdioServer server, String path) {
        String program = server.command().get(0);
        Path cwd = server.cwd();
        if (program.contains("/")) {
            Path file = cwd == null || Path.of(program).isAbsolute() ? Path.of(program) : cwd.resolve(program);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return program;
            }
        } else if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path file = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
                if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                    return file.toAbsolutePath().toString();
                }
            }
        }
        throw cannotStart(server, "no program " + McpClient.oneLine(program) + " found", null);
    }

    private static McpException cannotStart(StdioServer server, String why, Throwable cause) {
        return new McpException("cannot start MCP server " + server.name() + ": " + why,
                "check its command: " + server.command().get(0) + " must be a program on PATH or a path to one",
                cause);
    }

    @Override
    public void start(Inbound inbound) {
        reader = new Thread(() -> readMessages(inbound), "mcp-" + server.name());
        reader.setDaemon(true);
        reader.start();
    }

    ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public void negotiated(String protocolVersion) {
        // stdio carries no headers
    }

    @Override
    public String hint() {
        return "check its log " + server.stderrLog();
    }

    @Override
    public void send(JsonNode message) {
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
                throw new McpException("cannot write to MCP server " + server.name() + ": it has stopped", hint(), e);
            }
        }
    }

    private void readMessages(Inbound inbound) {
        InputStream in = new BufferedInputStream(process.getInputStream(), 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                line.reset();
                if (!readLine(in, line)) {
                    inbound.broken(new McpException("MCP server " + server.name() + " stopped" + exitStatus(),
                            hint()));
                    return;
                }
                if (line.size() > 0) {
                    inbound.message(parse(line.toByteArray()));
                }
            }
        } catch (LineTooLong e) {
            inbound.broken(protocolError("sent a message over " + McpClient.size(maxLineBytes)));
            process.destroyForcibly();
        } catch (IOException e) {
            inbound.broken(new McpException("cannot read from MCP server " + server.name() + ": "
                    + McpClient.oneLine(e.getMessage()), hint(), e));
        } catch (McpException e) {
            inbound.broken(e);
        }
    }

    private JsonNode parse(byte[] line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw protocolError("wrote something that is not a JSON-RPC message on stdout: "
                    + McpClient.oneLine(new String(line, 0, Math.min(line.length, 80), StandardCharsets.UTF_8)));
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
                "this is a bug in the server; " + hint());
    }

    /**
     * Ends the server as the stdio transport asks: stdin closed, then SIGTERM, then SIGKILL, each after a grace
     * period; then every process it started that is still alive, so a wrapper such as {@code npx} leaves no orphan.
     */
    @Override
    public void close() {
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
                if (!process.waitFor(GRACE.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
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

    private static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line too long");
        }
    }
}
