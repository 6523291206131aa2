package dev.llmo.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.AnswerFixtures;
import dev.llmo.core.RunEvent;
import dev.llmo.failure.FailureException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chat on a terminal shows a server's control characters instead of obeying them; redirected answers pass as is. */
class TerminalViewTest {
    private static final String ESC = "\u001b";
    private static final String HOSTILE = "ok" + ESC + "[2J" + ESC + "]0;pwned\u0007end";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private Terminal terminal;

    @BeforeEach
    void open() throws IOException {
        terminal = TerminalBuilder.builder().system(false).type("xterm")
                .streams(new ByteArrayInputStream(new byte[0]), screen).encoding(StandardCharsets.UTF_8)
                .size(new org.jline.terminal.Size(120, 40)).build();
    }

    @AfterEach
    void close() throws IOException {
        terminal.close();
    }

    private String shown() {
        terminal.flush();
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void answersAndErrorsOnTheScreenShowControlCharacters() {
        TerminalView view = new TerminalView(terminal, null, false, true);
        ChatView.Answer answer = view.answer();
        answer.onEvent(new RunEvent.Text(AnswerFixtures.CALL, HOSTILE + "\n"));
        answer.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));
        view.error(new FailureException("bad" + ESC + "[2Jrequest", null));

        assertThat(shown()).contains("ok^[[2J^[]0;pwned^Gend").contains("bad^[[2Jrequest")
                .doesNotContain(ESC + "[2J").doesNotContain(ESC + "]0;");
    }

    @Test
    void noticesStatusLinesAndErrorsBreakBetweenWordsAtTheTerminalsWidth() throws IOException {
        terminal.setSize(new org.jline.terminal.Size(30, 40));
        TerminalView view = new TerminalView(terminal, null, false, true);

        view.show("llmo chat · bench/tokens40 · conversation 01M8ZN2G0W3WMAPF5NY9M2RZVK");
        view.status("bench/tokens40 · 5 in / 40 out tokens · cost unknown");
        view.error(new FailureException("the server answered 500 Internal Server Error", null));

        assertThat(shown().replace("\r\n", "\n")).isEqualTo("""
                llmo chat · bench/tokens40 ·
                conversation
                01M8ZN2G0W3WMAPF5NY9M2RZVK
                bench/tokens40 · 5 in / 40 out
                tokens · cost unknown
                error: the server answered 500
                Internal Server Error
                """);
    }

    @Test
    void reasoningOnTheScreenBreaksBetweenWordsToo() throws IOException {
        terminal.setSize(new org.jline.terminal.Size(20, 40));
        TerminalView view = new TerminalView(terminal, null, false, true);
        ChatView.Answer answer = view.answer();
        answer.onEvent(new RunEvent.Reasoning(AnswerFixtures.CALL, "The user wants the ca"));
        answer.onEvent(new RunEvent.Reasoning(AnswerFixtures.CALL, "pital of France."));
        answer.onEvent(new RunEvent.Text(AnswerFixtures.CALL, "Paris.\n"));
        answer.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));

        assertThat(shown().replace("\r\n", "\n")).isEqualTo("The user wants the\ncapital of France.\nParis.\n");
    }

    @Test
    void redirectedAnswersPassUnchanged() {
        StringWriter answers = new StringWriter();
        TerminalView view = new TerminalView(terminal, new PrintWriter(answers), false, true);
        ChatView.Answer answer = view.answer();
        answer.onEvent(new RunEvent.Text(AnswerFixtures.CALL, HOSTILE + "\n"));
        answer.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));

        assertThat(answers.toString()).isEqualTo(HOSTILE + "\n");
    }

    @Test
    void reasoningIsDimmedOnTheScreenAboveTheAnswerAndTheSourcesFollowIt() {
        StringWriter answers = new StringWriter();
        TerminalView view = new TerminalView(terminal, new PrintWriter(answers), true, true);
        ChatView.Answer answer = view.answer();
        AnswerFixtures.stream(AnswerFixtures.REASONED, answer);
        answer.end(AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(answers.toString()).as("redirected answers hold the answer only")
                .isEqualTo("The capital of France is Paris.\n");
        // dimmed piece by piece: the last word, held until the reasoning's end showed its row, is a piece of its own
        assertThat(shown().replace("\r\n", "\n").replace(ESC + "[0m" + ESC + "[2m", ""))
                .contains(ESC + "[2mThe user wants the capital.\nParis it is." + ESC + "[0m\n")
                .contains("Sources:\n[1] Paris - Wikipedia <https://en.wikipedia.org/wiki/Paris>\n"
                        + "[2] https://www.britannica.com/place/Paris\n")
                .contains("llmo: tool call get_weather {\"city\":\"Paris\"} (call_1)");
    }

    @Test
    void noReasoningHidesItFromTheScreen() {
        TerminalView view = new TerminalView(terminal, null, false, false);
        ChatView.Answer answer = view.answer();
        AnswerFixtures.stream(AnswerFixtures.REASONED, answer);
        answer.end(AnswerFixtures.succeeded(AnswerFixtures.REASONED));

        assertThat(shown()).contains("The capital of France is Paris.").doesNotContain("The user wants");
    }
}
