package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.AnswerFixtures;
import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The spinner a single call shows on a terminal's stderr while it waits for its first output: on one screen (stdout
 * and stderr one writer, as on a terminal) it is erased before the answer's first byte; in a pipe it is not there.
 */
class WaitingSpinnerTest {
    /** No frame unless a test draws one ({@link WaitingSpinner#tick}): the ticker would wait an hour. */
    private static final long NO_TICKS = 3_600_000;

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().mockProvider("""
            models:
              - name: m1
            """);

    private final StringWriter screen = new StringWriter();
    private final PrintWriter terminal = new PrintWriter(screen);
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    @Test
    void theSpinnerShowsTheTimeWaitedAndIsErasedBeforeTheAnswersFirstText() {
        WaitingSpinner spinner = new WaitingSpinner(terminal, "mock/m1", nanos::get, NO_TICKS).start();
        RunRenderer renderer = new RunRenderer(terminal, terminal, false, false, true, true, AnswerExtras.Shown.NONE);
        RunListener listener = spinner.before(renderer);

        listener.onEvent(new RunEvent.CallStarted(AnswerFixtures.CALL));
        assertThat(screen.toString()).isEmpty(); // the first frame comes after a frame's time
        nanos.addAndGet(100_000_000L);
        spinner.tick();
        listener.onEvent(new RunEvent.Idle(AnswerFixtures.CALL)); // still waiting: the spinner stays
        assertThat(screen.toString()).isEqualTo("\r⠋ waiting for mock/m1  0.1s\u001b[K");
        listener.onEvent(new RunEvent.Text(AnswerFixtures.CALL, "hello"));
        listener.onEvent(new RunEvent.Idle(AnswerFixtures.CALL));
        spinner.stop(); // at the end again: nothing more

        assertThat(screen.toString()).isEqualTo("\r⠋ waiting for mock/m1  0.1s\u001b[K\r\u001b[Khello");
    }

    @Test
    void aQuestionAskedMeanwhileHasTheLineToItself() {
        WaitingSpinner spinner = new WaitingSpinner(terminal, "mock/m1", nanos::get, NO_TICKS).start();
        spinner.tick();

        spinner.pause();
        terminal.print("vault password: ");
        spinner.tick(); // held still while the question is asked
        spinner.resume();

        assertThat(screen.toString()).isEqualTo("\r⠋ waiting for mock/m1  0.0s\u001b[K\r\u001b[Kvault password: ");
    }

    @Test
    void aQuestionAskedBeforeTheFirstFrameSeesNoSpinner() {
        WaitingSpinner spinner = new WaitingSpinner(terminal, "mock/m1", nanos::get, NO_TICKS).start();

        spinner.pause();
        terminal.print("vault password: ");
        spinner.resume();
        spinner.stop();

        assertThat(screen.toString()).isEqualTo("vault password: ");
    }

    @Test
    void theTimeAQuestionTakesToAnswerIsNotCountedAsWaiting() {
        WaitingSpinner spinner = new WaitingSpinner(terminal, "mock/m1", nanos::get, NO_TICKS).start();
        nanos.set(6_000_000_000L);
        spinner.pause();
        nanos.set(16_000_000_000L); // ten seconds to type the vault's password
        spinner.resume();
        nanos.set(17_500_000_000L);
        spinner.tick();

        assertThat(screen.toString()).isEqualTo("\r⠋ waiting for mock/m1  2.5s\u001b[K");
    }

    @Test
    void onATerminalStderrTheRunShowsTheSpinnerThenErasesItAndStdoutIsTheAnswerAlone() {
        // a model that takes its time: the spinner's first frame comes after 100 ms
        llmo.server().enqueue(OpenAiAnswers.streamed("the answer", 10, 4)
                .setHeadersDelay(400, java.util.concurrent.TimeUnit.MILLISECONDS));

        CliRun.Result result = llmo.cli().tty("e").run("run", "-m", "mock/m1", "hi");

        assertThat(result).succeeded();
        assertThat(result.out()).isEqualTo("the answer\n");
        assertThat(result.err()).startsWith("\r⠋ waiting for mock/m1  ");
        int erased = result.err().indexOf("\r\u001b[K");
        assertThat(erased).isPositive();
        // each frame rewrote the same line; after the erasure only the usage lines
        assertThat(result.err().substring(erased + 4)).doesNotContain("waiting for").contains("tokens");
    }

    @Test
    void inAPipeThereIsNoSpinner() {
        llmo.server().enqueue(OpenAiAnswers.streamed("the answer", 10, 4));
        llmo.server().enqueue(OpenAiAnswers.streamed("the answer", 10, 4));

        CliRun.Result piped = llmo.cli().run("run", "-m", "mock/m1", "hi");
        CliRun.Result stdoutOnly = llmo.cli().tty("o").run("run", "-m", "mock/m1", "hi");

        assertThat(piped.err()).doesNotContain("waiting for", "\r");
        assertThat(stdoutOnly.err()).doesNotContain("waiting for", "\r");
        assertThat(stdoutOnly.out()).isEqualTo("the answer\n");
    }
}
