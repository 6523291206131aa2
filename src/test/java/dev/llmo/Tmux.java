package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tmux server of a test's own (its socket in the test's directory) running the built binary in a real
 * pseudo-terminal: type into it, read its screen. Skips the test when tmux is missing, unless LLMO_REQUIRE_SHELLS is
 * set (CI), where a missing tmux fails.
 */
final class Tmux implements AutoCloseable {
    private static final long WAIT_MS = 30_000;
    private static final String SESSION = "llmo";

    private final Path socket;

    private Tmux(Path socket) {
        this.socket = socket;
    }

    /** A tmux server with its socket in {@code dir}; skips (or, in CI, fails) the test without tmux. */
    static Tmux in(Path dir) {
        boolean tmux = available();
        if (System.getenv("LLMO_REQUIRE_SHELLS") != null) {
            assertThat(tmux).as("tmux is required (LLMO_REQUIRE_SHELLS is set)").isTrue();
        }
        assumeTrue(tmux, "tmux is not installed");
        return new Tmux(dir.resolve("tmux.sock"));
    }

    private static boolean available() {
        try {
            Process process = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code llmo ARGS} in a clean environment ({@code env} is added: {@code NAME=VALUE} words, shell-quoted by
     * the caller) in a 120x40 terminal; when it ends the screen shows {@code llmo exited CODE}.
     */
    void run(Path home, String env, String args) throws IOException, InterruptedException {
        String javaHome = System.getenv("JAVA_HOME");
        // the shared start-up archive, linked into this home's own cache: llmo starts in the terminal as a user's does
        String cds = BinaryRun.linkStartUpArchive(home.resolve("cache")) ? "on" : "off";
        String command = "env -i PATH='" + System.getenv("PATH") + "' HOME='" + home + "' LLMO_HOME='"
                + home.resolve("llmo") + "' LLMO_SYSTEM_CONFIG_DIR='" + home.resolve("etc") + "' LLMO_CDS=" + cds
                + " XDG_CACHE_HOME='" + home.resolve("cache") + "' LLMO_MAX_RETRIES=0 TERM=xterm-256color "
                + env + (javaHome == null ? "" : " JAVA_HOME='" + javaHome + "'")
                + " '" + BinaryRun.binary() + "' " + args + "; echo \"llmo exited $?\"; sleep 60";
        tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command);
    }

    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", SESSION, "-S", "-200");
    }

    /** The title the program in the pane set (with an escape sequence), or the default, the host's name. */
    String paneTitle() throws IOException, InterruptedException {
        return tmux("display-message", "-p", "-t", SESSION, "#{pane_title}").strip();
    }

    void awaitScreen(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            if (screen().contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed '" + text + "':\n" + screen());
    }

    void typeLine(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", SESSION, "-l", text);
        tmux("send-keys", "-t", SESSION, "Enter");
    }

    void keys(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", SESSION));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /**
     * Types {@code text} and Enter, then resizes the window {@code times} times (to 80 columns and back): one tmux
     * command sequence, so that the program gets its SIGWINCHes within a millisecond of the line, as when a window
     * closes.
     */
    void typeLineAndResize(String text, int times) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", SESSION, "-l", text, ";",
                "send-keys", "-t", SESSION, "Enter"));
        for (int i = 0; i < times; i++) {
            args.addAll(List.of(";", "resize-window", "-t", SESSION, "-x", i % 2 == 0 ? "80" : "120", "-y", "40"));
        }
        tmux(args.toArray(String[]::new));
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        tmux("kill-server");
    }
}
