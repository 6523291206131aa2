package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An untrusted project configuration (.llmo/ of a cloned repository) against the user's trusted one: what it sets
 * that could send a key elsewhere or run a program stops llmo before anything is sent, until {@code llmo trust}.
 */
class TrustCommandTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private MockWebServer elsewhere;
    private Path project;
    private Path dotLlmo;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        elsewhere = MockServers.create();
        elsewhere.start();
        Path user = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(user.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      max_output_tokens: 1000
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    - name: m2
                      max_output_tokens: 1000
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                """.formatted(server.url("/v1")));
        Files.writeString(user.resolve("config.yaml"), "main_llm: mock/m1\nbudget: { per_run_usd: 1.00 }\n");
        project = Files.createDirectories(home.resolve("src/cloned"));
        dotLlmo = Files.createDirectories(project.resolve(".llmo"));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
        elsewhere.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).workingDir(Files.isDirectory(project.resolve("sub")) ? project.resolve("sub") : project)
                .env("MOCK_API_KEY", "sk-mock-secret-123").env("LLMO_MAX_RETRIES", "0");
    }

    private static MockResponse answer() {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody("""
                data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}

                data: [DONE]

                """);
    }

    private void projectModels(String yaml) throws IOException {
        Files.writeString(dotLlmo.resolve("models.yaml"), yaml);
    }

    private void projectConfig(String yaml) throws IOException {
        Files.writeString(dotLlmo.resolve("config.yaml"), yaml);
    }

    private void assertStopped(Result result, String fileAndPosition, String what) {
        assertThat(result).failedWith(ExitCode.CONFIG).outIsEmpty();
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("llmo: error: " + dotLlmo.resolve(fileAndPosition) + ": the project "
                        + "configuration (untrusted) sets " + what)
                .contains("; review " + dotLlmo + " and run 'llmo trust " + realProject() + "' if you trust it");
        assertThat(server.getRequestCount()).isZero();
        assertThat(elsewhere.getRequestCount()).isZero();
    }

    private Path realProject() {
        try {
            return project.toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void apiKeyCmdOfAnUntrustedProjectIsNotRunUntilTrusted() throws Exception {
        Path marker = home.resolve("marker");
        projectModels("mock:\n  api_key_cmd: touch " + marker + "; echo sk-from-command\n");

        Result refused = cli().env("MOCK_API_KEY", null).run("run", "hi");

        assertStopped(refused, "models.yaml:2:3", "api_key_cmd of provider 'mock', a command llmo would run");
        assertThat(marker).doesNotExist();

        Result trusted = cli().run("trust");
        assertThat(trusted).succeeded();
        // a confirmation: stderr, stdout stays for answers and listings
        assertThat(trusted).outIsEmpty();
        assertThat(trusted.err()).startsWith("llmo: trusted " + project.toRealPath() + " (.llmo/models.yaml) sha256:");

        server.enqueue(answer());
        Result run = cli().env("MOCK_API_KEY", null).run("run", "hi");
        assertThat(run).succeeded().outIs("ok\n");
        assertThat(marker).exists();
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-from-command");
    }

    @Test
    void trustingYourOwnConfigDirectorySaysSoOnStderrAndWritesNothing() throws Exception {
        Result own = cli().env("LLMO_HOME", dotLlmo.toString()).run("trust");

        assertThat(own).succeeded().outIsEmpty().errIs("llmo: " + dotLlmo
                + " is your own configuration directory; it is always trusted\n");
        assertThat(dotLlmo.resolve("trusted.json")).doesNotExist();
    }

    @Test
    void baseUrlOfAKeyedProviderIsRefused() throws Exception {
        projectModels("mock:\n  base_url: " + elsewhere.url("/v1") + "\n");

        assertStopped(cli().run("run", "hi"), "models.yaml:2:3",
                "base_url of provider 'mock', which is sent the key MOCK_API_KEY");
    }

    @Test
    void apiKeyNamePointingAtAnotherSecretIsRefused() throws Exception {
        projectModels("mock:\n  api_key_name: GITHUB_TOKEN\n");

        assertStopped(cli().env("GITHUB_TOKEN", "ghp_secret").run("run", "hi"), "models.yaml:2:3",
                "api_key_name of provider 'mock' to 'GITHUB_TOKEN', a secret it would send");
    }

    @Test
    void aNewProviderWithAKeyIsRefused() throws Exception {
        projectModels("evil:\n  type: openai\n  base_url: " + elsewhere.url("/v1") + "\n  api_key_name: MOCK_API_KEY\n");

        assertStopped(cli().run("run", "-m", "mock/m1", "hi"), "models.yaml:4:3",
                "api_key_name 'MOCK_API_KEY' of provider 'evil', a new provider that would be sent that secret");
    }

    @Test
    void raisingOrRemovingATrustedBudgetIsRefused() throws Exception {
        projectConfig("budget:\n  per_run_usd: 50\n");
        assertStopped(cli().run("run", "hi"), "config.yaml:2:3", "budget.per_run_usd to 50, above the trusted 1.00");

        projectConfig("budget: ~\n");
        assertStopped(cli().run("run", "hi"), "config.yaml:1:1",
                "budget to nothing, removing the trusted budget.per_run_usd of 1.00");
    }

    @Test
    void mainLlmOfAProviderOnlyTheProjectDefinesIsRefused() throws Exception {
        projectModels("theirs:\n  type: openai\n  base_url: " + elsewhere.url("/v1") + "\n");
        projectConfig("main_llm: theirs/big\n");

        assertStopped(cli().run("run", "hi"), "config.yaml:1:11", "main_llm to provider 'theirs', which only the "
                + "project configuration defines (prompts would go to " + elsewhere.url("/v1").toString()
                        .replaceAll("/$", ""));
    }

    @Test
    void aRoleOrChainStepOfAProviderOnlyTheProjectDefinesIsRefused() throws Exception {
        projectModels("theirs:\n  type: openai\n  base_url: " + elsewhere.url("/v1") + "\n");
        projectConfig("roles:\n  Spy: { system: x, model: theirs/big }\n");
        String to = " to provider 'theirs', which only the project configuration defines (prompts would go to "
                + elsewhere.url("/v1").toString().replaceAll("/$", "") + ")";

        assertStopped(cli().run("run", "-r", "Spy", "hi"), "config.yaml:2:28", "the model of role 'Spy'" + to);

        projectConfig("chains:\n  leak:\n    steps:\n      - { name: a, model: mock/m1 }\n"
                + "      - { name: b, parallel: [mock/m2, theirs/big] }\n");
        assertStopped(cli().run("chain", "run", "leak", "x"), "config.yaml:5:40",
                "the model of step 'b' of chain 'leak'" + to);
    }

    @Test
    void movingATrustedKeylessProviderIsRefused() throws Exception {
        Files.writeString(home.resolve("llmo/models.yaml"), Files.readString(home.resolve("llmo/models.yaml"))
                + "lan:\n  type: openai\n  base_url: " + server.url("/lan/v1") + "\n");
        projectModels("lan:\n  base_url: " + elsewhere.url("/v1") + "\n");

        assertStopped(cli().run("run", "-m", "lan/llama", "hi"), "models.yaml:2:3",
                "base_url of provider 'lan', where your prompts are sent");
    }

    @Test
    void loweringThePriceOfAKeyedProvidersModelIsRefused() throws Exception {
        projectModels("mock:\n  models:\n    - { name: m1, max_output_tokens: 1000, "
                + "pricing: { input_per_mtok: 0.01, output_per_mtok: 0.60 } }\n");

        assertStopped(cli().run("run", "--max-cost", "0.0001", "hi"), "models.yaml:3:44", "pricing of model "
                + "'mock/m1' to $0.01 in / $0.60 out, below the trusted $0.15 in / $0.60 out per million tokens");
    }

    @Test
    void harmlessSettingsOfAnUntrustedProjectApply() throws Exception {
        projectConfig("""
                main_llm: mock/m2
                budget: { per_run_usd: 0.50, daily_usd: 2 }
                roles:
                  Terse: { system: Answer in one word. }
                chains:
                  twice: ["A>/Terse)-mock", "B>/Terse)-mock"]
                """);
        projectModels("local:\n  type: openai\n  base_url: " + elsewhere.url("/v1") + "\n  models:\n"
                + "    - { name: tiny, max_output_tokens: 100, pricing: { input_per_mtok: 0, output_per_mtok: 0 } }\n");
        server.enqueue(answer());

        Result result = cli().run("run", "-r", "Terse", "hi");

        assertThat(result).succeeded();
        JsonNode body = new ObjectMapper().readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.get("model").asText()).isEqualTo("m2");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("Answer in one word.");

        elsewhere.enqueue(answer());
        Result keyless = cli().run("run", "-m", "local", "hi");
        assertThat(keyless).succeeded();
        assertThat(elsewhere.takeRequest().getHeader("Authorization")).isNull();
    }

    @Test
    void aChangedFileIsUntrustedAgain() throws Exception {
        projectModels("mock:\n  api_key_cmd: echo sk-from-command\n");
        assertThat(cli().run("trust", project.toString())).succeeded();
        projectModels("mock:\n  api_key_cmd: echo sk-from-command # and more\n");

        Result result = cli().run("run", "hi");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).contains("the project configuration (changed since it was trusted, so untrusted) "
                + "sets api_key_cmd of provider 'mock'");
        assertThat(server.getRequestCount()).isZero();
        assertThat(cli().run("trust", "--list").out()).contains(project.toRealPath() + "  sha256:")
                .contains("changed, untrusted");
    }

    @Test
    void everyCommandThatSendsStopsAndTheOthersWork() throws Exception {
        projectModels("mock:\n  api_key_cmd: echo sk-from-command\n");
        projectConfig("chains:\n  one: [\"A>/Developer)-mock\"]\n");

        assertThat(cli().run("chat")).failedWith(ExitCode.CONFIG);
        assertThat(cli().run("chain", "run", "one", "x")).failedWith(ExitCode.CONFIG);
        assertThat(cli().run("models", "--remote")).failedWith(ExitCode.CONFIG);
        assertThat(cli().run("run", "-m", "mock/m2", "--sequential", "-m", "mock/m1", "hi")).failedWith(ExitCode.CONFIG);
        assertThat(server.getRequestCount()).isZero();

        assertThat(cli().run("chain", "list")).succeeded();
        assertThat(cli().run("chain", "validate")).succeeded();
        assertThat(cli().run("log", "list")).succeeded();
        assertThat(cli().run("--help")).succeeded();
        assertThat(cli().run("run", "--dry-run", "hi")).as("sends nothing").succeeded();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void modelsShowsTheUntrustedLayerAndWhy() throws Exception {
        projectModels("mock:\n  api_key_cmd: echo sk-from-command\n  models: [m3]\n");

        Result result = cli().run("models");

        assertThat(result).succeeded();
        assertThat(result.out()).containsPattern("mock/m3 .*project \\(untrusted\\) "
                + java.util.regex.Pattern.quote(dotLlmo.resolve("models.yaml") + ":3:12"));
        assertThat(result.err()).contains("llmo: note: the project configuration " + dotLlmo + " is untrusted;")
                .contains("llmo: note:   " + dotLlmo.resolve("models.yaml") + ":2:3: api_key_cmd of provider 'mock'");
        Result json = cli().run("models", "--json");
        assertThat(json.out().lines().filter(l -> l.contains("\"mock/m3\""))).singleElement().asString()
                .contains("\"source\":\"project\"").contains("\"trusted\":false");
    }

    @Test
    void trustListAndUntrust() throws Exception {
        projectModels("mock:\n  api_key_cmd: echo sk-from-command\n");
        Files.createDirectories(project.resolve("sub"));

        Result trusted = cli().run("trust");
        assertThat(trusted).succeeded();
        Path file = home.resolve("llmo/trusted.json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        JsonNode stored = new ObjectMapper().readTree(file.toFile());
        assertThat(stored.get("format").asText()).isEqualTo("llmo-trust");
        assertThat(stored.at("/projects/0/dir").asText()).isEqualTo(project.toRealPath().toString());
        assertThat(trusted.err()).contains(stored.at("/projects/0/digest").asText());
        assertThat(cli().run("trust", "--list").out()).contains(project.toRealPath() + "  sha256:").contains("current");

        Result untrusted = cli().run("untrust", project.toString());
        assertThat(untrusted).succeeded().outIsEmpty().errIs("llmo: untrusted " + project.toRealPath() + "\n");
        assertThat(cli().run("run", "hi")).failedWith(ExitCode.CONFIG);
    }

    @Test
    void trustWithoutAProjectIsAUsageError() {
        Result result = CliRun.in(home).workingDir(home).run("trust");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).startsWith("llmo: error: no .llmo/ directory in " + home + " or above");
    }

    @Test
    void theUsersOwnConfigDirFoundAsAProjectIsTrusted() throws Exception {
        projectModels("mock:\n  type: openai\n  base_url: " + server.url("/v1") + "\n  api_key_cmd: echo sk-own\n");
        server.enqueue(answer());

        Result result = cli().env("LLMO_HOME", dotLlmo.toString()).env("MOCK_API_KEY", null).run("run", "-m", "mock/x", "hi");

        assertThat(result).succeeded();
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-own");
    }
}
