package dev.llmo.tool;

import dev.llmo.config.CommandToolSpec;
import dev.llmo.failure.FailureException;
import dev.llmo.io.ChildLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs command tools: the program without a shell, the arguments' JSON on its stdin (then closed), its stdout the
 * result (at most {@link #MAX_OUTPUT_BYTES}), its stderr appended to its log. It gets only PATH, HOME, LANG and the
 * variables its entry names, so llmo's provider keys and {@code LLMO_VAULT_PASSWORD} never reach it. A timeout or an
 * interrupt kills it and every process it started.
 */
final class CommandRun {
    /** The only variables of llmo's own environment a command tool (or a server) gets. */
    static final List<String> INHERITED_VARIABLES = List.of("PATH", "HOME", "LANG");
    /** The most of a tool's stdout the model is given. */
    static final int MAX_OUTPUT_BYTES = 1024 * 1024;
    private static final int STDERR_TAIL_BYTES = 2048;
    private static final int STDERR_TAIL_LINES = 5;

    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Runs {@code spec} once. Failures of the tool (exit code, timeout, too much output, cancel) come back as an
     * error result; what stops it from starting at all (no such program, no sandbox, a missing secret) is thrown.
     */
    ToolOutput run(CommandToolSpec spec, List<String> commandLine, Map<String, String> env, Path cwd, Path log,
                   String argumentsJson) {
        if (closed) {
            return new ToolOutput("llmo is shutting down: command tool " + spec.name() + " was not run", true);
        }
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        Map<String, String> childEnv = builder.environment();
        childEnv.clear();
        for (String name : INHERITED_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                childEnv.put(name, value);
            }
        }
        childEnv.putAll(env);
        builder.directory(cwd.toFile());
        long logStart;
        Process process;
        try {
            ChildLog.prepare(log);
            logStart = Files.size(log);
            process = builder.start();
        } catch (IOException e) {
            throw new FailureException("cannot run command tool " + spec.name() + ": " + oneLine(e.getMessage()),
                    "check its command in config.yaml (" + spec.origin().where() + "): " + spec.command().get(0)
                            + " must be a program on PATH or a path to one");
        }
        running.add(process);
        Thread stderr = ChildLog.drain(process, log, "tool-stderr-" + spec.name());
        try {
            Thread writer = new Thread(() -> feed(process.getOutputStream(), argumentsJson), "tool-stdin-" + spec.name());
            writer.setDaemon(true);
            writer.start();
            Capped stdout = new Capped(process.getInputStream());
            Thread reader = new Thread(stdout, "tool-stdout-" + spec.name());
            reader.setDaemon(true);
            reader.start();
            if (!process.waitFor(spec.timeoutSeconds(), TimeUnit.SECONDS)) {
                killTree(process);
                return new ToolOutput("command tool " + spec.name() + " did not finish within " + spec.timeoutSeconds()
                        + " s and was stopped", true);
            }
            reader.join(TimeUnit.SECONDS.toMillis(5)); // a child it left behind may hold stdout open
            String text = stdout.text();
            if (process.exitValue() != 0) {
                stderr.join(TimeUnit.SECONDS.toMillis(5)); // its last lines, in the file before they are read
                String tail = stderrTail(log, logStart);
                return new ToolOutput((text.isEmpty() ? "" : text + (text.endsWith("\n") ? "" : "\n"))
                        + "command tool " + spec.name() + " failed with exit code " + process.exitValue()
                        + (tail.isEmpty() ? "" : "; its last lines of stderr:\n" + tail), true);
            }
            return new ToolOutput(text, false);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            return new ToolOutput("cancelled", true);
        } finally {
            killTree(process); // whatever it started in the background ends with the call
            running.remove(process);
        }
    }

    private static void feed(OutputStream stdin, String argumentsJson) {
        try (stdin) {
            stdin.write(argumentsJson.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // it exited, or closed stdin without reading: its exit code and output say what happened
        }
    }

    /** Kills the process and every process it started, children first seen before the parent goes. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills every command still running. */
    void close() {
        closed = true;
        for (Process process : List.copyOf(running)) {
            killTree(process);
        }
    }

    /** The last lines the tool wrote to its log in this call. */
    private static String stderrTail(Path log, long from) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(from, file.length() - STDERR_TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\p{Cntrl}+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Reads a stream to its end, keeping the first {@link #MAX_OUTPUT_BYTES} so the tool never blocks on a full pipe. */
    private static final class Capped implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long total;

        Capped(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    synchronized (this) {
                        int keep = (int) Math.max(0, Math.min(n, MAX_OUTPUT_BYTES - total));
                        kept.write(buffer, 0, keep);
                        total += n;
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read so far is the output
            }
        }

        synchronized String text() {
            String text = kept.toString(StandardCharsets.UTF_8);
            if (total > MAX_OUTPUT_BYTES) {
                text += "\n[output truncated: " + total + " bytes, the first " + MAX_OUTPUT_BYTES + " shown]";
            }
            return text;
        }
    }
}
