package dev.llmo.cli;

import dev.llmo.vault.Vault;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole command line in process against a controlled environment, for fast black-box tests:
 * {@code CliRun.in(home).env("LLMO_MODEL", "x").stdin("text").run("models", "--json")}.
 */
public final class CliRun {
    /** The iterations of vaults created in process unless a test asks for the real count. */
    public static final int FAST_VAULT = 1_000;
    private final Map<String, String> env = new HashMap<>();
    private final Path home;
    private Path workingDir;
    private int vaultIterations = FAST_VAULT;
    private String stdin = "";
    private byte[] stdinBytes;
    private java.io.InputStream stdinStream;
    private String tty = "";
    private java.io.OutputStream stdout;
    /** What the terminal says its width is when asked: none in process unless a test sets one. */
    private int terminalColumns;

    private CliRun(Path home) {
        this.home = home;
        this.workingDir = home;
        env.put("HOME", home.toString());
        env.put("LLMO_HOME", home.resolve("llmo").toString());
        env.put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc-llmo").toString());
    }

    /** A run with HOME, LLMO_HOME ({@code home/llmo}) and the system dir ({@code home/etc-llmo}) inside {@code home}. */
    public static CliRun in(Path home) {
        return new CliRun(home);
    }

    public CliRun env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    public CliRun workingDir(Path dir) {
        this.workingDir = dir;
        return this;
    }

    public CliRun stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** Stdin as these exact bytes (which need not be UTF-8). */
    public CliRun stdin(byte[] bytes) {
        this.stdinBytes = bytes.clone();
        return this;
    }

    /** Stdin read from {@code stream} as it comes (a pipe a test writes to while the command runs). */
    public CliRun stdin(java.io.InputStream stream) {
        this.stdinStream = stream;
        return this;
    }

    /**
     * Stdout goes to {@code stream} through the writer the real stdout has (which remembers why a write failed);
     * {@link Result#out()} is then empty.
     */
    public CliRun stdout(java.io.OutputStream stream) {
        this.stdout = stream;
        return this;
    }

    /**
     * A vault this run creates gets the 600,000 iterations the command line always uses; otherwise in-process runs
     * create vaults with {@link #FAST_VAULT} iterations, a millisecond instead of a second per derivation (a vault
     * keeps its own count, so later runs derive with it too).
     */
    public CliRun realVaultIterations() {
        this.vaultIterations = Vault.DEFAULT_ITERATIONS;
        return this;
    }

    /** Pretend these streams are terminals: letters i, o, e. */
    public CliRun tty(String streams) {
        this.tty = streams;
        return this;
    }

    /** The width a terminal stdout says it has when asked (COLUMNS, when set, still wins). */
    public CliRun terminalColumns(int columns) {
        this.terminalColumns = columns;
        return this;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment environment = new CliEnvironment(stdinStream != null ? stdinStream
                : new ByteArrayInputStream(stdinBytes != null ? stdinBytes : stdin.getBytes(StandardCharsets.UTF_8)),
                stdout == null ? new PrintWriter(out) : StdoutWriter.of(stdout), new PrintWriter(err), Map.copyOf(env),
                workingDir, home, tty, vaultIterations, () -> terminalColumns);
        int code = LlmoCli.execute(args, environment);
        return new Result(code, out.toString(), err.toString(), List.of(args));
    }

    /**
     * What one invocation did; check it with {@link CliRunAssert#assertThat}.
     *
     * @param args the command line after {@code llmo}, for the messages of failed assertions
     */
    public record Result(int exitCode, String out, String err, List<String> args) {
        public Result(int exitCode, String out, String err) {
            this(exitCode, out, err, List.of());
        }

        /** Stderr as a terminal leaves it: the waiting spinner's frames (each overwritten, then erased) gone. */
        public String errShown() {
            return err.replaceAll("\r[^\r\n]*?\u001b\\[K", "");
        }
    }
}
