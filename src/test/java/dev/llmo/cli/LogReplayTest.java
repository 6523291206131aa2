package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo log replay}: the recorded conversation again, offline, with every request digest checked. */
class LogReplayTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().configYaml("main_llm: mock/m1\n");

    @BeforeEach
    void writeModels() {
        writeModels("anthropic");
    }

    private void writeModels(String claudeType) {
        llmo.modelsYaml("""
                mock:
                  type: openai
                  base_url: {server}
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                      top_p: 0.9
                claude:
                  type: %s
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [{ name: c1, max_output_tokens: 1000 }]
                """.formatted(claudeType, llmo.server().url("/")));
    }

    private void openAiAnswer(String text) {
        llmo.server().enqueue(streamed(text));
    }

    @Test
    void replaysEveryCallOfliineWithTheSameOutput() throws Exception {
        openAiAnswer("First answer.");
        openAiAnswer("Second answer.");
        llmo.server().enqueue(new MockResponse().setBody("{\"id\":\"msg\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Third, from Claude.\"}],\"stop_reason\":\"end_turn\","
                + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4}}"));
        Result one = llmo.run("run", "-s", "Be terse.", "-o", "temperature=0.25", "-o", "max_tokens=50",
                "-o", "stop=[\"END\"]", "one");
        Result two = llmo.run("run", "-c", "two");
        Result three = llmo.run("run", "-c", "-m", "claude/c1", "--no-stream", "three");
        assertThat(one).succeeded();
        assertThat(two).succeeded();
        assertThat(three).succeeded();
        int sent = llmo.server().getRequestCount();

        Result replay = llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId().substring(0, 10));

        assertThat(replay).succeeded().outIs(one.out() + two.out() + three.out());
        assertThat(replay.err()).isEqualTo("llmo: replayed 3 calls of " + llmo.onlyId()
                + "; every request matched its recorded digest\n");
        assertThat(llmo.server().getRequestCount()).as("no network").isEqualTo(sent);
    }

    @Test
    void aFanOutReplaysWithItsSectionsAndAPipelineWithItsLastAnswer() throws Exception {
        openAiAnswer("A");
        openAiAnswer("B");
        Result fanOut = llmo.run("run", "-m", "mock/m1", "-m", "mock/m1", "--concurrency", "1", "question");
        assertThat(fanOut).succeeded();
        String fanOutId = llmo.onlyId();

        Result replay = llmo.run("log", "replay", fanOutId);

        assertThat(replay).succeeded().outIs(fanOut.out());
    }

    /** Answers the next request with a recorded response from src/test/resources/recorded. */
    private void answerWith(String fixture) throws IOException {
        try (java.io.InputStream in = LogReplayTest.class.getResourceAsStream("/recorded/" + fixture)) {
            assertThat(in).as(fixture).isNotNull();
            llmo.server().enqueue(new MockResponse()
                    .setHeader("Content-Type", fixture.endsWith(".sse") ? "text/event-stream" : "application/json")
                    .setBody(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    @Test
    void theReasoningIsReplayedOnStderrAsRunShowsItNeverOnStdout() throws Exception {
        answerWith("openai/ollama-reasoning.sse");
        Result run = llmo.cli().tty("oe").env("NO_COLOR", "1").run("run", "Describe a rabbit in 3 words");
        assertThat(run.exitCode()).as(run.err()).isZero();

        Result terminal = llmo.cli().tty("oe").env("NO_COLOR", "1").run("log", "replay", llmo.onlyId());
        Result dimmed = llmo.cli().tty("oe").run("log", "replay", llmo.onlyId());
        Result piped = llmo.cli().run("log", "replay", llmo.onlyId());
        Result asked = llmo.cli().run("log", "replay", "--reasoning", llmo.onlyId());

        String reasoning = "The user: \"Describe a rabbit in 3 words\". So\n";
        assertThat(terminal.exitCode()).as(terminal.err()).isZero();
        assertThat(terminal.out()).isEqualTo(run.out()).isEqualTo("Fluffy, swift, curious.\n");
        assertThat(terminal.err()).startsWith(reasoning).isEqualTo(reasoning + "llmo: replayed 1 call of " + llmo.onlyId()
                + "; every request matched its recorded digest\n");
        assertThat(dimmed.err()).startsWith("\u001b[2m").contains("So\u001b[0m\n");
        assertThat(piped.out()).isEqualTo("Fluffy, swift, curious.\n");
        assertThat(piped.err()).doesNotContain("The user");
        assertThat(asked.err()).startsWith(reasoning);
    }

    /**
     * A replay reproduces the run, its failure too: a stream cut mid-answer, then a refusal, each replayed as its
     * text, the error line the run printed (without the fix, which is not recorded) and the run's exit code.
     */
    @Test
    void aRecordedFailureIsReplayedWithItsErrorLineAndExitCode() throws Exception {
        llmo.server().enqueue(dev.llmo.OpenAiAnswers.sse("data: {\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"partial \"},\"finish_reason\":null}]}\n\n"
                + "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n"));
        Result run = llmo.run("run", "hi");
        assertThat(run).failedWith(ExitCode.FAILURE);

        Result replay = llmo.run("log", "replay", llmo.onlyId());
        assertThat(replay).failedWith(ExitCode.FAILURE).outIs(run.out());
        assertThat(replay.err().lines().toList()).containsExactly(
                "llmo: error: mock failed mid-answer (server error): The server had an error",
                "llmo: replayed 1 call of " + llmo.onlyId() + "; every request matched its recorded digest; the run "
                        + "ended with exit 1, as recorded");
        assertThat(run.err()).startsWith(replay.err().lines().findFirst().orElseThrow() + "; ");

        llmo.server().enqueue(dev.llmo.OpenAiAnswers.sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":"
                + "\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":null}]}"
                + "\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n"));
        Result refused = llmo.run("run", "-c", "hi again");
        assertThat(refused).failedWith(ExitCode.FAILURE);

        Result both = llmo.run("log", "replay", llmo.onlyId());
        assertThat(both).failedWith(ExitCode.FAILURE).outIs(run.out());
        // each run's error after its answer, and the refusal said once, by its error line, as the run said it
        assertThat(both.err().lines().toList()).containsExactly(
                "llmo: error: mock failed mid-answer (server error): The server had an error",
                "llmo: error: mock refused to answer (refusal): I can't help with that.",
                "llmo: replayed 2 calls of " + llmo.onlyId() + "; every request matched its recorded digest; the run "
                        + "ended with exit 1, as recorded");
    }

    @Test
    void citationsAreReplayedAsANumberedSourceListAfterTheAnswerOrOnStderrInAPipe() throws Exception {
        answerWith("openai/perplexity-citations.json");
        Result run = llmo.cli().tty("oe").run("run", "--no-stream", "How many stars are in the Milky Way?");
        assertThat(run.exitCode()).as(run.err()).isZero();

        Result terminal = llmo.cli().tty("oe").run("log", "replay", llmo.onlyId());
        Result piped = llmo.cli().run("log", "replay", llmo.onlyId());

        assertThat(terminal.exitCode()).as(terminal.err()).isZero();
        assertThat(terminal.out()).isEqualTo(run.out()).contains("stars.\n\nSources:\n"
                + "[1] https://imagine.gsfc.nasa.gov/science/objects/milkyway1.html\n")
                .endsWith("[5] https://bigthink.com/starts-with-a-bang/overestimated-stars-in-universe/\n");
        assertThat(piped.out()).endsWith("100 to 400 billion stars.\n").doesNotContain("Sources:");
        assertThat(piped.err()).contains("Sources:\n[1] https://imagine.gsfc.nasa.gov/science/objects/milkyway1.html\n");
    }

    @Test
    void aFanOutsReasoningIsReplayedUnderEachModelsLabelAndItsSourcesAfterItsSection() throws Exception {
        answerWith("openai/ollama-reasoning.sse");
        answerWith("openai/perplexity-citations.json");
        Result fanOut = llmo.cli().tty("oe").env("NO_COLOR", "1").run("run", "-m", "mock/m1", "-m", "mock/m1",
                "--concurrency", "1", "question");
        assertThat(fanOut.exitCode()).as(fanOut.err()).isZero();

        Result replay = llmo.cli().tty("oe").env("NO_COLOR", "1").run("log", "replay", llmo.onlyId());

        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("Fluffy, swift, curious.\n").contains("\nSources:\n[1] https://");
        assertThat(replay.err()).contains("reasoning:\nThe user: \"Describe a rabbit in 3 words\". So\n");
    }

    @Test
    void aChangedConfigurationIsTheFirstDivergence() throws Exception {
        llmo.server().enqueue(new MockResponse().setBody("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"Hi.\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));
        assertThat(llmo.run("run", "-m", "claude/c1", "--no-stream", "hello")).succeeded();
        // the provider now speaks another wire format: the request built today is not the one sent
        writeModels("openai");

        Result replay = llmo.run("log", "replay", llmo.onlyId());

        assertThat(replay).failedWith(ExitCode.FAILURE)
                .errContains("diverged at line 3 (request 2): the request llmo builds now differs");
    }

    @Test
    void aRequestWhoseContentWasRedactedIsNamedAsSuchNotAsAChangedConfiguration() throws Exception {
        openAiAnswer("Answer.");
        assertThat(llmo.run("run", "a secret question")).succeeded();
        Path log = llmo.home().resolve("llmo/conversations/" + llmo.onlyId() + ".jsonl");
        // redacted as event-log.md says: the user message's content removed, its digest left in data
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        var message = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(lines.get(1));
        assertThat(message.get("type").asText()).isEqualTo("message");
        message.remove("content");
        lines.set(1, mapper.writeValueAsString(message));
        Files.write(log, lines);
        assertThat(llmo.run("log", "verify", llmo.onlyId())).succeeded();

        Result replay = llmo.run("log", "replay", llmo.onlyId());

        assertThat(replay).failedWith(ExitCode.FAILURE)
                .errContains("at line 3 (request 2): the request cannot be rebuilt, since the content of line 2 (a "
                        + "message event, seq 1) it sent was redacted from the log");
        assertThat(replay.err()).doesNotContain("has changed since");
    }

    @Test
    void aTamperedLogIsNotReplayed() throws Exception {
        openAiAnswer("Answer.");
        assertThat(llmo.run("run", "hello")).succeeded();
        Path log = llmo.home().resolve("llmo/conversations/" + llmo.onlyId() + ".jsonl");
        Files.writeString(log, Files.readString(log).replace("Answer.", "Forged."));

        Result replay = llmo.run("log", "replay", llmo.onlyId());

        assertThat(replay).failedWith(ExitCode.LOG_INVALID).outIsEmpty();
    }
}
