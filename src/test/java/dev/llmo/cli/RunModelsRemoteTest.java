package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmo models --remote}: every provider's list endpoint, in process against one mock server. */
class RunModelsRemoteTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                if (path.startsWith("/oa/v1/models")) {
                    return new MockResponse().setBody("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\"},"
                            + "{\"id\":\"gpt-4o-mini\"}]}");
                }
                if (path.startsWith("/an/v1/models")) {
                    return new MockResponse().setBody("{\"data\":[{\"id\":\"claude-haiku-4-5\",\"display_name\":"
                            + "\"Claude Haiku 4.5\"}],\"has_more\":false}");
                }
                if (path.startsWith("/ge/v1beta/models")) {
                    return new MockResponse().setBody("{\"models\":[{\"name\":\"models/gemini-2.5-flash\","
                            + "\"displayName\":\"Gemini 2.5 Flash\"}]}");
                }
                return new MockResponse().setResponseCode(404);
            }
        });
        server.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Path dir = Files.createDirectories(home.resolve("llmo"));
        String base = server.url("/").toString();
        // the built-in providers are removed ("name: ~") so that only these are asked
        Files.writeString(dir.resolve("models.yaml"), """
                openai: ~
                anthropic: ~
                gemini: ~
                ollama: ~
                openrouter: ~
                groq: ~
                oa: { type: openai, base_url: %soa/v1, api_key_name: OA_KEY }
                an: { type: anthropic, base_url: %san, api_key_name: AN_KEY }
                ge: { type: gemini, base_url: %sge, api_key_name: GE_KEY }
                nokey: { type: openai, base_url: %snk/v1, api_key_name: NOKEY_KEY }
                dead: { type: openai, base_url: http://localhost:%d/v1 }
                """.formatted(base, base, base, base, deadPort));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: oa/gpt-4o\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("OA_KEY", "k1").env("AN_KEY", "k2").env("GE_KEY", "k3");
    }

    @Test
    void listsEachProviderSkipsKeylessOnesAndNotesTheStoppedLocalServer() {
        Result result = cli().run("models", "--remote");

        assertThat(result).succeeded();
        assertThat(result.out().lines()).containsExactly("oa/gpt-4o", "oa/gpt-4o-mini",
                "an/claude-haiku-4-5  Claude Haiku 4.5", "ge/gemini-2.5-flash  Gemini 2.5 Flash");
        assertThat(result.err().lines()).containsExactly(
                "llmo: note: skipped nokey: NOKEY_KEY is not set (run 'llmo vault set NOKEY_KEY' or "
                        + "'export NOKEY_KEY=…')",
                "llmo: note: dead is unreachable: cannot connect to http://localhost:" + deadPort + " (connection "
                        + "refused) (start it, or ignore this if you do not use it)");
    }

    @Test
    void aLockedVaultSkipsOnlyTheProvidersWhoseKeyItAloneCouldHold() {
        CliRun.in(home).env("LLMO_VAULT_PASSWORD", "a vault password of some length").stdin("sk-other\n")
                .run("vault", "set", "OTHER_KEY");
        Result result = CliRun.in(home).env("OA_KEY", "k1").run("models", "--remote");

        assertThat(result).succeeded();
        assertThat(result.out().lines()).containsExactly("oa/gpt-4o", "oa/gpt-4o-mini");
        assertThat(result.err().lines()).contains(
                "llmo: note: skipped an: AN_KEY is not set, and the vault is locked with no terminal to ask for its "
                        + "password (export AN_KEY=…, or set LLMO_VAULT_PASSWORD to the vault password)");
    }

    @Test
    void aKeyNeitherInTheEnvironmentNorAtHandInALockedVaultNamesBothWaysOut() {
        CliRun.in(home).env("LLMO_VAULT_PASSWORD", "a vault password of some length").stdin("sk-other\n")
                .run("vault", "set", "OTHER_KEY");
        Result result = CliRun.in(home).run("run", "-m", "nokey/m", "hi");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).outIsEmpty();
        assertThat(result.err().lines()).containsExactly("llmo: error: no API key for provider 'nokey': NOKEY_KEY is "
                + "not set, and the vault " + home.resolve("llmo/vault.enc") + " is locked and there is no terminal "
                + "to ask for its password; export NOKEY_KEY=…, or set LLMO_VAULT_PASSWORD to the vault password");
    }

    @Test
    void aProviderWithAKeyThatCannotBeReachedIsAFailure() throws Exception {
        Path models = home.resolve("llmo/models.yaml");
        Files.writeString(models, Files.readString(models).replace("dead: { type: openai, base_url: http://localhost:"
                + deadPort + "/v1 }", "dead: { type: openai, base_url: http://localhost:" + deadPort
                + "/v1, api_key_name: OA_KEY }"));
        Result result = cli().run("models", "--remote");

        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(result.out().lines()).hasSize(4);
        assertThat(result.err()).contains("llmo: error: cannot connect to http://localhost:" + deadPort
                + " (connection refused); is the server running and reachable? check base_url of provider 'dead'");
    }

    @Test
    void aListEndpointThatAnswers404PointsAtBaseUrlAloneNotAtAModelName() throws Exception {
        Path models = home.resolve("llmo/models.yaml");
        Files.writeString(models, Files.readString(models).replaceAll("(?m)^(nokey|dead):.*$", "$1: ~")
                + "gone: { type: openai, base_url: " + server.url("/gone/v1") + ", api_key_name: OA_KEY }\n");
        Result result = cli().run("models", "--remote");

        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(result.err()).isEqualTo("llmo: error: gone answered HTTP 404 (not found); check base_url of "
                + "provider 'gone' in models.yaml (" + server.url("/gone/v1") + "): no model list was found under "
                + "it\n");
    }

    @Test
    void aStoppedLocalServerIsAnErrorWhenNoProviderAnswered() {
        Result result = CliRun.in(home).run("models", "--remote");

        assertThat(result).failedWith(ExitCode.FAILURE).outIsEmpty();
        assertThat(result.err().lines()).hasSize(5).last().asString()
                .startsWith("llmo: error: cannot connect to http://localhost:" + deadPort + " (connection refused)");
    }

    @Test
    void jsonLinesAndExit0WhenAllSucceed() throws Exception {
        Path models = home.resolve("llmo/models.yaml");
        Files.writeString(models, Files.readString(models).replaceAll("(?m)^(nokey|dead):.*$", "$1: ~"));
        Result result = cli().run("models", "--remote", "--json");

        assertThat(result).succeeded().errIsEmpty();
        assertThat(result.out().lines()).hasSize(4);
        assertThat(new ObjectMapper().readTree(result.out().lines().toList().get(2)).toString()).isEqualTo(
                "{\"id\":\"an/claude-haiku-4-5\",\"provider\":\"an\",\"model\":\"claude-haiku-4-5\","
                        + "\"display_name\":\"Claude Haiku 4.5\"}");
    }
}
