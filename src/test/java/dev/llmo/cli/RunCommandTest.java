package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.sse;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.net.ServerSocket;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo run} in process, against a mock OpenAI-compatible server named in LLMO_HOME/models.yaml. */
class RunCommandTest {
    static final String STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","model":"m1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"m1","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"m1","choices":[{"index":0,"delta":{"content":", world"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"m1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"m1","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}

            data: [DONE]

            """;

    /** Two providers at {@code %1$s}: mock, with a key, and local, without one. */
    private static final String MODELS = """
            mock:
              type: openai
              base_url: %1$s
              api_key_name: MOCK_API_KEY
              default_model: m1
              models:
                - name: m1
                  pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                  temperature: 0.7
                - name: m2
            local:
              type: openai
              base_url: %1$s
              default_model: tiny
            """;

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .modelsYaml(MODELS.formatted("{server}"))
            .configYaml("""
                    main_llm: mock/m1
                    roles:
                      Reviewer:
                        system: You review code.
                        model: mock/m2
                        options: { temperature: 0.2, top_p: 0.5 }
                    """);
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode sentBody() throws InterruptedException, IOException {
        RecordedRequest request = llmo.server().takeRequest();
        return json.readTree(request.getBody().readUtf8());
    }

    @Test
    void streamsTheAnswerToStdoutWithTheDefaultModel() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.run("run", "Say", "hello");

        assertThat(result).succeeded().outIs("Hello, world\n");
        assertThat(result.err()).as("no usage line when stderr is not a terminal").isEmpty();
        RecordedRequest request = llmo.server().takeRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer sk-mock-secret-123");
        JsonNode body = json.readTree(request.getBody().readUtf8());
        assertThat(body.get("model").asText()).isEqualTo("m1");
        assertThat(body.at("/messages/0").toString()).isEqualTo("{\"role\":\"user\",\"content\":\"Say hello\"}");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("temperature").asDouble()).as("model default from models.yaml").isEqualTo(0.7);
    }

    @Test
    void jsonLineHasTheContractFields() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.run("run", "--json", "-m", "mock/m1", "hi");

        assertThat(result).succeeded();
        assertThat(result.out().lines()).hasSize(1);
        JsonNode line = json.readTree(result.out());
        assertThat(line.get("model").asText()).isEqualTo("mock/m1");
        assertThat(line.get("text").asText()).isEqualTo("Hello, world");
        assertThat(line.get("stop_reason").asText()).isEqualTo("end");
        assertThat(line.get("usage").toString()).isEqualTo("{\"input_tokens\":12,\"output_tokens\":5,"
                + "\"reasoning_tokens\":0,\"cache_read_tokens\":0,\"cache_write_tokens\":0}");
        assertThat(line.get("reasoning").isNull()).isTrue();
        assertThat(line.get("refusal").isNull()).isTrue();
        assertThat(line.get("citations")).isEmpty();
        assertThat(line.get("tool_calls")).isEmpty();
        assertThat(result.out()).contains("\"cost_usd\":0.0000048,");
        assertThat(line.get("latency_ms").isIntegralNumber()).isTrue();
        assertThat(line.get("ttft_ms").isIntegralNumber()).isTrue();
        assertThat(line.get("conversation").asText()).matches("[0-9A-Z]{26}")
                .isEqualTo(llmo.onlyId());
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(fieldNames(line)).containsExactly("model", "text", "stop_reason", "reasoning", "refusal",
                "citations", "tool_calls", "tool_results", "tool_rounds", "usage", "cost_usd", "latency_ms", "ttft_ms", "conversation", "error");
    }

    private static java.util.List<String> fieldNames(JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void failedCallInJsonHasNullTextAndTheErrorObject() throws Exception {
        llmo.server().enqueue(new MockResponse().setResponseCode(429).setBody("{\"error\":{\"message\":\"You exceeded your "
                + "current quota, please check your plan and billing details.\",\"type\":\"insufficient_quota\","
                + "\"param\":null,\"code\":\"insufficient_quota\"}}"));
        Result result = llmo.run("run", "--json", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
        JsonNode line = json.readTree(result.out());
        assertThat(line.get("text").isNull()).isTrue();
        assertThat(line.get("stop_reason").isNull()).isTrue();
        assertThat(line.get("cost_usd").isNull()).isTrue();
        assertThat(line.get("error").get("kind").asText()).isEqualTo("quota");
        assertThat(line.get("error").get("status").asInt()).isEqualTo(429);
        assertThat(line.get("error").get("message").asText()).isEqualTo("mock answered HTTP 429 (quota exceeded): You "
                + "exceeded your current quota, please check your plan and billing details.");
        assertThat(result.err()).isEqualTo("llmo: error: mock answered HTTP 429 (quota exceeded): You exceeded your "
                + "current quota, please check your plan and billing details.; check the plan, credits and billing of "
                + "your mock account\n");
    }

    @Test
    void pipedStdinAloneIsThePromptAndWithWordsIsContextAfterThem() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        llmo.server().enqueue(sse(STREAM));
        assertThat(llmo.cli().stdin("line one\nline two\n").run("run")).succeeded();
        assertThat(llmo.cli().stdin("func main() {}\n").run("run", "Find", "the", "bug")).succeeded();

        assertThat(sentBody().at("/messages/0/content").asText()).isEqualTo("line one\nline two");
        assertThat(sentBody().at("/messages/0/content").asText()).isEqualTo("Find the bug\n\nfunc main() {}");
    }

    @Test
    void stdinOnATerminalIsNotRead() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        assertThat(llmo.cli().tty("i").stdin("must not be read").run("run", "hi")).succeeded();
        assertThat(sentBody().at("/messages/0/content").asText()).isEqualTo("hi");
    }

    @Test
    void noPromptIsAUsageError() {
        Result result = llmo.run("run");
        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).startsWith("llmo: error: no prompt: give PROMPT words or pipe text on stdin; ");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    /** picocli's own wording ("Value for option option '--option' (KEY=VALUE) should be …") is not shown. */
    @Test
    void anOptionWithoutAnEqualsSignIsAUsageErrorWithAnExample() {
        for (String command : new String[] {"run", "chat"}) {
            Result result = llmo.run(command, "--option", "temperature", "hi");
            assertThat(result).failedWith(ExitCode.USAGE);
            assertThat(result.err()).isEqualTo("llmo: error: -o needs KEY=VALUE, got 'temperature'; e.g. -o temperature=0.2\n");
        }
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aValueThatIsNotANumberIsSaidInWordsNotJavaTypes() {
        Result timeout = llmo.run("run", "--timeout", "abc", "hi");
        Result limit = llmo.run("log", "list", "--limit", "x");
        assertThat(timeout).failedWith(ExitCode.USAGE);
        assertThat(timeout.err()).isEqualTo("llmo: error: Invalid value for option '--timeout': 'abc' is not a number; "
                + "see 'llmo run --help'\n");
        assertThat(limit.err()).isEqualTo("llmo: error: Invalid value for option '--limit': 'x' is not a whole number; "
                + "see 'llmo log list --help'\n");
    }

    /**
     * A bad value of llmo's own options is the mistake of the file that sets it (exit 3, at its place), not of the
     * command line: the -o example would point at a flag the user never typed.
     */
    @Test
    void aBadOptionValueInModelsYamlOrARoleIsAConfigurationErrorAtItsPlace() throws IOException {
        Files.writeString(llmo.home().resolve("llmo/models.yaml"), MODELS.formatted(llmo.server().url("/v1"))
                + "  models:\n    - { name: hot, temperature: 7 }\n");
        Files.writeString(llmo.home().resolve("llmo/config.yaml"), "roles:\n  Hot: { system: hi, options: { top_p: 9 } }\n");

        Result model = llmo.run("run", "-m", "local/hot", "hi");
        Result role = llmo.run("run", "-r", "Hot", "hi");

        assertThat(model).failedWith(ExitCode.CONFIG);
        assertThat(model.err()).endsWith("/models.yaml:16:7: model 'hot': option temperature is 7, but it takes a number "
                + "from 0 to 2; change it in the model's entry in models.yaml\n");
        assertThat(role).failedWith(ExitCode.CONFIG);
        assertThat(role.err()).endsWith("/config.yaml:2:8: role 'Hot': option top_p is 9, but it takes a number from 0 "
                + "to 1; change it in the role's options\n");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aDryRunRefusesTheTimeoutTheRunWouldRefuse() {
        Result result = llmo.run("run", "--dry-run", "--timeout", "-5", "hi");
        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).isEqualTo("llmo: error: --timeout must be a number of seconds from 0 (no limit) to "
                + "31536000, not -5; e.g. --timeout 120\n");
        assertThat(llmo.run("run", "--timeout", "1e9", "hi").err()).contains("not 1000000000;");
    }

    @Test
    void systemPromptRoleAndOptions() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        llmo.server().enqueue(sse(STREAM));
        assertThat(llmo.run("run", "-s", "Be terse.", "-o", "max_tokens=500", "-o", "stop=[\"\\n\"]", "-o",
                "logprobs=true", "-o", "user=42abc", "hi")).succeeded();
        assertThat(llmo.run("run", "-r", "reviewer", "-s", "Focus on tests.", "-o", "temperature=0.9", "hi"))
                .succeeded();

        JsonNode first = sentBody();
        assertThat(first.at("/messages/0").toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Be terse.\"}");
        assertThat(first.get("max_tokens").isIntegralNumber()).isTrue();
        assertThat(first.get("max_tokens").asInt()).isEqualTo(500);
        assertThat(first.get("stop").toString()).isEqualTo("[\"\\n\"]");
        assertThat(first.get("logprobs").isBoolean()).isTrue();
        assertThat(first.get("user").asText()).isEqualTo("42abc");

        JsonNode second = sentBody();
        assertThat(second.get("model").asText()).as("the role's model").isEqualTo("m2");
        assertThat(second.at("/messages/0/content").asText()).isEqualTo("You review code.\n\nFocus on tests.");
        assertThat(second.get("temperature").asDouble()).as("-o beats the role").isEqualTo(0.9);
        assertThat(second.get("top_p").asDouble()).as("the role's option").isEqualTo(0.5);
    }

    @Test
    void modelFlagBeatsTheRolesModel() throws Exception {
        llmo.server().enqueue(sse(STREAM));
        assertThat(llmo.run("run", "-r", "Reviewer", "-m", "mock/m1", "hi")).succeeded();
        assertThat(sentBody().get("model").asText()).isEqualTo("m1");
    }

    @Test
    void noStreamSendsOneRequestWithoutStreaming() throws Exception {
        llmo.server().enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody("{\"model\":\"m1\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Whole answer\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"));
        Result result = llmo.run("run", "--no-stream", "hi");
        assertThat(result).succeeded().outIs("Whole answer\n");
        JsonNode body = sentBody();
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void usageFlagPrintsUsageCostAndTimeOnStderr() {
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.run("run", "-u", "hi");
        assertThat(result).succeeded().outIs("Hello, world\n");
        assertThat(result.err()).startsWith("mock/m1: 12 in, 5 out tokens, $0.0000048, ").contains("(first token ")
                .endsWith("\n").hasLineCount(1);
    }

    @Test
    void usageShownByDefaultOnATerminalWithUnknownPrice() {
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.cli().tty("e").run("run", "-m", "mock/m2", "hi");
        assertThat(result).succeeded();
        assertThat(result.errShown()).startsWith("mock/m2: 12 in, 5 out tokens, cost unknown, ");
    }

    @Test
    void cutStreamKeepsPartialTextOnStdoutAndExits1() {
        llmo.server().enqueue(sse(STREAM.substring(0, STREAM.indexOf("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
                + "\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{},"))));
        Result result = llmo.run("run", "hi");
        assertThat(result).failedWith(ExitCode.FAILURE).outIs("Hello, world\n");
        assertThat(result.err()).isEqualTo("llmo: error: the answer from mock ended before it was complete (the stream "
                + "was cut); try again\n");
    }

    @Test
    void cutStreamInJsonKeepsThePartialText() throws Exception {
        llmo.server().enqueue(sse(STREAM.substring(0, STREAM.indexOf("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
                + "\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{},"))));
        Result result = llmo.run("run", "--json", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
        JsonNode line = json.readTree(result.out());
        assertThat(line.get("text").asText()).isEqualTo("Hello, world");
        assertThat(line.get("stop_reason").isNull()).isTrue();
        assertThat(line.get("error").get("kind").asText()).isEqualTo("incomplete");
    }

    @Test
    void inStreamErrorShowsTheProvidersMessage() {
        llmo.server().enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\n"
                + "data: {\"error\": {\"message\": \"The server had an error while processing your request. Sorry "
                + "about that!\", \"type\": \"server_error\"}}\n\n"));
        Result result = llmo.run("run", "hi");
        assertThat(result).failedWith(ExitCode.FAILURE).outIs("Par\n");
        assertThat(result.err()).startsWith("llmo: error: mock failed mid-answer (server error): The server had an "
                + "error while processing your request. Sorry about that!");
    }

    @Test
    void missingKeyExits4WithTheExactFix() {
        Result result = CliRun.in(llmo.home()).run("run", "hi");
        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.err()).isEqualTo("llmo: error: no API key for provider 'mock': MOCK_API_KEY is not set; "
                + "run 'llmo vault set MOCK_API_KEY' or 'export MOCK_API_KEY=…'\n");
        assertThat(result.out()).isEmpty();
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void missingKeyOfTheDefaultModelNamesTheModelsThatHaveOne() {
        Result result = CliRun.in(llmo.home()).env("ANTHROPIC_API_KEY", "sk-ant").env("GROQ_API_KEY", "gsk")
                .run("run", "hi");
        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.err()).isEqualTo("llmo: error: no API key for provider 'mock' of the default model "
                + "mock/m1: MOCK_API_KEY is not set; models with a key: -m anthropic/claude-sonnet-4-5, "
                + "-m groq/llama-3.3-70b-versatile (or make one the default: export "
                + "LLMO_MODEL=anthropic/claude-sonnet-4-5); or run 'llmo vault set MOCK_API_KEY'\n");
        assertThat(result.out()).isEmpty();
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void aLockedVaultStillNamesTheModelsWhoseKeysAreAtHand() {
        CliRun.in(llmo.home()).env("LLMO_VAULT_PASSWORD", "a vault password of some length").stdin("sk-other\n")
                .run("vault", "set", "OTHER_KEY");
        Result result = CliRun.in(llmo.home()).env("ANTHROPIC_API_KEY", "sk-ant").run("run", "hi");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: no API key for provider 'mock' of the default model mock/m1: "
                + "MOCK_API_KEY is not set, and the vault " + llmo.home().resolve("llmo/vault.enc") + " is locked and "
                + "there is no terminal to ask for its password; models with a key: -m anthropic/claude-sonnet-4-5 (or "
                + "make one the default: export LLMO_MODEL=anthropic/claude-sonnet-4-5); or export MOCK_API_KEY=…, or set "
                + "LLMO_VAULT_PASSWORD to the vault password\n");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aModelNamedWithDashMGetsThePlainMissingKeyError() {
        Result result = CliRun.in(llmo.home()).env("ANTHROPIC_API_KEY", "sk-ant").run("run", "-m", "mock", "hi");
        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.err()).isEqualTo("llmo: error: no API key for provider 'mock': MOCK_API_KEY is not set; "
                + "run 'llmo vault set MOCK_API_KEY' or 'export MOCK_API_KEY=…'\n");
    }

    @Test
    void rejectedKeyExits4AndTheKeyIsNeverShown() {
        llmo.server().enqueue(new MockResponse().setResponseCode(401).setBody("{\"error\":{\"message\":\"Incorrect API key "
                + "provided: sk-mock-secret-123.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        Result result = llmo.run("run", "--json", "hi");
        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.out() + result.err()).doesNotContain("sk-mock-secret-123");
        assertThat(result.err()).startsWith("llmo: error: mock refused the API key (HTTP 401): Incorrect API key "
                + "provided: ***.; check MOCK_API_KEY: run 'llmo vault set MOCK_API_KEY'");
        assertThat(result.out()).contains("\"error\":{\"kind\":\"auth\",\"status\":401,");
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void serverErrorsAreRetriedThenReported() {
        for (int i = 0; i < 3; i++) {
            llmo.server().enqueue(new MockResponse().setResponseCode(500).setHeader("retry-after-ms", "1").setBody(
                    "{\"error\":{\"message\":\"The server had an error while processing your request. Sorry about "
                            + "that!\",\"type\":\"server_error\"}}"));
        }
        Result result = llmo.cli().env("LLMO_MAX_RETRIES", null).run("run", "hi");
        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(llmo.server().getRequestCount()).isEqualTo(3);
        assertThat(result.err()).isEqualTo("llmo: error: mock answered HTTP 500 (server error): The server had an "
                + "error while processing your request. Sorry about that! (after 3 attempts); the provider is having "
                + "trouble; try again later\n");
    }

    @Test
    void retryNoticesOnATerminal() {
        llmo.server().enqueue(new MockResponse().setResponseCode(503).setHeader("retry-after-ms", "1")
                .setBody("{\"error\":{\"message\":\"busy\"}}"));
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.cli().env("LLMO_MAX_RETRIES", "1").tty("e").run("run", "hi");
        assertThat(result).succeeded().outIs("Hello, world\n");
        assertThat(result.errShown()).startsWith("llmo: mock answered HTTP 503 (overloaded): busy; retry 1 in 1 ms\n");
    }

    @Test
    void badRetrySettingIsAConfigError() {
        Result result = llmo.cli().env("LLMO_READ_TIMEOUT", "soon").run("run", "hi");
        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).startsWith("llmo: error: LLMO_READ_TIMEOUT must be a number of seconds");
    }

    @Test
    void noServerGivesOneLineCannotConnect() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        llmo.modelsYaml(MODELS.formatted("http://localhost:" + port + "/v1"));
        Result result = llmo.cli().env("LLMO_MAX_RETRIES", null).run("run", "-m", "local", "hi");
        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(result.err()).isEqualTo("llmo: error: cannot connect to http://localhost:" + port
                + " (connection refused); is the server running and reachable? check base_url of provider 'local' in "
                + "models.yaml (http://localhost:" + port + "/v1)\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void maxTokensStopIsNotedOnStderrAlsoInAPipeAndInJson() throws Exception {
        llmo.server().enqueue(sse(STREAM.replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"length\"")));
        llmo.server().enqueue(sse(STREAM.replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"length\"")));
        Result piped = llmo.cli().env("NO_COLOR", "1").run("run", "hi");
        Result json = llmo.run("run", "--json", "hi");

        // a script must not take a cut answer for a whole one: one plain line, whoever reads stderr
        String note = "llmo: note: the answer was cut at the output token limit; raise it with -o max_tokens=N\n";
        assertThat(piped).succeeded().outIs("Hello, world\n");
        assertThat(piped.err()).isEqualTo(note);
        assertThat(json).succeeded();
        assertThat(this.json.readTree(json.out()).get("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(json.err()).isEqualTo(note);
    }

    @Test
    void compareWithOneModelSaysThereIsNothingToSetBesideIt() {
        llmo.server().enqueue(sse(STREAM));
        Result result = llmo.run("run", "--compare", "hi");

        assertThat(result).succeeded().outIs("Hello, world\n");
        assertThat(result.err()).startsWith("llmo: note: --compare sets several models' answers side by side; with one "
                + "model its answer is shown alone (name more with -m A -m B)\n");
    }

    /** A dry run says what the budgets would say to the run: the models held one after another, as a run holds them. */
    @Test
    void dryRunSaysWhichModelsTheBudgetWouldRefuse() throws Exception {
        Result within = llmo.run("run", "--dry-run", "--max-cost", "1", "-m", "mock/m1", "hi");
        Result second = llmo.run("run", "--dry-run", "--max-cost", "0.0075", "-m", "mock/m1", "-m", "mock/m1", "hi");
        Result unknown = llmo.run("run", "--dry-run", "--max-cost", "1", "-m", "mock/m2", "hi");
        Result json = llmo.run("run", "--dry-run", "--json", "--max-cost", "0.000001", "-m", "mock/m1", "hi");

        assertThat(within).succeeded();
        assertThat(within.out()).doesNotContain("would be refused");
        assertThat(second).succeeded();
        assertThat(second.out().lines().filter(line -> line.startsWith("mock/m1: "))).hasSize(2);
        assertThat(second.out()).containsOnlyOnce("would be refused").endsWith("\n  would be refused (exit 5): this "
                + "request could cost up to $0.00492 (11 input tokens, 8,192 output tokens max); with $0.004917 spent in "
                + "this run it would pass the per-run budget of $0.0075 (--max-cost); raise --max-cost, or lower the "
                + "answer's limit with -o max_tokens=N\n");
        assertThat(unknown.out()).contains("  would be refused (exit 5): the price of mock/m2 is unknown, so the budget "
                + "(per run $1.00) cannot be checked");
        assertThat(this.json.readTree(json.out()).get("budget_refusal").asText())
                .startsWith("this request could cost up to $0.00").contains("(--max-cost); raise --max-cost");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void dryRunCountsAndPricesEveryModelAndSendsNothing() throws Exception {
        Result human = llmo.run("run", "--dry-run", "-m", "mock/m1", "-m", "local/tiny", "Say hello");
        Result json = llmo.run("run", "--dry-run", "--json", "-m", "mock/m1", "Say hello");

        assertThat(human).succeeded();
        assertThat(human.out()).containsPattern("mock/m1: \\d+ input tokens \\(estimated\\) of an unknown window")
                .contains("local/tiny: ").contains("cost unknown");
        JsonNode line = this.json.readTree(json.out());
        assertThat(line.get("model").asText()).isEqualTo("mock/m1");
        assertThat(line.get("input_tokens").asLong()).isPositive();
        assertThat(line.has("context_window") && line.has("max_output_tokens") && line.has("dropped_messages")
                && line.has("estimated_cost_usd")).isTrue();
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void unknownModelAndRoleAreConfigErrors() {
        assertThat(llmo.run("run", "-m", "nope", "hi")).failedWith(ExitCode.CONFIG);
        assertThat(llmo.run("run", "-r", "Nobody", "hi")).failedWith(ExitCode.CONFIG);
        assertThat(llmo.server().getRequestCount()).isZero();
    }
}
