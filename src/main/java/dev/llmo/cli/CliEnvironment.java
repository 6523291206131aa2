package dev.llmo.cli;

import dev.llmo.vault.Vault;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Everything a command may touch of the outside world, passed explicitly so that tests can run the whole CLI in
 * process: streams, environment variables, working and home directories, and which streams are terminals.
 *
 * @param tty which of stdin, stdout, stderr are terminals (letters i, o, e); the launcher measures it
 * @param vaultIterations the PBKDF2 iterations a vault this invocation creates gets: always
 *     {@link Vault#DEFAULT_ITERATIONS} from the command line; in-process tests pass fewer, so that hundreds of
 *     vault commands do not each spend a full derivation (nothing a user sets reaches it)
 * @param terminalColumns asks stdout's terminal how wide it is (0: it cannot tell); called only by the commands that
 *     lay out lines for a terminal ({@link TerminalColumns#of}); in-process tests pass a width of their own
 */
public record CliEnvironment(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env,
                             Path workingDir, Path home, String tty, int vaultIterations,
                             IntSupplier terminalColumns) {

    public CliEnvironment(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, Path workingDir,
                          Path home, String tty) {
        this(in, out, err, env, workingDir, home, tty, Vault.DEFAULT_ITERATIONS);
    }

    public CliEnvironment(InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env, Path workingDir,
                          Path home, String tty, int vaultIterations) {
        this(in, out, err, env, workingDir, home, tty, vaultIterations, TerminalColumns.ASK);
    }

    public static CliEnvironment system() {
        // The launcher stub knows the truth for each stream ([ -t N ]); java -jar alone only knows console or not.
        String tty = System.getProperty("llmo.tty");
        if (tty == null) {
            tty = System.console() != null ? "ioe" : stdinOfThisProcessIsATerminal() ? "i" : "";
        }
        // $HOME first, as every shell tool does: the JVM's user.home comes from the password database instead.
        Map<String, String> env = System.getenv();
        String home = env.getOrDefault("HOME", "");
        return new CliEnvironment(System.in, StdoutWriter.of(new FileOutputStream(FileDescriptor.out)),
                writer(FileDescriptor.err), env,
                Path.of("").toAbsolutePath(), Path.of(home.isEmpty() ? System.getProperty("user.home") : home), tty);
    }

    /**
     * Under plain {@code java -jar} with stdout redirected, {@link System#console()} is null although the keyboard
     * may still be stdin: reading it as piped input would wait for Ctrl-D. Linux says where fd 0 points.
     */
    private static boolean stdinOfThisProcessIsATerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static PrintWriter writer(FileDescriptor fd) {
        return new PrintWriter(new OutputStreamWriter(new BufferedOutputStream(new FileOutputStream(fd), 1 << 14),
                StandardCharsets.UTF_8), false);
    }

    public boolean stdinIsTerminal() {
        return tty.indexOf('i') >= 0;
    }

    public boolean stdoutIsTerminal() {
        return tty.indexOf('o') >= 0;
    }

    public boolean stderrIsTerminal() {
        return tty.indexOf('e') >= 0;
    }

    /** NO_COLOR (any non-empty value) turns colour off everywhere, as https://no-color.org asks. */
    public boolean noColorRequested() {
        String value = env.get("NO_COLOR");
        return value != null && !value.isEmpty();
    }
}
