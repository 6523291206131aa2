package dev.llmo.cli;

import dev.llmo.OpenAiAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmo run} records its conversation in the event log, and {@code -c} / {@code --cid} continue it. */
class RunConversationTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private final ObjectMapper json = new ObjectMapper();

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
                    - name: free
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock-secret-123").env("LLMO_MAX_RETRIES", "0");
    }

    private void answer(String text, int in, int out) {
        server.enqueue(OpenAiAnswers.streamed(text, in, out));
    }

    private List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.sorted().toList();
        }
    }

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void aRunIsOneVerifiableConversationWithTheExactBodyDigest() throws Exception {
        answer("Hello", 12, 5);

        Result result = cli().run("run", "-s", "Be brief.", "Say hello");

        assertThat(result.exitCode()).isZero();
        Path log = logs().get(0);
        List<Event> events = EventLog.read(log);
        assertThat(types(events)).containsExactly("session.start", "message", "message", "request", "response",
                "session.end");
        RecordedRequest sent = server.takeRequest();
        byte[] body = sent.getBody().readByteArray();
        JsonNode request = events.get(3).data();
        assertThat(request.get("body_sha256").asText()).isEqualTo(Sha256.of(body));
        assertThat(request.get("body_bytes").asLong()).isEqualTo(body.length);
        assertThat(request.get("context").toString()).isEqualTo("[[2,2]]");
        assertThat(dev.llmo.eventlog.Logged.text(events.get(4))).isEqualTo("Hello");
        JsonNode response = events.get(4).data();
        assertThat(response.get("request").asLong()).isEqualTo(3);
        // 12 × 0.15 + 5 × 0.60 = 4.8 micro-USD, rounded to whole micro-dollars
        assertThat(response.get("cost_micro_usd").asLong()).isEqualTo(5);
        assertThat(events.get(5).data().get("status").asText()).isEqualTo("ok");
        assertThat(events.get(0).data().get("config_sha256").asText()).startsWith("sha256:");
        assertThat(Files.readString(log)).doesNotContain("sk-mock-secret-123");
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void continueSendsTheHistoryAndKeepsTheSystemPrompt() throws Exception {
        answer("Paris.", 20, 2);
        answer("About 2.1 million.", 30, 6);

        assertThat(cli().run("run", "-s", "Answer in one line.", "Capital of France?").exitCode()).isZero();
        Result second = cli().run("run", "-c", "And its population?");

        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo("About 2.1 million.\n");
        server.takeRequest();
        JsonNode body = json.readTree(server.takeRequest().getBody().readUtf8());
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"Answer in one line.\"},"
                + "{\"role\":\"user\",\"content\":\"Capital of France?\"},{\"role\":\"assistant\",\"content\":\"Paris.\"},"
                + "{\"role\":\"user\",\"content\":\"And its population?\"}]");
        assertThat(logs()).hasSize(1);
        assertThat(ChainVerifier.verify(logs().get(0)).ok()).isTrue();
    }

    @Test
    void cidContinuesByUniquePrefixAndAnUnknownIdIsExit3() throws Exception {
        answer("one", 1, 1);
        answer("two", 1, 1);
        assertThat(cli().run("run", "first").exitCode()).isZero();
        String id = logs().get(0).getFileName().toString().replace(".jsonl", "");

        assertThat(cli().run("run", "--cid", id.substring(0, 12), "second").exitCode()).isZero();
        Result unknown = cli().run("run", "--cid", "ZZZZZZ", "third");

        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("no conversation 'ZZZZZZ'");
        assertThat(server.getRequestCount()).isEqualTo(2);
        List<Event> events = EventLog.read(logs().get(0));
        assertThat(types(events).stream().filter("request"::equals)).hasSize(2);
    }

    @Test
    void continueWithNothingToContinueIsAUsageError() {
        Result result = cli().run("run", "-c", "hello");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("there is no conversation to continue");
    }

    @Test
    void aFailedCallIsLoggedAsAnErrorOfItsRequestAndTheUnknownPriceIsNotZero() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setBody(
                "{\"error\":{\"message\":\"bad things\",\"type\":\"invalid_request_error\"}}"));
        answer("free answer", 3, 3);

        assertThat(cli().run("run", "x").exitCode()).isEqualTo(1);
        assertThat(cli().run("run", "-m", "mock/free", "y").exitCode()).isZero();

        List<Event> failed = EventLog.read(logs().get(0));
        Event error = failed.stream().filter(e -> e.type().equals("error")).findFirst().orElseThrow();
        assertThat(error.data().get("request").asLong()).isEqualTo(2);
        assertThat(error.data().get("status").asInt()).isEqualTo(400);
        assertThat(failed.get(failed.size() - 1).data().get("status").asText()).isEqualTo("failed");
        Event response = EventLog.read(logs().get(1)).stream().filter(e -> e.type().equals("response"))
                .findFirst().orElseThrow();
        assertThat(response.data().get("cost_micro_usd").isNull()).isTrue();
    }
}
