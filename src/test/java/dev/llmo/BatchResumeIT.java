package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmo batch run} killed with SIGKILL half-way, then {@code llmo batch resume}: every row whose result the
 * record held when the process died is never sent again, and the resumed batch prints every row's result.
 */
class BatchResumeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROW = Pattern.compile("row (\\d+)\\?");
    private static final int ROWS = 300;

    @TempDir
    Path home;
    private MockWebServer server;
    private final Map<Integer, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                Matcher row = ROW.matcher(request.getBody().readUtf8());
                int n = row.find() ? Integer.parseInt(row.group(1)) : -1;
                requests.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                Thread.sleep(20);
                answered.incrementAndGet();
                return new MockResponse().setHeader("content-type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"m1","choices":[{"index":0,"message":\
                        {"role":"assistant","content":"answer %d"},"finish_reason":"stop"}],"usage":\
                        {"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""".formatted(n));
            }
        });
        server.start();
        BinaryRun.mockProvider(home, server.url("/v1").toString());
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= ROWS; i++) {
            rows.append("{\"id\":\"r").append(i).append("\",\"q\":\"row ").append(i).append("?\"}\n");
        }
        Files.writeString(home.resolve("rows.jsonl"), rows);
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @Test
    void aBatchKilledWithSigkillResumesWithoutSendingAFinishedRowAgain() throws Exception {
        BinaryRun llmo = BinaryRun.in(home).env("MOCK_API_KEY", "sk-it").workingDir(home).timeoutSeconds(120);
        Process batch = llmo.start(home.resolve("out1"), home.resolve("err1"), "batch", "run", "rows.jsonl",
                "--prompt", "Answer {{q}}", "-m", "mock/m1", "--concurrency", "4");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (answered.get() < 100 && batch.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(batch.isAlive()).as("still running after 100 answers").isTrue();
        batch.destroyForcibly(); // SIGKILL: no shutdown hook, no session.end
        assertThat(batch.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(batch.exitValue()).isEqualTo(137);

        Path record;
        try (Stream<Path> files = Files.list(home.resolve("llmo/batches"))) {
            record = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow(); // not its .lock
        }
        Set<Integer> finished = new HashSet<>();
        for (String line : Files.readAllLines(record)) {
            if (line.endsWith("}")) {
                JsonNode event = JSON.readTree(line);
                if (event.path("type").asText().equals("batch.row")) {
                    finished.add(event.path("data").path("row").asInt() + 1);
                }
            }
        }
        assertThat(finished).hasSizeGreaterThanOrEqualTo(90).hasSizeLessThan(ROWS);

        resumeSendsNoFinishedRowAgain(llmo, "last", finished);
        for (int row = 1; row <= ROWS; row++) {
            // a row in flight at the kill is sent again; at most those
            assertThat(requests.get(row).get()).as("row %d", row).isLessThanOrEqualTo(2);
        }
        long sentTwice = requests.values().stream().filter(c -> c.get() == 2).count();
        assertThat(sentTwice).as("only calls in flight at the kill").isLessThanOrEqualTo(4);
    }

    /**
     * Ctrl-C (SIGINT) half-way: the batch stops with exit 130 and says how to go on; what it printed are whole lines,
     * one per finished row, which the record holds too; the record is ended as stopped; a resume sends no finished
     * row again and prints every row's result.
     */
    @Test
    void aBatchStoppedWithCtrlCSaysHowToGoOnAndItsResumeSendsNoFinishedRowAgain() throws Exception {
        BinaryRun llmo = BinaryRun.in(home).env("MOCK_API_KEY", "sk-it").workingDir(home).timeoutSeconds(120);
        Path out = home.resolve("out1");
        Path err = home.resolve("err1");
        Process batch = llmo.start(out, err, "batch", "run", "rows.jsonl", "--prompt", "Answer {{q}}", "-m", "mock/m1",
                "--concurrency", "4");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (answered.get() < 100 && batch.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(batch.isAlive()).as("still running after 100 answers").isTrue();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(batch.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(batch.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(batch.exitValue()).as(Files.readString(err)).isEqualTo(130);
        String said = Files.readString(err);
        Matcher resume = Pattern.compile("the batch was stopped; 'llmo batch resume (\\S+)' runs the rest")
                .matcher(said);
        assertThat(resume.find()).as(said).isTrue();
        Set<Integer> printed = new HashSet<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode result = JSON.readTree(line); // a whole line, or this throws
            printed.add(Integer.parseInt(result.path("id").asText().substring(1)));
        }
        Set<Integer> recorded = new HashSet<>();
        Set<Integer> stopped = new HashSet<>();
        String end = null;
        Path record = home.resolve("llmo/batches/" + resume.group(1) + ".jsonl");
        for (String line : Files.readAllLines(record)) {
            JsonNode event = JSON.readTree(line);
            if (event.path("type").asText().equals("batch.row")) {
                // a call the stop ended is recorded as interrupted, and sent again by the resume
                boolean interrupted = event.path("data").path("error").path("kind").asText().equals("interrupted");
                (interrupted ? stopped : recorded).add(event.path("data").path("row").asInt() + 1);
            } else if (event.path("type").asText().equals("session.end")) {
                end = event.path("data").toString();
            }
        }
        assertThat(printed).hasSizeGreaterThanOrEqualTo(90).hasSizeLessThan(ROWS).isSubsetOf(recorded);
        assertThat(stopped).as("calls in flight at the stop").hasSizeLessThanOrEqualTo(4)
                .doesNotContainAnyElementsOf(printed);
        assertThat(end).as("the record's end").isNotNull().contains("\"interrupted\"", "130");

        resumeSendsNoFinishedRowAgain(llmo, resume.group(1), recorded);
    }

    /** {@code batch resume ID} prints every row's result, and sent each row once more at most, no finished one. */
    private void resumeSendsNoFinishedRowAgain(BinaryRun llmo, String id, Set<Integer> finished) throws Exception {
        BinaryRun.Result resumed = llmo.run("batch", "resume", id);

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out().lines()).hasSize(ROWS);
        for (int row : finished) {
            assertThat(requests.get(row).get()).as("row %d, finished before the batch ended", row).isEqualTo(1);
        }
        for (int row = 1; row <= ROWS; row++) {
            assertThat(requests).containsKey(row);
        }
        assertThat(BinaryRun.in(home).run("batch", "verify", id).exitCode()).isZero();
    }
}
