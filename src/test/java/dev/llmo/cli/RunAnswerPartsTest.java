package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.message.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user sees of a recorded answer's parts, end to end through {@code llmo run} against a mock server: the
 * reasoning on stderr (never stdout), the cited sources after the answer on a terminal, every part in --json.
 */
class RunAnswerPartsTest {
    private static final String REASONING = "The user: \"Describe a rabbit in 3 words\". So";

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("default_model: m1")
            .configYaml("main_llm: mock/m1\n");
    private final ObjectMapper json = new ObjectMapper();

    /** Answers the next request with a recorded response from src/test/resources/recorded. */
    private void answerWith(String fixture) throws IOException {
        try (InputStream in = RunAnswerPartsTest.class.getResourceAsStream("/recorded/" + fixture)) {
            assertThat(in).as(fixture).isNotNull();
            llmo.server().enqueue(new MockResponse()
                    .setHeader("Content-Type", fixture.endsWith(".sse") ? "text/event-stream" : "application/json")
                    .setBody(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
    }

    @Test
    void onATerminalTheReasoningStreamsToStderrAndStdoutHasTheAnswerAlone() throws IOException {
        answerWith("openai/ollama-reasoning.sse");
        Result result = llmo.cli().tty("oe").env("NO_COLOR", "1").run("run", "Describe a rabbit in 3 words");

        assertThat(result).succeeded().outIs("Fluffy, swift, curious.\n");
        assertThat(result.errShown()).startsWith(REASONING + "\n").doesNotContain("Fluffy");
    }

    @Test
    void theLogKeepsTheReasoningBesideTheAnswer() throws IOException {
        answerWith("openai/ollama-reasoning.sse");
        assertThat(llmo.run("run", "Describe a rabbit in 3 words")).succeeded();

        EventData.Response response = EventLog.read(llmo.onlyLog()).stream().map(EventCodec::decode)
                .filter(EventData.Response.class::isInstance).map(EventData.Response.class::cast).findFirst().orElseThrow();
        assertThat(response.parts()).first().isInstanceOfSatisfying(Part.Reasoning.class,
                reasoning -> assertThat(reasoning.text()).startsWith(REASONING));
        assertThat(response.text()).isEqualTo("Fluffy, swift, curious.");
    }

    @Test
    void colourDimsTheReasoningOnATerminal() throws IOException {
        answerWith("openai/ollama-reasoning.sse");
        Result result = llmo.cli().tty("oe").run("run", "Describe a rabbit in 3 words");

        assertThat(result.errShown()).startsWith("\u001b[2m").contains("\u001b[2m So\u001b[0m\n");
        assertThat(result.out()).isEqualTo("Fluffy, swift, curious.\n");
    }

    @Test
    void inAPipeTheReasoningIsHiddenUnlessAskedForAndNoReasoningHidesItOnATerminal() throws IOException {
        answerWith("openai/ollama-reasoning.sse");
        Result piped = llmo.run("run", "Describe a rabbit in 3 words");
        answerWith("openai/ollama-reasoning.sse");
        Result asked = llmo.run("run", "--reasoning", "Describe a rabbit in 3 words");
        answerWith("openai/ollama-reasoning.sse");
        Result hidden = llmo.cli().tty("e").run("run", "--no-reasoning", "Describe a rabbit in 3 words");

        assertThat(piped.out()).isEqualTo("Fluffy, swift, curious.\n");
        assertThat(piped.err()).isEmpty();
        assertThat(asked.out()).isEqualTo("Fluffy, swift, curious.\n");
        assertThat(asked.err()).isEqualTo(REASONING + "\n");
        assertThat(hidden.err()).doesNotContain("The user");
    }

    @Test
    void jsonHasTheReasoningAndTheFullUsage() throws IOException {
        answerWith("openai/ollama-reasoning.sse");
        Result result = llmo.run("run", "--json", "Describe a rabbit in 3 words");

        JsonNode line = json.readTree(result.out());
        assertThat(line.get("text").asText()).isEqualTo("Fluffy, swift, curious.");
        assertThat(line.get("reasoning").asText()).isEqualTo(REASONING);
        assertThat(line.get("usage").toString()).isEqualTo("{\"input_tokens\":75,\"output_tokens\":31,"
                + "\"reasoning_tokens\":0,\"cache_read_tokens\":0,\"cache_write_tokens\":0}");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void citationsAreANumberedListAfterTheAnswerOnATerminalAndOnStderrInAPipe() throws IOException {
        answerWith("openai/perplexity-citations.json");
        Result terminal = llmo.cli().tty("oe").run("run", "--no-stream", "How many stars are in the Milky Way?");
        answerWith("openai/perplexity-citations.json");
        Result piped = llmo.run("run", "--no-stream", "How many stars are in the Milky Way?");
        answerWith("openai/perplexity-citations.json");
        Result jsonRun = llmo.run("run", "--no-stream", "--json", "How many stars are in the Milky Way?");

        assertThat(terminal.out()).contains("roughly 100 to 400 billion stars.\n\nSources:\n"
                + "[1] https://imagine.gsfc.nasa.gov/science/objects/milkyway1.html\n"
                + "[2] https://www.esa.int/Science_Exploration/Space_Science/Herschel/"
                + "How_many_stars_are_there_in_the_Universe\n")
                .endsWith("[5] https://bigthink.com/starts-with-a-bang/overestimated-stars-in-universe/\n");
        assertThat(piped.out()).endsWith("roughly 100 to 400 billion stars.\n").doesNotContain("Sources:");
        assertThat(piped.err()).startsWith("Sources:\n"
                + "[1] https://imagine.gsfc.nasa.gov/science/objects/milkyway1.html\n");
        assertThat(jsonRun.err()).doesNotContain("Sources:");
        JsonNode citations = json.readTree(jsonRun.out()).get("citations");
        assertThat(citations).hasSize(5);
        assertThat(citations.get(3).toString()).isEqualTo("{\"url\":\"https://www.youtube.com/watch?v=Py2nZYmvTKg\","
                + "\"title\":null,\"cited_text\":null}");
    }
}
