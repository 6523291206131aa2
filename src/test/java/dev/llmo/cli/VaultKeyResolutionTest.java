package dev.llmo.cli;

import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** design.md "Keys": the environment first, then the vault, then exit 4 with the exact fix. */
class VaultKeyResolutionTest {
    private static final String PASSWORD = "correct horse battery staple";
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), "mock:\n  type: openai\n  base_url: " + server.url("/v1")
                + "\n  api_key_name: MOCK_API_KEY\n  models: [m1]\n");
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private void answer() {
        server.enqueue(OpenAiAnswers.streamed("ok"));
    }

    @Test
    void aKeyInTheVaultIsUsedWhenTheEnvironmentHasNone() throws Exception {
        CliRun.Result stored = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin("sk-from-vault\n")
                .run("vault", "set", "MOCK_API_KEY");
        assertThat(stored).succeeded();
        answer();
        answer();

        CliRun.Result fromVault = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).run("run", "hi");
        CliRun.Result fromEnv = CliRun.in(home).env("MOCK_API_KEY", "sk-from-env").run("run", "hi");

        assertThat(fromVault).succeeded();
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-from-vault");
        assertThat(fromEnv).as("the environment wins, and the vault is not even unlocked").succeeded();
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-from-env");
        assertThat(fromVault.err() + fromEnv.err()).doesNotContain("sk-from");
    }

    @Test
    void aLockedVaultWithoutAPasswordIsExit4NamingTheVariable() {
        CliRun.Result stored = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin("sk-from-vault\n")
                .run("vault", "set", "OTHER_KEY");
        assertThat(stored).succeeded();

        CliRun.Result result = CliRun.in(home).run("run", "hi");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).errContains("LLMO_VAULT_PASSWORD");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void noVaultAndNoVariableIsExit4WithTheExactFix() {
        CliRun.Result result = CliRun.in(home).run("run", "hi");

        assertThat(result).failedWith(ExitCode.CREDENTIALS)
                .errContains("run 'llmo vault set MOCK_API_KEY' or 'export MOCK_API_KEY=…'");
    }
}
