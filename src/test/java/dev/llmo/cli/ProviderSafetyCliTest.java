package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.sse;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user sees when a provider refuses, blocks, redirects or trickles, and when {@code -o} tries to replace the
 * request's structure: exit codes, one-line errors, {@code --json} error kinds, {@code --timeout}.
 */
class ProviderSafetyCliTest {
    /** An Anthropic provider on the test server, beside the models of {@link #models}. */
    private static final String ANTHROPIC = """
            ant:
              type: anthropic
              base_url: {server}
              api_key_name: MOCK_API_KEY
              models: [a1]
            """;

    private static final String TRICKLE_START = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
            + "\"finish_reason\":null}]}\n\n";

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .modelsYaml(models(""))
            .configYaml("""
                    main_llm: mock/m1
                    chains:
                      quick:
                        - "Draft>/Developer)-mock/m1"
                    """);
    private final ObjectMapper json = new ObjectMapper();

    /** The provider mock at the server, with {@code extraModelKeys} for its model m1. */
    private static String models(String extraModelKeys) {
        return """
                mock:
                  type: openai
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      temperature: 0.7%s
                """.formatted(extraModelKeys);
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
            Result result = llmo.run("run", "-o", option, "hi");
            String name = option.substring(0, option.indexOf('='));
            assertThat(result).as(option).failedWith(ExitCode.USAGE);
            assertThat(result.err()).as(option).startsWith("llmo: error: option '" + name + "' cannot be set (-o "
                    + name + "=…): llmo writes '" + name + "' of the openai request to provider 'mock' itself; ");
            assertThat(result.err().lines()).as(option).hasSize(1);
        }
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    /** Anthropic takes a temperature from 0 to 1: above is a usage error before sending, not the provider's 400. */
    @Test
    void aTemperatureAnthropicDoesNotTakeIsAUsageErrorAndNothingIsSent() {
        llmo.modelsYaml(models("") + ANTHROPIC);
        for (String[] args : new String[][] {{"run", "-m", "ant/a1", "-o", "temperature=1.5", "hi"},
                {"run", "--dry-run", "-m", "ant/a1", "-o", "temperature=1.5", "hi"}}) {
            Result result = llmo.run(args);
            assertThat(result).as(String.join(" ", args)).failedWith(ExitCode.USAGE);
            assertThat(result.err()).as(String.join(" ", args)).isEqualTo("llmo: error: option temperature is 1.5, "
                    + "but anthropic takes a number from 0 to 1; e.g. -o temperature=0.7\n");
        }
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void optionsAskingForSeveralAnswersOrDeprecatedFunctionsAreUsageErrorsAndNothingIsSent() {
        for (String option : new String[] {"n=128", "functions=[]", "function_call=auto",
                "modalities=[\"text\",\"audio\"]"}) {
            Result result = llmo.run("run", "-o", option, "hi");
            String name = option.substring(0, option.indexOf('='));
            assertThat(result).as(option).failedWith(ExitCode.USAGE);
            assertThat(result.err()).as(option).startsWith("llmo: error: option '" + name + "' cannot be set (-o "
                    + option + "): ").contains("; drop -o " + name);
            assertThat(result.err().lines()).as(option).hasSize(1);
        }
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void toolsGivenThroughOptionsAreSentAndTheToolCallIsAnAnswer() throws Exception {
        // openai-python's recorded tool-call stream (wire-formats.md section 1), shortened
        llmo.server().enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"index\":0,\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":"
                + "\"get_sum\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"{\\\"a\\\":2}\"}}]},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
                + "data: [DONE]\n\n"));
        Result result = llmo.run("run", "-o", "tools=[{\"type\":\"function\",\"function\":{\"name\":\"get_sum\"}}]",
                "-o", "tool_choice=required", "2+3?");
        // no text: the call llmo did not run is the answer, shown also when no terminal watches stderr
        assertThat(result).succeeded().outIs("");
        assertThat(result.err()).isEqualTo("llmo: tool call get_sum {\"a\":2} (call_A)\n");
        var body = json.readTree(llmo.server().takeRequest().getBody().readUtf8());
        assertThat(body.get("tools").get(0).get("function").get("name").asText()).isEqualTo("get_sum");
        assertThat(body.get("tool_choice").asText()).isEqualTo("required");
    }

    @Test
    void oneAnswerAskedWithNEqualToOneIsSent() throws Exception {
        llmo.server().enqueue(sse(TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
                + "\n\ndata: [DONE]\n\n"));
        Result result = llmo.run("run", "-o", "n=1", "hi");
        assertThat(result).succeeded();
        assertThat(json.readTree(llmo.server().takeRequest().getBody().readUtf8()).get("n").asInt()).isEqualTo(1);
    }

    @Test
    void anOrdinaryOptionStillPassesThrough() throws Exception {
        llmo.server().enqueue(sse(TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
                + "\n\ndata: [DONE]\n\n"));
        Result result = llmo.run("run", "-o", "seed=7", "hi");
        assertThat(result).succeeded();
        JsonNode body = json.readTree(llmo.server().takeRequest().getBody().readUtf8());
        assertThat(body.get("seed").asInt()).isEqualTo(7);
        assertThat(body.get("model").asText()).isEqualTo("m1");
    }

    @Test
    void aModelDefaultThatWouldReplaceTheStructureIsAConfigurationError() throws IOException {
        llmo.modelsYaml(models("\n      stream: false"));
        Result result = llmo.run("run", "hi");
        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).contains("model 'm1' sets option 'stream', which llmo writes itself in requests "
                + "of type openai").contains("models.yaml");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void runTimeoutEndsATricklingAnswerWithTheTextKept() throws IOException {
        llmo.server().enqueue(trickle());
        Result result = llmo.run("run", "--timeout", "1", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(result.out()).startsWith("Hi");
        assertThat(result.err()).contains("llmo: error: no complete answer from mock within 1 s (--timeout)");
        assertThat(loggedResponseText()).startsWith("Hi");
    }

    /** The text of the response event in the run's conversation log. */
    private String loggedResponseText() {
        return dev.llmo.eventlog.Logged.firstResponseText(llmo.onlyLog());
    }

    @Test
    void runTimeoutInJsonIsATimeoutError() throws Exception {
        llmo.server().enqueue(trickle());
        Result result = llmo.run("run", "--json", "--timeout", "1", "hi");

        assertThat(result).failedWith(ExitCode.FAILURE);
        JsonNode line = json.readTree(result.out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("timeout");
        assertThat(line.at("/error/message").asText()).contains("(--timeout)");
    }

    @Test
    void aNegativeTimeoutIsAUsageError() {
        Result result = llmo.run("run", "--timeout", "-1", "hi");
        assertThat(result).failedWith(ExitCode.USAGE)
                .errContains("--timeout must be a number of seconds from 0 (no limit)");
    }

    @Test
    void chatAndChainRunTakeTheTimeoutToo() {
        llmo.server().enqueue(trickle());
        Result chat = llmo.cli().stdin("hi\n").run("chat", "--timeout", "1");
        assertThat(chat.err()).contains("no complete answer from mock within 1 s (--timeout)");

        llmo.server().enqueue(trickle());
        Result chain = llmo.run("chain", "run", "quick", "--timeout", "1", "a parser");
        assertThat(chain).failedWith(ExitCode.FAILURE)
                .errContains("no complete answer from mock within 1 s (--timeout)");
    }

    @Test
    void aRefusalIsAFailedCallWithTheProvidersReason() throws Exception {
        String refusal = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                + "\"refusal\":\"I can't help with that.\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        llmo.server().enqueue(sse(refusal));
        Result plain = llmo.run("run", "hi");
        assertThat(plain).failedWith(ExitCode.FAILURE);
        assertThat(plain.err()).startsWith("llmo: error: mock refused to answer (refusal): I can't help with that.");

        llmo.server().enqueue(sse(refusal));
        Result result = llmo.run("run", "--json", "hi");
        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(json.readTree(result.out()).at("/error/kind").asText()).isEqualTo("refused");
    }

    /**
     * Anthropic's refusal is a stop reason with an explanation (tools-batch-reasoning.md section 4): the text before it
     * is the answer the classifier cut (printed, logged and in --json as text), the explanation is the refusal (the
     * log's refusal part, --json's {@code refusal}), as OpenAI's {@code refusal} field is; the error line says it on
     * stderr with --json too, as the max_tokens note is said. Streamed and whole.
     */
    @Test
    void anAnthropicRefusalIsARefusalPartBesideTheTextItCut() throws Exception {
        llmo.modelsYaml(models("") + ANTHROPIC);
        String streamed = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"a1\",\"usage\":"
                + "{\"input_tokens\":20,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello..\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\","
                + "\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\",\"category\":\"cyber\","
                + "\"explanation\":\"This request was declined because it could enable cyber harm.\"}},"
                + "\"usage\":{\"output_tokens\":3}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        String whole = "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"a1\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Hello..\"}],\"stop_reason\":\"refusal\","
                + "\"stop_sequence\":null,\"stop_details\":{\"type\":\"refusal\",\"category\":\"cyber\","
                + "\"explanation\":\"This request was declined because it could enable cyber harm.\"},"
                + "\"usage\":{\"input_tokens\":20,\"output_tokens\":3}}";
        String explanation = "This request was declined because it could enable cyber harm.";
        for (boolean stream : new boolean[] {true, false}) {
            llmo.server().enqueue(stream ? sse(streamed)
                    : new MockResponse().setHeader("Content-Type", "application/json").setBody(whole));
            Result result = stream ? llmo.run("run", "--json", "-m", "ant/a1", "hi")
                    : llmo.run("run", "--json", "--no-stream", "-m", "ant/a1", "hi");
            assertThat(result).as("stream " + stream).failedWith(ExitCode.FAILURE);
            JsonNode line = json.readTree(result.out());
            assertThat(line.get("text").asText()).as("stream " + stream).isEqualTo("Hello..");
            assertThat(line.get("refusal").asText()).as("stream " + stream).isEqualTo(explanation);
            assertThat(line.get("stop_reason").asText()).isEqualTo("refused");
            assertThat(result.err().lines()).as("stream " + stream).hasSize(1).first().asString()
                    .startsWith("llmo: error: ant refused to answer (stop_reason refusal, category cyber): "
                            + explanation);

            var response = dev.llmo.eventlog.Logged.firstResponse(
                    llmo.conversations().resolve(line.get("conversation").asText() + ".jsonl"));
            assertThat(response.parts()).as("stream " + stream).containsExactly(
                    new dev.llmo.message.Part.Text("Hello.."), new dev.llmo.message.Part.Refusal(explanation));
        }
    }

    @Test
    void aContentFilterIsABlockedCallWithTheStreamedTextPrinted() throws Exception {
        String filtered = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                + "data: [DONE]\n\n";
        llmo.server().enqueue(sse(filtered));
        Result plain = llmo.run("run", "hi");
        assertThat(plain).failedWith(ExitCode.FAILURE).outIs("Once upon\n");
        assertThat(plain.err()).startsWith("llmo: error: mock stopped the answer (finish_reason content_filter)");
        assertThat(loggedResponseText()).isEqualTo("Once upon");

        llmo.server().enqueue(sse(filtered));
        JsonNode line = json.readTree(llmo.run("run", "--json", "hi").out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("blocked");
    }

    /**
     * A refusal or a block is how the model or its filter ended the answer, in every wire format: a failed call (exit
     * 1, its error kind) whose stop reason says so in --json, the log, show and export, never "incomplete".
     */
    @Test
    void aRefusedOrBlockedAnswerKeepsItsStopReasonEverywhere() throws Exception {
        llmo.modelsYaml(models("") + """
                ant:
                  type: anthropic
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  models: [a1]
                gem:
                  type: gemini
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  models: [g1]
                """);
        String anthropicStart = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"a1\",\"usage\":"
                + "{\"input_tokens\":20,\"output_tokens\":1}}}\n\n";
        String[][] cases = {
            {"mock/m1", "refused", "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                    + "\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":null}]}\n\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n"},
            {"mock/m1", "blocked", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"},"
                    + "\"finish_reason\":null}]}\n\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                    + "data: [DONE]\n\n"},
            {"ant/a1", "refused", anthropicStart
                    + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"I will not\"}}\n\n"
                    + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                    + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                    + "\"refusal\"},\"usage\":{\"output_tokens\":3}}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"},
            {"gem/g1", "blocked", "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Starting\"}],"
                    + "\"role\":\"model\"}}]}\n\n"
                    + "data: {\"candidates\":[{\"finishReason\":\"SAFETY\"}],\"usageMetadata\":"
                    + "{\"promptTokenCount\":10,\"candidatesTokenCount\":1}}\n\n"},
            {"gem/g1", "blocked", "data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
                    + "\"usageMetadata\":{\"promptTokenCount\":10}}\n\n"},
        };
        for (String[] c : cases) {
            String model = c[0];
            String stop = c[1];
            llmo.server().enqueue(sse(c[2]));
            Result result = llmo.run("run", "--json", "-m", model, "hi");
            assertThat(result).as(model + " " + stop).failedWith(ExitCode.FAILURE);
            JsonNode line = json.readTree(result.out());
            assertThat(line.get("stop_reason").asText()).as(model).isEqualTo(stop);
            assertThat(line.at("/error/kind").asText()).as(model).isEqualTo(stop);

            String id = line.get("conversation").asText();
            var response = dev.llmo.eventlog.Logged.firstResponse(llmo.conversations().resolve(id + ".jsonl"));
            assertThat(response.stopReason()).as(model).isEqualTo(stop);
            assertThat(response.complete()).as(model).isTrue();
            assertThat(llmo.run("log", "show", id).out()).as(model).contains("[" + stop + " · ")
                    .doesNotContain("incomplete");
            assertThat(llmo.run("log", "export", id).out()).as(model).contains("_" + stop + " · ")
                    .doesNotContain("incomplete");
        }
    }

    @Test
    void anAnswerOfTheWrongShapeIsABadResponseWithTheTextSoFarPrintedAndLogged() throws Exception {
        String broken = TRICKLE_START + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":42},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        llmo.server().enqueue(sse(broken));
        Result plain = llmo.run("run", "hi");
        assertThat(plain).failedWith(ExitCode.FAILURE).outIs("Hi\n");
        assertThat(plain.err()).startsWith("llmo: error: mock sent an answer of the wrong shape (choices[0].delta"
                + ".content is a number, not text or a list of text parts)").contains("is an OpenAI-compatible API");
        assertThat(plain.err().lines()).hasSize(1);
        assertThat(loggedResponseText()).isEqualTo("Hi");

        llmo.server().enqueue(sse(broken));
        JsonNode line = json.readTree(llmo.run("run", "--json", "hi").out());
        assertThat(line.at("/error/kind").asText()).isEqualTo("bad_response");
    }

    @Test
    void aRedirectIsAFailureNamingTheNewAddress() throws Exception {
        try (MockWebServer elsewhere = MockServers.create()) {
            elsewhere.start();
            llmo.server().enqueue(new MockResponse().setResponseCode(307)
                    .setHeader("Location", elsewhere.url("/v1/chat/completions")));
            Result result = llmo.run("run", "hi");

            assertThat(result).failedWith(ExitCode.FAILURE);
            assertThat(result.err()).contains("a redirect to " + elsewhere.url("/v1/chat/completions"))
                    .doesNotContain("sk-mock-secret-123");
            assertThat(elsewhere.getRequestCount()).isZero();
        }
    }
}
