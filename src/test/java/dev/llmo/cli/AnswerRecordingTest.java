package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Logged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No answer is silently lost: whatever a server sends, the text that reached stdout is in the event log, and a
 * value llmo cannot record ends the call as a logged error with exit 1, never as a success without its response.
 */
class AnswerRecordingTest {
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    private static MockResponse sse(String... events) {
        StringBuilder body = new StringBuilder();
        for (String event : events) {
            body.append("data: ").append(event).append("\n\n");
        }
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body + "data: [DONE]\n\n");
    }

    private static String delta(String jsonString) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + jsonString + "},\"finish_reason\":null}]}";
    }

    private static final String STOP = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";

    private Path onlyLog() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.findFirst().orElseThrow();
        }
    }

    private List<Event> events() throws IOException {
        Path log = onlyLog();
        assertThat(ChainVerifier.verify(log).ok()).as("the log verifies").isTrue();
        return EventLog.read(log);
    }

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    private static Event last(List<Event> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void aLoneSurrogateInADeltaIsRecordedAsTheUserSawIt() throws Exception {
        server.enqueue(sse(delta("\"Hi \\ud800 there\""), STOP,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"));
        Result run = cli().run("run", "hi");

        // U+FFFD, the replacement character, stands for the unpaired half on stdout and in the log alike
        assertThat(run.out()).isEqualTo("Hi \uFFFD there\n");
        assertThat(run.exitCode()).isZero();
        List<Event> events = events();
        assertThat(types(events)).endsWith("request", "response", "session.end");
        assertThat(Logged.text(last(events, "response"))).isEqualTo("Hi \uFFFD there");
        assertThat(last(events, "session.end").data().get("status").asText()).isEqualTo("ok");

        Result replay = cli().run("log", "replay", onlyLog().getFileName().toString().replace(".jsonl", ""));
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out()).isEqualTo(run.out());
    }

    @Test
    void aSurrogatePairSplitAcrossTwoDeltasStaysOneCharacter() throws Exception {
        server.enqueue(sse(delta("\"smile \\ud83d\""), delta("\"\\ude00!\""), STOP));
        Result run = cli().run("run", "hi");

        assertThat(run.out()).isEqualTo("smile \uD83D\uDE00!\n");
        assertThat(run.exitCode()).isZero();
        assertThat(Logged.text(last(events(), "response"))).isEqualTo("smile \uD83D\uDE00!");
    }

    /**
     * 0.1.0 printed the answer, then failed to log it (the count is beyond what the log can hold), said ok in
     * session.end and exited 0. Now the answer is in the log whatever the decoder makes of the count (it may ignore
     * it, or the call may end as a recorded failure), and the exit code and session.end agree.
     */
    @Test
    void aTokenCountBeyondTheSafeIntegerRangeNeverLosesTheAnswer() throws Exception {
        server.enqueue(sse(delta("\"counted\""), STOP,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9007199254740993}}"));
        Result run = cli().run("run", "hi");

        assertThat(run.out()).isEqualTo("counted\n");
        assertThat(run.exitCode()).isIn(0, 1);
        List<Event> events = events();
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

        Result replay = cli().run("log", "replay", onlyLog().getFileName().toString().replace(".jsonl", ""));
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out()).isEqualTo(run.out());
    }
}
