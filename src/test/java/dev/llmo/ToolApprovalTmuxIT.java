package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool call the policy leaves to a person is asked about on the terminal ({@link Tmux}: the built binary in a real
 * pseudo-terminal): the question shows the tool and its arguments; "y" runs it, "n" sends the model a refusal.
 */
class ToolApprovalTmuxIT {
    @TempDir
    Path home;
    private MockWebServer server;
    private Tmux tmux;
    private Path runs;

    @BeforeEach
    void start() throws Exception {
        tmux = Tmux.in(home);
        server = MockServers.create();
        server.start();
        runs = home.resolve("runs.txt");
        Path script = home.resolve("reverse.py");
        Files.writeString(script, """
                import json, sys
                args = json.load(sys.stdin)
                open(%s, "a").write("ran\\n")
                print(args["text"][::-1], end="")
                """.formatted("'" + runs + "'"));
        BinaryRun.mockProvider(home, server.url("/v1").toString());
        Path dir = home.resolve("llmo");
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/m1
                tools:
                  reverse:
                    description: Reverses a text
                    command: [python3, %s]
                    schema: { type: object, properties: { text: { type: string } } }
                """.formatted(script));
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "reverse", "{\"text\":\"abc\"}"));
        server.enqueue(OpenAiAnswers.streamed("Done."));
    }

    @AfterEach
    void stop() throws Exception {
        if (tmux != null) {
            tmux.close();
        }
        if (server != null) {
            server.shutdown();
        }
    }

    @Test
    void yesRunsTheTool() throws Exception {
        tmux.run(home, "MOCK_API_KEY=sk-tmux", "run -T reverse 'Reverse abc'");

        tmux.awaitScreen("the model wants to run reverse (command) with:");
        tmux.awaitScreen("\"text\" : \"abc\"");
        tmux.awaitScreen("Allow? [y]es, [n]o, [a]lways this session:");
        tmux.typeLine("y");
        tmux.awaitScreen("Done.");
        tmux.awaitScreen("llmo exited 0");
        assertThat(Files.readAllLines(runs)).hasSize(1);
        server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8()).contains("cba");
    }

    @Test
    void noSendsTheModelARefusal() throws Exception {
        tmux.run(home, "MOCK_API_KEY=sk-tmux", "run -T reverse 'Reverse abc'");

        tmux.awaitScreen("Allow? [y]es, [n]o, [a]lways this session:");
        tmux.typeLine("n");
        tmux.awaitScreen("reverse: refused (you)");
        tmux.awaitScreen("llmo exited 0");
        assertThat(runs).doesNotExist();
        server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8())
                .contains("the user did not allow this call of reverse");
    }
}
