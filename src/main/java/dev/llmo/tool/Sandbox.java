package dev.llmo.tool;

import dev.llmo.config.SandboxSpec;
import dev.llmo.failure.FailureException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a stdio MCP server or a command tool under bubblewrap ({@code bwrap}) when its entry says {@code sandbox: true}:
 * the whole filesystem read-only except the {@code sandbox.writable} paths (default: a scratch directory of its own),
 * a private {@code /tmp}, no network unless {@code sandbox.network}, its own PID namespace and session, and killed
 * with llmo. When bubblewrap is missing or cannot create namespaces here, the server or tool refuses to run: it never
 * runs unsandboxed.
 *
 * <p>{@code --die-with-parent} ties the sandbox to the thread that started it (Linux's parent-death signal follows
 * the thread), so a sandboxed server must be started from a thread that lives as long as the server.
 */
public final class Sandbox {
    /** Whether a bwrap program works here, by its path: probed once per process. */
    private static final Map<String, String> PROBES = new ConcurrentHashMap<>();
    private static final String WORKS = "";

    private final SandboxSpec spec;
    private final Path scratchRoot;
    private final String bwrap;

    private Sandbox(SandboxSpec spec, Path scratchRoot, String bwrap) {
        this.spec = spec;
        this.scratchRoot = scratchRoot;
        this.bwrap = bwrap;
    }

    /**
     * @param spec        the top-level {@code sandbox:} setting
     * @param scratchRoot where each sandboxed server or tool gets its scratch directory ({@code scratchRoot/NAME})
     *                    when {@code spec} names no writable path
     */
    public static Sandbox of(SandboxSpec spec, Path scratchRoot) {
        return new Sandbox(spec, scratchRoot, "bwrap");
    }

    /** As {@link #of(SandboxSpec, Path)} with another bubblewrap program (a path, or a name looked up on PATH). */
    public static Sandbox of(SandboxSpec spec, Path scratchRoot, String bwrap) {
        return new Sandbox(spec, scratchRoot, bwrap);
    }

    /**
     * The command line that runs {@code command} in the sandbox, in {@code cwd}.
     *
     * @param name what is sandboxed, for messages and the scratch directory's name
     * @throws FailureException when bubblewrap is missing or does not work here
     */
    public List<String> wrap(String name, List<String> command, Path cwd) {
        String program = program();
        Path dir = cwd.toAbsolutePath().normalize();
        List<Path> writable = writable(name, dir);
        List<String> args = new ArrayList<>(List.of(program, "--die-with-parent", "--new-session", "--unshare-pid"));
        if (!spec.network()) {
            args.add("--unshare-net");
        }
        args.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"));
        // the private /tmp hides what lies under the real one: the working directory and the program stay visible
        for (Path needed : List.of(dir, Path.of(command.get(0)))) {
            if (needed.isAbsolute() && needed.startsWith("/tmp") && writable.stream().noneMatch(needed::startsWith)
                    && Files.exists(needed)) {
                args.addAll(List.of("--ro-bind", needed.toString(), needed.toString()));
            }
        }
        for (Path path : writable) {
            args.addAll(List.of("--bind", path.toString(), path.toString()));
        }
        args.addAll(List.of("--chdir", dir.toString(), "--"));
        args.addAll(command);
        return args;
    }

    /** The writable paths, relative ones against {@code cwd}, made to exist; by default a scratch directory. */
    private List<Path> writable(String name, Path cwd) {
        List<Path> paths = new ArrayList<>();
        if (spec.writable().isEmpty()) {
            paths.add(scratchRoot.toAbsolutePath().normalize().resolve(name));
        } else {
            for (String path : spec.writable()) {
                paths.add(cwd.resolve(expandHome(path)).normalize());
            }
        }
        for (Path path : paths) {
            try {
                Files.createDirectories(path);
            } catch (IOException e) {
                throw new FailureException("cannot create the sandbox's writable directory " + path + " for " + name
                        + ": " + e.getMessage(), "check sandbox.writable in config.yaml");
            }
        }
        return paths;
    }

    private static String expandHome(String path) {
        String home = System.getProperty("user.home");
        return path.equals("~") ? home : path.startsWith("~/") ? home + path.substring(1) : path;
    }

    /** The bubblewrap program, once it has been seen to work here. */
    private String program() {
        String found = locate(bwrap);
        if (found == null) {
            throw new FailureException("bubblewrap (bwrap) is not installed, and this tool is configured to run only "
                    + "sandboxed", "install it (Debian/Ubuntu: apt install bubblewrap), or set sandbox: false on "
                    + "the server or tool to run it without a sandbox");
        }
        String problem = PROBES.computeIfAbsent(found, Sandbox::probe); // null (not kept): interrupted
        if (problem == null) {
            problem = "interrupted while trying it";
        }
        if (!problem.equals(WORKS)) {
            throw new FailureException("bubblewrap (" + found + ") does not work here: " + problem,
                    "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or the "
                            + "AppArmor rule for bwrap), or set sandbox: false on the server or tool");
        }
        return found;
    }

    private static String locate(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) ? program : null;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs {@code true} in the sandbox this class builds: "" when it works, else bwrap's first line of complaint. */
    private static String probe(String bwrap) {
        try {
            Process process = new ProcessBuilder(bwrap, "--die-with-parent", "--new-session", "--unshare-pid",
                    "--unshare-net", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--", "true").redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "it did not finish a trial run within 10 s";
            }
            if (process.exitValue() == 0) {
                return WORKS;
            }
            String line = output.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit code " + process.exitValue());
            return line.replaceAll("\\p{Cntrl}", " ").strip();
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
