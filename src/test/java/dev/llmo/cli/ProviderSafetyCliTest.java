package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when a provider refuses, blocks, redirects or trickles, and when {@code -o} tries to replace the
 * request's structure: exit codes, one-line errors, {@code --json} error kinds, {@code --timeout}.
 */
class ProviderSafetyCliTest {
    private static final String TRICKLE_START = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
            + "\"finish_reason\":null}]}\n\n";

    @TempDir
    Path home;
    private MockWebServer server;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        writeConfig("");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private void writeConfig(String extraModelKeys) throws IOException {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      temperature: 0.7%s
                """.formatted(server.url("/v1"), extraModelKeys));
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/m1
                chains:
                  quick:
                    - "Draft>/Developer)-mock/m1"
                """);
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock-secret-123").env("LLMO_MAX_RETRIES", "0");
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    /** "Hi" at once, then a dot every 100 ms or so: minutes in all. */
    private static MockResponse trickle() {
        StringBuilder body = new StringBuilder(TRICKLE_START);
        for (int i = 0; i < 300; i++) {
            body.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"},\"finish_reason\":null}]}\n\n");
        }
        return sse(body.append("data: [DONE]\n\n").toString()).throttleBody(32, 100, TimeUnit.MILLISECONDS);
    }

    @Test
    void optionsThatWouldReplaceTheRequestStructureAreUsageErrors() {
        for (String option : new String[] {"model=gpt-4-evil", "messages=[]", "stream=false",
                "stream_options={}"}) {
            Result result = cli().run("run", "-o", option, "hi");
            String name = option.substring(0, option.indexOf('='));
            assertThat(result.exitCode()).as(option).isEqualTo(2);
            assertThat(result.err()).as(option).startsWith("llmo: error: option '" + name + "' cannot be set (-o "
                    + name + "=…): llmo writes '" + name + "' of the openai request to provider 'mock' itself; ");
            assertThat(result.err().lines()).as(option).hasSize(1);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void optionsAskingForSeveralAnswersOrDeprecatedFunctionsAreUsageErrorsAndNothingIsSent() {
        for (String option : new String[] {"n=128", "functions=[]", "function_call=auto",
                "modalities=[\"text\",\"audio\"]"}) {
            Result result = cli().run("run", "-o", option, "hi");
            String name = option.substring(0, option.indexOf('='));
            assertThat(result.exitCode()).as(option).isEqualTo(2);
            assertThat(result.err()).as(option).startsWith("llmo: error: option '" + name + "' cannot be set (-o "
                    + option + "): ").contains("; drop -o " + name);
            assertThat(result.err().lines()).as(option).hasSize(1);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void toolsGivenThroughOptionsAreSentAndTheToolCallIsAnAnswer() throws Exception {
        // openai-python's recorded tool-call stream (wire-formats.md section 1), shortened
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"index\":0,\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_sum\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"{\\\"a\\\":2}\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n"));
        Result result = cli().run("run", "-o", "tools=[{\"type\":\"function\",\"function\":{\"name\":\"get_sum\"}}]",
                "-o", "tool_choice=required", "2+3?");
        assertThat(result.exitCode()).as(result.err()).isZero();
        var body = json.readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.get("tools").get(0).get("function").get("name").asText()).isEqualTo("get_sum");
        assertThat(body.get("tool_choice").asText()).isEqualTo("required");
    }

    @Test
    void oneAnswerAskedWithNEqualToOneIsSent() throws Exception {
        server.enqueue(sse(TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
                + "\n\ndata: [DONE]\n\n"));
        Result result = cli().run("run", "-o", "n=1", "hi");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(json.readTree(server.takeRequest().getBody().readUtf8()).get("n").asInt()).isEqualTo(1);
    }

    @Test
    void anOrdinaryOptionStillPassesThrough() throws Exception {
        server.enqueue(sse(TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
                + "\n\ndata: [DONE]\n\n"));
        Result result = cli().run("run", "-o", "seed=7", "hi");
        assertThat(result.exitCode()).isZero();
        JsonNode body = json.readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.get("seed").asInt()).isEqualTo(7);
        assertThat(body.get("model").asText()).isEqualTo("m1");
    }

    @Test
    void aModelDefaultThatWouldReplaceTheStructureIsAConfigurationError() throws IOException {
        writeConfig("\n      stream: false");
        Result result = cli().run("run", "hi");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("model 'm1' sets option 'stream', which llmo writes itself in requests "
                + "of type openai").contains("models.yaml");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void runTimeoutEndsATricklingAnswerWithTheTextKept() throws IOException {
        server.enqueue(trickle());
        Result result = cli().run("run", "--timeout", "1", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("Hi");
        assertThat(result.err()).contains("llmo: error: no complete answer from mock within 1 s (--timeout)");
        assertThat(loggedResponseText()).startsWith("Hi");
    }

    /** The text of the response event in the run's conversation log. */
    private String loggedResponseText() throws IOException {
        Path log;
        try (var files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        return dev.llmo.eventlog.Logged.firstResponseText(log);
    }

    @Test
    void runTimeoutInJsonIsATimeoutError() throws Exception {
        server.enqueue(trickle());
        Result result = cli().run("run", "--json", "--timeout", "1", "hi");

        assertThat(result.exitCode()).isEqualTo(1);
        JsonNode line = json.readTree(result.out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("timeout");
        assertThat(line.at("/error/message").asText()).contains("(--timeout)");
    }

    @Test
    void aNegativeTimeoutIsAUsageError() {
        Result result = cli().run("run", "--timeout", "-1", "hi");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--timeout must be a number of seconds from 0 (no limit)");
    }

    @Test
    void chatAndChainRunTakeTheTimeoutToo() {
        server.enqueue(trickle());
        Result chat = cli().stdin("hi\n").run("chat", "--timeout", "1");
        assertThat(chat.err()).contains("no complete answer from mock within 1 s (--timeout)");

        server.enqueue(trickle());
        Result chain = cli().run("chain", "run", "quick", "--timeout", "1", "a parser");
        assertThat(chain.exitCode()).isEqualTo(1);
        assertThat(chain.err()).contains("no complete answer from mock within 1 s (--timeout)");
    }

    @Test
    void aRefusalIsAFailedCallWithTheProvidersReason() throws Exception {
        String refusal = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                + "\"refusal\":\"I can't help with that.\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        server.enqueue(sse(refusal));
        Result plain = cli().run("run", "hi");
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.err()).startsWith("llmo: error: mock refused to answer (refusal): I can't help with that.");

        server.enqueue(sse(refusal));
        Result result = cli().run("run", "--json", "hi");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(json.readTree(result.out()).at("/error/kind").asText()).isEqualTo("refused");
    }

    @Test
    void aContentFilterIsABlockedCallWithTheStreamedTextPrinted() throws Exception {
        String filtered = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                + "data: [DONE]\n\n";
        server.enqueue(sse(filtered));
        Result plain = cli().run("run", "hi");
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.out()).isEqualTo("Once upon\n");
        assertThat(plain.err()).startsWith("llmo: error: mock stopped the answer (finish_reason content_filter)");
        assertThat(loggedResponseText()).isEqualTo("Once upon");

        server.enqueue(sse(filtered));
        JsonNode line = json.readTree(cli().run("run", "--json", "hi").out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("blocked");
    }

    @Test
    void anAnswerOfTheWrongShapeIsABadResponseWithTheTextSoFarPrintedAndLogged() throws Exception {
        String broken = TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":42},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        server.enqueue(sse(broken));
        Result plain = cli().run("run", "hi");
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.out()).isEqualTo("Hi\n");
        assertThat(plain.err()).startsWith("llmo: error: mock sent an answer of the wrong shape (choices[0].delta"
                + ".content is a number, not text or a list of text parts)").contains("is an OpenAI-compatible API");
        assertThat(plain.err().lines()).hasSize(1);
        assertThat(loggedResponseText()).isEqualTo("Hi");

        server.enqueue(sse(broken));
        JsonNode line = json.readTree(cli().run("run", "--json", "hi").out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("bad_response");
    }

    @Test
    void aRedirectIsAFailureNamingTheNewAddress() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start();
            server.enqueue(new MockResponse().setResponseCode(307)
                    .setHeader("Location", elsewhere.url("/v1/chat/completions")));
            Result result = cli().run("run", "hi");

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("a redirect to " + elsewhere.url("/v1/chat/completions"))
                    .doesNotContain("sk-mock-secret-123");
            assertThat(elsewhere.getRequestCount()).isZero();
        }
    }
}
