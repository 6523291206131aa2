package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo run} records its conversation in the event log, and {@code -c} / {@code --cid} continue it. */
class RunConversationTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - name: m1
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                      - name: free
                    """)
            .configYaml("main_llm: mock/m1\n");
    private final ObjectMapper json = new ObjectMapper();

    private void answer(String text, int in, int out) {
        llmo.server().enqueue(streamed(text, in, out));
    }

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void aRunIsOneVerifiableConversationWithTheExactBodyDigest() throws Exception {
        answer("Hello", 12, 5);

        Result result = llmo.run("run", "-s", "Be brief.", "Say hello");

        assertThat(result).succeeded();
        Path log = llmo.logs().get(0);
        List<Event> events = EventLog.read(log);
        assertThat(types(events)).containsExactly("session.start", "message", "message", "request", "response",
                "session.end");
        RecordedRequest sent = llmo.server().takeRequest();
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

        assertThat(llmo.run("run", "-s", "Answer in one line.", "Capital of France?")).succeeded();
        Result second = llmo.run("run", "-c", "And its population?");

        assertThat(second).succeeded().outIs("About 2.1 million.\n");
        llmo.server().takeRequest();
        JsonNode body = json.readTree(llmo.server().takeRequest().getBody().readUtf8());
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"Answer in one line.\"},"
                + "{\"role\":\"user\",\"content\":\"Capital of France?\"},{\"role\":\"assistant\",\"content\":\"Paris.\"},"
                + "{\"role\":\"user\",\"content\":\"And its population?\"}]");
        assertThat(llmo.logs()).hasSize(1);
        assertThat(ChainVerifier.verify(llmo.logs().get(0)).ok()).isTrue();
    }

    @Test
    void cidContinuesByUniquePrefixAndAnUnknownIdIsExit3() throws Exception {
        answer("one", 1, 1);
        answer("two", 1, 1);
        assertThat(llmo.run("run", "first")).succeeded();
        String id = llmo.logs().get(0).getFileName().toString().replace(".jsonl", "");

        assertThat(llmo.run("run", "--cid", id.substring(0, 12), "second")).succeeded();
        Result unknown = llmo.run("run", "--cid", "ZZZZZZ", "third");

        assertThat(unknown).failedWith(ExitCode.CONFIG).errContains("no conversation 'ZZZZZZ'");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
        List<Event> events = EventLog.read(llmo.logs().get(0));
        assertThat(types(events).stream().filter("request"::equals)).hasSize(2);
    }

    @Test
    void continueWithNothingToContinueIsAUsageError() {
        Result result = llmo.run("run", "-c", "hello");

        assertThat(result).failedWith(ExitCode.USAGE).errContains("there is no conversation to continue");
    }

    @Test
    void aFailedCallIsLoggedAsAnErrorOfItsRequestAndTheUnknownPriceIsNotZero() throws Exception {
        llmo.server().enqueue(new MockResponse().setResponseCode(400).setBody(
                "{\"error\":{\"message\":\"bad things\",\"type\":\"invalid_request_error\"}}"));
        answer("free answer", 3, 3);

        assertThat(llmo.run("run", "x")).failedWith(ExitCode.FAILURE);
        assertThat(llmo.run("run", "-m", "mock/free", "y")).succeeded();

        List<Event> failed = EventLog.read(llmo.logs().get(0));
        Event error = failed.stream().filter(e -> e.type().equals("error")).findFirst().orElseThrow();
        assertThat(error.data().get("request").asLong()).isEqualTo(2);
        assertThat(error.data().get("status").asInt()).isEqualTo(400);
        assertThat(failed.get(failed.size() - 1).data().get("status").asText()).isEqualTo("failed");
        Event response = EventLog.read(llmo.logs().get(1)).stream().filter(e -> e.type().equals("response"))
                .findFirst().orElseThrow();
        assertThat(response.data().get("cost_micro_usd").isNull()).isTrue();
    }
}
