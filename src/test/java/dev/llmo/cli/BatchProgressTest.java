package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ModelRef;
import dev.llmo.core.CallId;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.ExitCode;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchProgressTest {
    private final ModelRef model = new ModelRef(new dev.llmo.config.ProviderConfig("p",
            dev.llmo.config.ProviderType.OPENAI, "http://localhost/v1", null, null, null, List.of(), null,
            dev.llmo.config.Origin.of("test", "test")),
            dev.llmo.config.ModelSpec.unlisted("m", dev.llmo.config.Origin.of("test", "test")));
    private final long[] now = {0};

    private RunEvent ended(boolean ok, String cost) {
        CallId id = new CallId(model, null, 0, 0);
        RunResult result = ok
                ? new RunResult(model, new Message(Role.ASSISTANT, List.of(new Part.Text("hi"))), null, null,
                new BigDecimal(cost), 10, null, null)
                : RunResult.failedBeforeAnswer(model, 10, new FailureException("boom", "fix"));
        return new RunEvent.CallEnded(id, result);
    }

    @Test
    void onATerminalABarIsRedrawnInPlaceWithFailuresInRedUnlessColourIsOff() {
        StringWriter text = new StringWriter();
        BatchProgress progress = new BatchProgress(new PrintWriter(text), true, true, 4, 0, 0, BigDecimal.ZERO, 0, 0,
                () -> now[0]);
        now[0] = 200_000_000L;
        progress.onEvent(ended(true, "0.001"));
        now[0] = 400_000_000L;
        progress.onEvent(ended(false, "0"));
        progress.finish();
        assertThat(text.toString()).startsWith("\r\u001b[2K[######..................] 1/4 calls · 0 failed · $0.001")
                .contains("\r\u001b[2K[############............] 2/4 calls · \u001b[31m1 failed\u001b[0m · $0.001")
                .contains("ETA 1s").endsWith("\n");

        StringWriter plain = new StringWriter();
        BatchProgress noColour = new BatchProgress(new PrintWriter(plain), true, false, 4, 0, 0, BigDecimal.ZERO, 0, 0,
                () -> now[0]);
        noColour.onEvent(ended(false, "0"));
        noColour.finish();
        assertThat(plain.toString()).contains("1 failed").doesNotContain("\u001b[31m");
    }

    @Test
    void callsTheBudgetRefusedAreNeitherDoneNorFailedButARowTooLargeForTheWindowFailed() {
        StringWriter text = new StringWriter();
        BatchProgress progress = new BatchProgress(new PrintWriter(text), false, false, 4, 0, 0, BigDecimal.ZERO, 0, 0,
                () -> now[0]);
        CallId id = new CallId(model, null, 0, 0);
        progress.onEvent(ended(true, "0.001"));
        // calls in flight refused one by one as the budget ran out, each with its own exception
        for (int i = 0; i < 2; i++) {
            progress.onEvent(new RunEvent.CallEnded(id, RunResult.failedBeforeAnswer(model, 0,
                    new dev.llmo.failure.BudgetException("over the per-run budget", "raise --max-cost"))));
        }
        progress.onEvent(new RunEvent.CallEnded(id, RunResult.failedBeforeAnswer(model, 0,
                new dev.llmo.failure.ContextWindowException("the prompt needs 5 tokens", "shorten it"))));
        progress.finish();
        assertThat(text.toString()).contains("2/4 calls · 1 failed");
    }

    @Test
    void inAPipeAPlainLineComesEveryTenSecondsAndAtTheEndAndInterruptedCallsAreNotDone() {
        StringWriter text = new StringWriter();
        BatchProgress progress = new BatchProgress(new PrintWriter(text), false, false, 10, 4, 0, BigDecimal.ZERO, 0, 0,
                () -> now[0]);
        for (int i = 0; i < 3; i++) {
            now[0] += 1_000_000_000L;
            progress.onEvent(ended(true, "0.01"));
        }
        assertThat(text.toString()).isEmpty();
        now[0] += BatchProgress.PLAIN_EVERY_NANOS;
        progress.onEvent(ended(true, "0.01"));
        progress.onEvent(new RunEvent.CallEnded(new CallId(model, null, 0, 1), RunResult.failedBeforeAnswer(model, 0,
                InterruptedRunException.of(ExitCode.INTERRUPTED, "stopped"))));
        // stopped mid-answer: not done, but what it cost counts, as the record counts it
        progress.onEvent(new RunEvent.CallEnded(new CallId(model, null, 0, 2), new RunResult(model,
                new Message(Role.ASSISTANT, List.of(new Part.Text("h"))), null, null, new BigDecimal("0.005"), 10, null,
                InterruptedRunException.of(ExitCode.INTERRUPTED, "stopped"))));
        progress.stopped(new RunResult(model, new Message(Role.ASSISTANT, List.of()), null, null,
                new BigDecimal("0.005"), 10, null, new FailureException("stdout closed", "fix")));
        progress.finish();
        assertThat(text.toString().lines().toList()).hasSize(2).allMatch(l -> l.startsWith("llmo: batch: "));
        assertThat(text.toString().lines().toList().get(1)).contains("8/10 calls · 0 failed · $0.05 ", "ETA ");
    }

    @Test
    void aResumesLineGoesOnFromTheBatchsEarlierFailuresAndCost() {
        StringWriter text = new StringWriter();
        BatchProgress progress = new BatchProgress(new PrintWriter(text), false, false, 10, 6, 2,
                new BigDecimal("0.05"), 0, 5, () -> now[0]);
        progress.onEvent(ended(true, "0.01"));
        progress.onEvent(ended(false, "0.01"));
        progress.finish();
        assertThat(text.toString()).contains("8/10 calls · 3 failed · $0.06");
    }

    @Test
    void callsOfUnknownPriceAreNotShownAsFree() {
        StringWriter text = new StringWriter();
        BatchProgress progress = new BatchProgress(new PrintWriter(text), false, false, 4, 0, 0, BigDecimal.ZERO, 0, 0,
                () -> now[0]);
        RunResult unpriced = new RunResult(model, new Message(Role.ASSISTANT, List.of(new Part.Text("hi"))), null, null,
                null, 10, null, null);
        progress.onEvent(new RunEvent.CallEnded(new CallId(model, null, 0, 0), unpriced));
        progress.onEvent(ended(false, "0"));
        progress.finish();
        assertThat(text.toString()).contains("2/4 calls · 1 failed · cost unknown ·").doesNotContain("$0");

        StringWriter mixed = new StringWriter();
        BatchProgress resumed = new BatchProgress(new PrintWriter(mixed), false, false, 4, 2, 0, new BigDecimal("0.02"),
                1, 2, () -> now[0]);
        resumed.onEvent(ended(true, "0.01"));
        resumed.finish();
        assertThat(mixed.toString()).contains("3/4 calls · 0 failed · $0.03 + 1 unknown ·");
    }
}
