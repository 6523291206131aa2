package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.STOP;
import static dev.llmo.OpenAiAnswers.delta;
import static dev.llmo.OpenAiAnswers.events;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.Logged;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No answer is silently lost: whatever a server sends, the text that reached stdout is in the event log, and a
 * value llmo cannot record ends the call as a logged error with exit 1, never as a success without its response.
 */
class AnswerRecordingTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - name: m1
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    """)
            .configYaml("main_llm: mock/m1\n");

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    private static Event last(List<Event> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void aLoneSurrogateInADeltaIsRecordedAsTheUserSawIt() throws Exception {
        llmo.server().enqueue(events(delta("\"Hi \\ud800 there\""), STOP,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"));
        Result run = llmo.run("run", "hi");

        // U+FFFD, the replacement character, stands for the unpaired half on stdout and in the log alike
        assertThat(run.out()).isEqualTo("Hi \uFFFD there\n");
        assertThat(run).succeeded();
        List<Event> events = llmo.onlyLogEvents();
        assertThat(types(events)).endsWith("request", "response", "session.end");
        assertThat(Logged.text(last(events, "response"))).isEqualTo("Hi \uFFFD there");
        assertThat(last(events, "session.end").data().get("status").asText()).isEqualTo("ok");

        Result replay = llmo.run("log", "replay", llmo.onlyId());
        assertThat(replay).succeeded().outIs(run.out());
    }

    @Test
    void aSurrogatePairSplitAcrossTwoDeltasStaysOneCharacter() throws Exception {
        llmo.server().enqueue(events(delta("\"smile \\ud83d\""), delta("\"\\ude00!\""), STOP));
        Result run = llmo.run("run", "hi");

        assertThat(run.out()).isEqualTo("smile \uD83D\uDE00!\n");
        assertThat(run).succeeded();
        assertThat(Logged.text(last(llmo.onlyLogEvents(), "response"))).isEqualTo("smile \uD83D\uDE00!");
    }

    /**
     * 0.1.0 printed the answer, then failed to log it (the count is beyond what the log can hold), said ok in
     * session.end and exited 0. Now the answer is in the log whatever the decoder makes of the count (it may ignore
     * it, or the call may end as a recorded failure), and the exit code and session.end agree.
     */
    @Test
    void aTokenCountBeyondTheSafeIntegerRangeNeverLosesTheAnswer() throws Exception {
        llmo.server().enqueue(events(delta("\"counted\""), STOP,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9007199254740993}}"));
        Result run = llmo.run("run", "hi");

        assertThat(run.out()).isEqualTo("counted\n");
        assertThat(run.exitCode()).isIn(0, 1);
        List<Event> events = llmo.onlyLogEvents();
        Event response = last(events, "response");
        assertThat(Logged.text(response)).isEqualTo("counted");
        assertThat(last(events, "session.end").data().get("exit_code").asInt()).isEqualTo(run.exitCode());
        if (run.exitCode() == 1) {
            assertThat(types(events)).endsWith("request", "response", "error", "session.end");
            assertThat(run.err()).startsWith("llmo: error: ").hasLineCount(1);
        } else {
            assertThat(types(events)).endsWith("request", "response", "session.end");
            assertThat(run.err()).isEmpty();
        }

        Result replay = llmo.run("log", "replay", llmo.onlyId());
        assertThat(replay).succeeded().outIs(run.out());
    }
}
