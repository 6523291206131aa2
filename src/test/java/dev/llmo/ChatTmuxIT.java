package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmo.cli.repl.ChatServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built binary's chat in a real pseudo-terminal: tmux runs it, types into it and reads its screen. Skipped
 * when tmux is missing, unless LLMO_REQUIRE_SHELLS is set (CI), where a missing tmux fails.
 */
class ChatTmuxIT {
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path home;
    private ChatServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        boolean tmux = tmuxAvailable();
        if (System.getenv("LLMO_REQUIRE_SHELLS") != null) {
            assertThat(tmux).as("tmux is required (LLMO_REQUIRE_SHELLS is set)").isTrue();
        }
        assumeTrue(tmux, "tmux is not installed");
        server = ChatServer.start(home);
        socket = home.resolve("tmux.sock");
    }

    @AfterEach
    void stop() throws Exception {
        if (socket != null) {
            tmux("kill-server");
        }
        if (server != null) {
            server.close();
        }
    }

    private static boolean tmuxAvailable() {
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

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    private String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", "chat", "-S", "-200");
    }

    private void awaitScreen(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            if (screen().contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed '" + text + "':\n" + screen());
    }

    private void typeLine(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", "chat", "-l", text);
        tmux("send-keys", "-t", "chat", "Enter");
    }

    @Test
    void chatInARealTerminal() throws Exception {
        server.answer("Hello from the mock.", 12, 5).slowAnswer("Once upon");
        String javaHome = System.getenv("JAVA_HOME");
        String command = "env -i PATH='" + System.getenv("PATH") + "' HOME='" + home + "' LLMO_HOME='"
                + home.resolve("llmo") + "' LLMO_SYSTEM_CONFIG_DIR='" + home.resolve("etc") + "' LLMO_CDS=off"
                + " XDG_CACHE_HOME='" + home.resolve("cache") + "' MOCK_API_KEY=sk-tmux LLMO_MAX_RETRIES=0"
                + " TERM=xterm-256color" + (javaHome == null ? "" : " JAVA_HOME='" + javaHome + "'")
                + " '" + BinaryRun.binary() + "' chat; echo \"chat exited $?\"; sleep 60";

        tmux("new-session", "-d", "-s", "chat", "-x", "120", "-y", "40", command);

        awaitScreen("m1>"); // capture-pane drops trailing spaces
        typeLine("hello");
        awaitScreen("Hello from the mock.");
        awaitScreen("12 in / 5 out tokens");

        typeLine("tell me a story");
        awaitScreen("Once upon");
        tmux("send-keys", "-t", "chat", "C-c");
        awaitScreen("[cancelled]");

        tmux("send-keys", "-t", "chat", "-l", "/mo");
        tmux("send-keys", "-t", "chat", "Tab");
        awaitScreen("m1> /model");
        tmux("send-keys", "-t", "chat", "Enter");
        awaitScreen("mock/m1 (context 1,000 tokens");

        typeLine("/exit");
        awaitScreen("chat exited 0");
        assertThat(server.requestCount()).isEqualTo(2);
    }
}
