package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.repl.ChatServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built binary's chat in a real pseudo-terminal ({@link Tmux}): typed into, its screen read. */
class ChatTmuxIT {
    @TempDir
    Path home;
    private ChatServer server;
    private Tmux tmux;

    @BeforeEach
    void start() throws Exception {
        tmux = Tmux.in(home);
        server = ChatServer.start(home);
    }

    @AfterEach
    void stop() throws Exception {
        if (tmux != null) {
            tmux.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Also: a window resized as the chat ends (a tmux pane closed, a tiling window manager). jline's handler of the
     * resize found the terminal closed, and llmo ended with exit 1 before the ledger had the conversation's entry.
     */
    @Test
    void chatInARealTerminal() throws Exception {
        server.answer("Hello from the mock.", 12, 5).slowAnswer("Once upon");
        tmux.run(home, "MOCK_API_KEY=sk-tmux", "chat");

        tmux.awaitScreen("m1>"); // capture-pane drops trailing spaces
        tmux.typeLine("hello");
        tmux.awaitScreen("Hello from the mock.");
        tmux.awaitScreen("12 in / 5 out tokens");

        tmux.typeLine("tell me a story");
        tmux.awaitScreen("Once upon");
        tmux.keys("C-c");
        tmux.awaitScreen("[cancelled]");
        assertThat(tmux.screen()).as("the terminal does not echo Ctrl-C into the answer").doesNotContain("^C");

        tmux.keys("-l", "/mo");
        tmux.keys("Tab");
        tmux.awaitScreen("m1> /model");
        tmux.keys("Enter");
        tmux.awaitScreen("mock/m1 (context 1,000 tokens");

        tmux.typeLineAndResize("/exit", 40);
        tmux.awaitScreen("llmo exited 0");
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(tmux.screen()).doesNotContain("internal error");
        BinaryRun.Result verify = BinaryRun.in(home).run("log", "verify", "--all");
        assertThat(verify.exitCode()).isZero();
        assertThat(verify.err()).doesNotContain("not in the ledger");
    }

    /**
     * The key in the vault: its password is asked at the first turn, on the chat's own terminal. Ctrl-C there cancels
     * that turn (a second terminal beside the chat's missed it, and the next line typed went into the password), a
     * wrong password fails that turn only, and the next turn asks again.
     */
    @Test
    void theVaultPasswordIsAskedOnTheChatsTerminalAndCanBeCancelledOrRetyped() throws Exception {
        BinaryRun.Result stored = BinaryRun.in(home).env("LLMO_VAULT_PASSWORD", "tmux vault pw").stdin("sk-tmux\n")
                .run("vault", "set", "MOCK_API_KEY");
        assertThat(stored.exitCode()).as(stored.err()).isZero();
        server.answer("Hello from the mock.", 12, 5);
        tmux.run(home, "", "chat");
        tmux.awaitScreen("m1>");

        tmux.typeLine("hello");
        tmux.awaitScreen("password:");
        tmux.keys("C-c");
        tmux.awaitScreen("cancelled");
        tmux.typeLine("hello again");
        tmux.awaitScreen("hello again\nllmo needs the key");
        tmux.typeLine("not the password");
        tmux.awaitScreen("wrong password");
        tmux.typeLine("third time");
        tmux.awaitScreen("third time\nllmo needs the key");
        tmux.typeLine("tmux vault pw");
        tmux.awaitScreen("Hello from the mock.");

        tmux.typeLine("/exit");
        tmux.awaitScreen("llmo exited 0");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void scriptedChatAndLogExportOnATerminalShowTheModelsControlCharactersNotObeyThem() throws Exception {
        server.answer("red \u001b[31mRED\u001b[0m \u001b]0;title\u0007 end", 5, 2);
        Path turns = Files.writeString(home.resolve("turns.txt"), "hi\n");
        // stdin from a file, stdout and stderr the pane; then the log exported to the pane
        tmux.run(home, "MOCK_API_KEY=sk-tmux NO_COLOR=1", "chat < '" + turns + "' && env HOME='" + home
                + "' LLMO_HOME='" + home.resolve("llmo") + "' XDG_CACHE_HOME='" + home.resolve("cache")
                + "' LLMO_CDS=off '" + BinaryRun.binary() + "' log export last");

        tmux.awaitScreen("llmo exited 0");
        assertThat(tmux.screen()).contains("red ^[[31mRED^[[0m ^[]0;title^G end\n",
                "## Assistant (mock/m1)\n\nred ^[[31mRED^[[0m ^[]0;title^G end\n");
        assertThat(tmux.paneTitle()).isNotEqualTo("title");
    }
}
