package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.MockServers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration value that cannot be represented is a config error (exit 3) before anything is sent. */
class HostileConfigTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private Path user;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        user = Files.createDirectories(home.resolve("llmo"));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private Result run(String config, String models) throws IOException {
        Files.writeString(user.resolve("config.yaml"), config);
        Files.writeString(user.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  default_model: m1
                  models:
                """.formatted(server.url("/v1")) + models);
        return CliRun.in(home).env("LLMO_MAX_RETRIES", "0").run("run", "-m", "mock/m1", "hi");
    }

    private void assertConfigError(Result result, String message) {
        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).startsWith("llmo: error: " + message).doesNotContain("internal error");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void anAliasedSystemPromptIsRefusedInsteadOfSendingTheAnchorsName() throws IOException {
        Result result = run("roles:\n  A: { system: &p Be brief. }\n  B: { system: *p }\n", "    - m1\n");

        assertConfigError(result, user.resolve("config.yaml") + ":3:16: YAML aliases (*p) are not supported");
    }

    @Test
    void infinitePriceOrBudgetIsAConfigError() throws IOException {
        assertConfigError(run("", "    - { name: m1, pricing: { input_per_mtok: .inf, output_per_mtok: 1 } }\n"),
                user.resolve("models.yaml") + ":6:46: '.inf' is not a finite number");
        assertConfigError(run("budget: { per_run_usd: .nan }\n", "    - m1\n"),
                user.resolve("config.yaml") + ":1:24: '.nan' is not a finite number");
    }

    @Test
    void deepNestingIsAConfigError() throws IOException {
        String deep = "    - { name: m1, extra: " + "[".repeat(100) + "]".repeat(100) + " }\n";

        Result result = run("", deep);

        assertThat(result).failedWith(ExitCode.CONFIG).errContains("nested more than 64 levels deep");
    }

    @Test
    void aLoneSurrogateIsAConfigError() throws IOException {
        assertConfigError(run("roles:\n  A: { system: \"\\uDFFF\" }\n", "    - m1\n"),
                user.resolve("config.yaml") + ":2:16: the text holds a lone UTF-16 surrogate (\\uDFFF)");
    }
}
