package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs of format version 1, as llmo 0.1.0 wrote them (src/test/resources/eventlog/v1, see its README), keep
 * verifying, showing, replaying and continuing after version 2.
 */
class EventLogV1FixturesTest {
    private static final Path FIXTURES = Path.of("src/test/resources/eventlog/v1");
    private static final String SINGLE = "01M8T34JBE30RSY0ZAS394DX7Y";
    private static final String PARALLEL = "01M8T34RN84WQKAEE5VN98R0CG";
    private static final String SEQUENTIAL = "01M8T34VW717XBY7SHFFH1XZ7Q";
    private static final String CHAIN = "01M8T351W53G1MV4F5CSHGAR4M";
    private static final String CHAT = "01M8T356VKCYJR852WAC858NR7";

    @TempDir
    Path home;
    private MockWebServer server;
    private Path conversations;

    @BeforeEach
    void copyTheFixtures() throws IOException {
        server = MockServers.create();
        server.start();
        Path llmo = Files.createDirectories(home.resolve("llmo"));
        conversations = Files.createDirectories(llmo.resolve("conversations"));
        try (Stream<Path> files = Files.list(FIXTURES.resolve("conversations"))) {
            for (Path file : files.toList()) {
                Files.copy(file, conversations.resolve(file.getFileName()));
            }
        }
        Files.copy(FIXTURES.resolve("ledger.jsonl"), llmo.resolve("ledger.jsonl"));
        Files.copy(FIXTURES.resolve("config.yaml"), llmo.resolve("config.yaml"));
        Files.writeString(llmo.resolve("models.yaml"), Files.readString(FIXTURES.resolve("models.yaml"))
                .replace("BASE_URL", server.url("/v1").toString()));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun.Result llmo(String... args) {
        return CliRun.in(home).env("LLMO_MAX_RETRIES", "0").run(args);
    }

    @Test
    void everyV1LogAndTheLedgerVerify() throws Exception {
        CliRun.Result result = llmo("log", "verify", "--all");
        assertThat(result).succeeded();
        assertThat(result.out()).contains("ok  " + SINGLE + "  11 events", "ok  " + PARALLEL + "  7 events",
                "ok  " + SEQUENTIAL + "  8 events", "ok  " + CHAIN + "  10 events", "ok  " + CHAT + "  8 events",
                "ok  ledger  6 entries");
        for (String id : List.of(SINGLE, PARALLEL, SEQUENTIAL, CHAIN, CHAT)) {
            assertThat(dev.llmo.eventlog.PythonVerifier.run(home, conversations.resolve(id + ".jsonl")).output())
                    .startsWith("ok ");
        }
    }

    @Test
    void v1LogsShowTheirMessagesAndAnswers() {
        CliRun.Result single = llmo("log", "show", SINGLE);
        assertThat(single).succeeded();
        assertThat(single.out()).contains("── system ──\nBe terse.\n", "── user ──\nSay hello\n",
                "── assistant (mock/m1) ──\nHello from the first model.\n[end · 11 in / 7 out tokens · $0.000025",
                "── user ──\nAnd again\n", "A second answer, continued.", "chain    ok (11 events)");
        CliRun.Result chain = llmo("log", "show", CHAIN);
        assertThat(chain.out()).contains("(llmo chain run review)", "Chain draft.", "Chain review: fine.");
    }

    @Test
    void v1LogsReplayWithTheOutputTheirRunsPrinted() {
        // what each command printed when the fixtures were made (README): a fan-out in the order of its models,
        // although m2 answered first
        assertReplays(SINGLE, "Hello from the first model.\nA second answer, continued.\n", 2);
        assertReplays(PARALLEL, "== mock/m1 ==\nParallel two.\n\n== mock/m2 ==\nParallel one.\n", 2);
        assertReplays(SEQUENTIAL, "Step two of the pipeline.\n", 2);
        assertReplays(CHAIN, "Chain review: fine.\n", 2);
        assertReplays(CHAT, "Chat turn one.\nChat turn two.\n", 2);
    }

    private void assertReplays(String id, String out, int calls) {
        CliRun.Result replay = llmo("log", "replay", id);
        assertThat(replay).succeeded().outIs(out);
        assertThat(replay.err()).isEqualTo("llmo: replayed " + calls + " calls of " + id
                + "; every request matched its recorded digest\n");
    }

    @Test
    void aContinuedV1LogGoesOnInVersion2AndStillVerifiesAndReplays() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("Third, in version 2."));
        CliRun.Result run = llmo("run", "--cid", SINGLE, "Once more");
        assertThat(run).succeeded();
        // the whole history went out, read from the v1 lines
        assertThat(server.takeRequest().getBody().readString(StandardCharsets.UTF_8)).contains("Be terse.",
                "Say hello", "Hello from the first model.", "And again", "A second answer, continued.", "Once more");

        Path file = conversations.resolve(SINGLE + ".jsonl");
        List<Event> events = EventLog.read(file);
        assertThat(events.subList(0, 11)).allSatisfy(e -> assertThat(e.version()).isEqualTo(1));
        assertThat(events.subList(11, events.size())).allSatisfy(e -> assertThat(e.version()).isEqualTo(2));
        assertThat(dev.llmo.eventlog.PythonVerifier.run(home, file).output()).isEqualTo("ok " + events.size() + " events");
        assertThat(llmo("log", "verify", SINGLE)).succeeded();
        assertReplays(SINGLE, "Hello from the first model.\nA second answer, continued.\nThird, in version 2.\n", 3);
    }
}
