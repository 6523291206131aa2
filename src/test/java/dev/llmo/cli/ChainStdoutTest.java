package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A chain run, or a live multi-model view, whose stdout fails: a reader that went away stops it at once (exit 141)
 * and a full disk fails it (exit 1), and session.end in the log says the same as the exit code.
 */
class ChainStdoutTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().failFast()
            .mockProvider("models: [{ name: m1 }, { name: m2 }]")
            .configYaml("""
                    main_llm: mock/m1
                    chains:
                      two:
                        steps:
                          - { name: draft, model: mock/m1, prompt: "Write: {{input}}" }
                          - { name: review, model: mock/m2, prompt: "Review: {{draft}}" }
                    """);

    /** A stdout whose every write fails as {@code message} says (EPIPE, ENOSPC). */
    private static OutputStream failing(String message) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException(message);
            }
        };
    }

    private static Event last(List<Event> events) {
        return events.get(events.size() - 1);
    }

    private static List<String> errorKinds(List<Event> events) {
        return events.stream().filter(e -> e.type().equals("error")).map(e -> e.data().get("kind").asText()).toList();
    }

    @Test
    void aClosedPipeStopsTheStreamedLastStepAndTheLogSaysStdoutClosed() throws Exception {
        llmo.server().enqueue(streamed("the draft"));
        llmo.server().enqueue(streamed("the review"));
        Result run = llmo.cli().stdout(failing("Broken pipe")).run("chain", "run", "two", "x");

        assertThat(run).failedWith(ExitCode.STDOUT_CLOSED);
        assertThat(run.err()).as("silent, as a tool killed by SIGPIPE").isEmpty();
        List<Event> events = llmo.onlyLogEvents();
        assertThat(errorKinds(events)).containsExactly("stdout_closed");
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
        assertThat(last(events).data().get("exit_code").asInt()).isEqualTo(141);
    }

    @Test
    void aClosedPipeStopsAJsonChainAfterTheFirstLineItCouldNotWrite() throws Exception {
        llmo.server().enqueue(streamed("the draft"));
        llmo.server().enqueue(streamed("the review"));
        Result run = llmo.cli().stdout(failing("Broken pipe")).run("chain", "run", "two", "--json", "x");

        assertThat(run).failedWith(ExitCode.STDOUT_CLOSED);
        assertThat(llmo.server().getRequestCount()).as("the second step is never sent: nobody reads it").isEqualTo(1);
        List<Event> events = llmo.onlyLogEvents();
        assertThat(errorKinds(events)).containsExactly("stdout_closed");
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
    }

    @Test
    void aFullDiskFailsTheChainWithExit1AndTheLogSaysFailed() throws Exception {
        llmo.server().enqueue(streamed("the draft"));
        llmo.server().enqueue(streamed("the review"));
        Result run = llmo.cli().stdout(failing("No space left on device")).run("chain", "run", "two", "--json", "x");

        assertThat(run).failedWith(ExitCode.FAILURE);
        assertThat(run.err()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
        List<Event> events = llmo.onlyLogEvents();
        assertThat(errorKinds(events)).containsExactly("failure");
        assertThat(last(events).data().get("status").asText()).isEqualTo("failed");
        assertThat(last(events).data().get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void aClosedTerminalStopsEveryCallOfTheLiveView() throws Exception {
        // the rest of each answer comes after its text, late: a call that ended before the terminal closed could
        // not be stopped, and a fast reader (all of an answer in one read) made that a race
        llmo.server().enqueue(streamed("one").throttleBody(100, 400, java.util.concurrent.TimeUnit.MILLISECONDS));
        llmo.server().enqueue(streamed("two").throttleBody(100, 400, java.util.concurrent.TimeUnit.MILLISECONDS));
        Result run = llmo.cli().tty("o").stdout(failing("Broken pipe")).run("run", "-m", "mock/m1", "-m", "mock/m2", "hi");

        assertThat(run).failedWith(ExitCode.STDOUT_CLOSED);
        List<Event> events = llmo.onlyLogEvents();
        // each call was stopped and logged so, not only the run's end
        assertThat(events.stream().filter(e -> e.type().equals("error") && e.data().hasNonNull("request")))
                .hasSize(2).allSatisfy(e -> assertThat(e.data().get("kind").asText()).isEqualTo("stdout_closed"));
        assertThat(last(events).data().get("status").asText()).isEqualTo("stdout_closed");
    }
}
