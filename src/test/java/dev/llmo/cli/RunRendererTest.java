package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.AnswerFixtures;
import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import dev.llmo.failure.FailureException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one call's answer looks like on stdout and stderr, for every kind of part (messages from AnswerFixtures). */
class RunRendererTest {
    private static final String ESC = "\u001b";
    /** A person at a terminal: stdout and stderr on it, colour on. */
    private static final AnswerExtras.Shown TERMINAL = new AnswerExtras.Shown(true, true, true, true, true, true);
    /** Both streams piped, no flags. */
    private static final AnswerExtras.Shown PIPES = new AnswerExtras.Shown(false, false, false, false, true, false);

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private RunRenderer renderer(boolean json, boolean terminal, AnswerExtras.Shown shown) {
        return new RunRenderer(new PrintWriter(out), new PrintWriter(err), json, false, shown.notes(), terminal,
                shown);
    }

    private void render(RunRenderer renderer, RunResult result) {
        AnswerFixtures.stream(result.answer(), renderer);
        renderer.finish(result);
    }

    @Test
    void onATerminalTheReasoningIsDimmedOnStderrAndTheSourcesFollowTheAnswer() {
        render(renderer(false, true, TERMINAL), AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(out.toString()).isEqualTo("The capital of France is Paris.\n"
                + "\nSources:\n"
                + "[1] Paris - Wikipedia <https://en.wikipedia.org/wiki/Paris>\n"
                + "[2] https://www.britannica.com/place/Paris\n");
        assertThat(err.toString()).startsWith(ESC + "[2mThe user wants the capital.\nParis it is." + ESC + "[0m\n")
                .contains("llmo: tool call get_weather {\"city\":\"Paris\"} (call_1)\n");
    }

    @Test
    void inPipesStdoutIsTheAnswerAloneAndStderrHoldsTheSourcesAndToolCallsButNoReasoning() {
        render(renderer(false, false, PIPES), AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(out.toString()).isEqualTo("The capital of France is Paris.\n");
        assertThat(err.toString()).isEqualTo("Sources:\n"
                + "[1] Paris - Wikipedia <https://en.wikipedia.org/wiki/Paris>\n"
                + "[2] https://www.britannica.com/place/Paris\n"
                + "llmo: tool call get_weather {\"city\":\"Paris\"} (call_1)\n");
    }

    @Test
    void anEmptyAnswerIsANoteOnStderrNotSilence() {
        render(renderer(false, false, PIPES), AnswerFixtures.succeeded(new Message(Role.ASSISTANT, List.of())));
        render(renderer(false, false, PIPES), AnswerFixtures.succeeded(new Message(Role.ASSISTANT,
                List.of(Part.Reasoning.of("Nothing to say.")))));

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("llmo: note: the model returned an empty answer (stop reason: end)\n"
                .repeat(2));
    }

    @Test
    void aFailedCallWithNothingInItGetsNoEmptyAnswerNote() {
        render(renderer(false, false, PIPES), AnswerFixtures.failed(new Message(Role.ASSISTANT, List.of()),
                new FailureException("stream cut", null)));

        assertThat(err.toString()).doesNotContain("empty answer");
    }

    @Test
    void reasoningAskedForInAPipeComesUndimmedOnStderrOnly() {
        AnswerExtras.Shown asked = new AnswerExtras.Shown(true, false, false, false, false, false);
        render(renderer(false, false, asked), AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(out.toString()).isEqualTo("The capital of France is Paris.\n");
        assertThat(err.toString()).isEqualTo("The user wants the capital.\nParis it is.\n"
                + "llmo: tool call get_weather {\"city\":\"Paris\"} (call_1)\n");
    }

    @Test
    void aRetrysServerMessageIsShownNotObeyedOnATerminalAndUnchangedInAPipe() {
        FailureException busy = new FailureException("openai answered HTTP 429: slow " + ESC + "[2J" + ESC
                + "]0;title\u0007down", null);
        RunEvent.Retrying retrying = new RunEvent.Retrying(dev.llmo.core.CallId.of(AnswerFixtures.MODEL), 1,
                java.time.Duration.ofSeconds(2), busy);
        renderer(false, true, TERMINAL).onEvent(retrying);

        assertThat(err.toString()).isEqualTo("llmo: openai answered HTTP 429: slow ^[[2J^[]0;title^Gdown; retry 1 in "
                + "2.00 s\n");

        err.getBuffer().setLength(0);
        AnswerExtras.Shown debugInAPipe = new AnswerExtras.Shown(false, false, false, true, false, false);
        renderer(false, false, debugInAPipe).onEvent(retrying);
        assertThat(err.toString()).contains("slow " + ESC + "[2J" + ESC + "]0;title\u0007down");
    }

    @Test
    void theReasoningsControlCharactersAreShownNotObeyedOnATerminal() {
        Message hostile = new Message(Role.ASSISTANT, List.of(Part.Reasoning.of("x" + ESC + "]0;pwned\u0007y"),
                new Part.Text("ok")));
        AnswerExtras.Shown noColour = new AnswerExtras.Shown(true, false, true, true, true, true);
        render(renderer(false, true, noColour), AnswerFixtures.succeeded(hostile));

        assertThat(err.toString()).isEqualTo("x^[]0;pwned^Gy\n");
    }

    @Test
    void aRefusalIsOneStderrLineEvenInAPipe() {
        render(renderer(false, false, PIPES), AnswerFixtures.succeeded(AnswerFixtures.REFUSED));

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("llmo: the model refused: I can't help with that.\n");
    }

    @Test
    void aRefusalThatFailedTheCallIsLeftToItsErrorLine() {
        render(renderer(false, false, PIPES), AnswerFixtures.failed(AnswerFixtures.REFUSED,
                new FailureException("openai refused to answer (refusal): I can't help with that.", null)));

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void jsonHasEveryPartAndTheFullUsageBesideTheFieldsItAlwaysHad() throws Exception {
        render(renderer(true, false, PIPES), AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(err.toString()).isEmpty();
        JsonNode line = new ObjectMapper().readTree(out.toString());
        assertThat(line.get("model").asText()).isEqualTo("openai/o3-mini");
        assertThat(line.get("text").asText()).isEqualTo("The capital of France is Paris.");
        assertThat(line.get("stop_reason").asText()).isEqualTo("end");
        assertThat(line.get("reasoning").asText()).isEqualTo("The user wants the capital.\nParis it is.");
        assertThat(line.get("refusal").isNull()).isTrue();
        assertThat(line.get("citations")).hasSize(2);
        assertThat(line.get("citations").get(0).toString()).isEqualTo("{\"url\":\"https://en.wikipedia.org/wiki/"
                + "Paris\",\"title\":\"Paris - Wikipedia\",\"cited_text\":\"Paris is the capital\"}");
        assertThat(line.get("citations").get(1).get("title").isNull()).isTrue();
        assertThat(line.get("tool_calls").toString()).isEqualTo("[{\"id\":\"call_1\",\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}]");
        assertThat(line.get("usage").toString()).isEqualTo("{\"input_tokens\":1200,\"output_tokens\":300,"
                + "\"reasoning_tokens\":120,\"cache_read_tokens\":1000,\"cache_write_tokens\":100}");
        assertThat(line.get("cost_usd").decimalValue()).isEqualByComparingTo("0.0042");
        assertThat(line.has("latency_ms") && line.has("ttft_ms") && line.has("conversation") && line.has("error"))
                .isTrue();
    }

    @Test
    void jsonOfAFailedCallKeepsThePartsThatArrived() throws Exception {
        Message cut = new Message(Role.ASSISTANT, List.of(Part.Reasoning.of("Thinking"), new Part.Text("Par")));
        render(renderer(true, false, PIPES), AnswerFixtures.failed(cut, new FailureException("stream cut", null)));

        JsonNode line = new ObjectMapper().readTree(out.toString());
        assertThat(line.get("text").asText()).isEqualTo("Par");
        assertThat(line.get("stop_reason").isNull()).isTrue();
        assertThat(line.get("reasoning").asText()).isEqualTo("Thinking");
        assertThat(line.get("refusal").isNull()).isTrue();
        assertThat(line.get("citations")).isEmpty();
        assertThat(line.get("tool_calls")).isEmpty();
        assertThat(line.get("error").get("message").asText()).isEqualTo("stream cut");
    }

    @Test
    void theAnswerStartsOnItsOwnLineAfterReasoningThatDidNotEndOne() {
        AnswerExtras.Shown asked = new AnswerExtras.Shown(true, false, false, false, false, false);
        StringWriter both = new StringWriter();
        // one screen for both streams, as on a terminal: the order of the writes is what the person sees
        RunRenderer sameScreen = new RunRenderer(new PrintWriter(both, true), new PrintWriter(both, true), false,
                false, false, false, asked);
        sameScreen.onEvent(new RunEvent.Reasoning(AnswerFixtures.CALL, "hmm"));
        sameScreen.onEvent(new RunEvent.Text(AnswerFixtures.CALL, "Yes."));
        sameScreen.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));
        sameScreen.finish(AnswerFixtures.succeeded(new Message(Role.ASSISTANT, List.of(Part.Reasoning.of("hmm"),
                new Part.Text("Yes.")))));

        assertThat(both.toString()).isEqualTo("hmm\nYes.\n");
    }

    /**
     * Streamed text is gathered and written when the call waits for more (Idle) or at the end, not per token: stdout
     * gets the same bytes in the same order, a hostile control character still made visible on a terminal.
     */
    @Test
    void streamedTextReachesStdoutWhenTheCallWaitsWithTheSameBytes() {
        RunRenderer renderer = renderer(false, true, PIPES);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String piece = i % 7 == 0 ? "caf\u00e9\n" : i % 11 == 0 ? "\u001b[2J" : "tok" + i + " ";
            renderer.onEvent(new RunEvent.Text(AnswerFixtures.CALL, piece));
            expected.append(piece.equals("\u001b[2J") ? dev.llmo.cli.terminal.TerminalText.forTerminal(piece, true)
                    : piece);
            if (i == 10) {
                assertThat(out.toString()).isEmpty(); // gathered, not yet written
                renderer.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));
                assertThat(out.toString()).isEqualTo(expected.toString());
            }
        }
        renderer.finish(AnswerFixtures.succeeded(AnswerFixtures.REASONED));
        assertThat(out.toString()).startsWith(expected.toString());
    }

    @Test
    void secondsAreRoundedAsTheFormattersTwoDecimalsAre() {
        for (long millis = 1000; millis < 300_000; millis++) {
            String formatted = String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000.0);
            if (!RunRenderer.seconds(millis).equals(formatted)) {
                assertThat(RunRenderer.seconds(millis)).as("%d ms", millis).isEqualTo(formatted);
            }
        }
        assertThat(RunRenderer.seconds(999)).isEqualTo("999 ms");
        assertThat(RunRenderer.seconds(1005)).isEqualTo("1.01 s");
        assertThat(RunRenderer.seconds(86_400_000)).isEqualTo("86400.00 s");
    }
}
