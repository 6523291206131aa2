package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.QueueDispatcher;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuing a conversation ({@code run -c}, {@code run --cid}, {@code chat --continue}, {@code chat --resume}) goes
 * on with the conversation's own model, and never sends a failed turn's message again unseen.
 */
class ContinuationTest {
    @TempDir
    Path home;
    private MockWebServer server;
    private Path models;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        // a request nobody expected gets a 404 at once instead of waiting forever for an answer to be queued
        QueueDispatcher dispatcher = new QueueDispatcher();
        dispatcher.setFailFast(true);
        server.setDispatcher(dispatcher);
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        models = dir.resolve("models.yaml");
        // two providers on one mock server: "other" (the default model) stands for another company's API
        Files.writeString(models, """
                mock:
                  type: openai
                  base_url: %1$s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                    - name: m2
                other:
                  type: openai
                  base_url: %1$s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: o1
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: other/o1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", "sk-mock").env("LLMO_MAX_RETRIES", "0");
    }

    private void answer(String text) {
        server.enqueue(OpenAiAnswers.streamed(text, 5, 2));
    }

    private void failure(int status) {
        server.enqueue(new MockResponse().setResponseCode(status)
                .setBody("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
    }

    private JsonNode body() throws Exception {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("a request reached the server").isNotNull();
        return json.readTree(request.getBody().readUtf8());
    }

    private static String messages(JsonNode body) {
        StringBuilder text = new StringBuilder();
        for (JsonNode message : body.get("messages")) {
            text.append(message.get("role").asText()).append(':').append(message.get("content").asText()).append('|');
        }
        return text.toString();
    }

    private List<Path> logs() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.sorted().toList();
        }
    }

    private String onlyId() throws IOException {
        assertThat(logs()).hasSize(1);
        return logs().get(0).getFileName().toString().replace(".jsonl", "");
    }

    @Test
    void runContinueGoesOnWithTheConversationsOwnModelNotTheDefault() throws Exception {
        answer("One.");
        answer("Two.");
        answer("Three.");

        assertThat(cli().run("run", "-m", "mock/m2", "first").exitCode()).isZero();
        Result continued = cli().run("run", "-c", "second");
        Result byId = cli().run("run", "--cid", onlyId().substring(0, 8), "third");

        assertThat(continued.exitCode()).isZero();
        assertThat(byId.exitCode()).isZero();
        assertThat(body().get("model").asText()).isEqualTo("m2");
        JsonNode second = body();
        assertThat(second.get("model").asText()).isEqualTo("m2");
        assertThat(messages(second)).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void dashMOrARoleWithAModelStillChoosesTheModelOfAContinuation() throws Exception {
        Files.writeString(home.resolve("llmo/config.yaml"),
                "main_llm: other/o1\nroles:\n  Tester: { system: Test it., model: mock/m1 }\n");
        answer("One.");
        answer("Two.");
        answer("Three.");

        cli().run("run", "-m", "mock/m2", "first");
        assertThat(cli().run("run", "-c", "-m", "other/o1", "second").exitCode()).isZero();
        assertThat(cli().run("run", "-c", "-r", "Tester", "third").exitCode()).isZero();

        body();
        assertThat(body().get("model").asText()).isEqualTo("o1");
        assertThat(body().get("model").asText()).isEqualTo("m1");
    }

    @Test
    void runContinueAfterAPipelineAsksWhichModelWithExit2AndSendsNothing() throws Exception {
        answer("Draft.");
        answer("Better.");
        assertThat(cli().run("run", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "write").exitCode()).isZero();
        body();
        body();

        Result result = cli().run("run", "-c", "again");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("llmo: error: conversation " + onlyId())
                .contains("2 models (mock/m1, mock/m2").contains("-m mock/m1");
        assertThat(server.getRequestCount()).isEqualTo(2);
        answer("Continued.");
        assertThat(cli().run("run", "-c", "-m", "mock/m2", "again").exitCode()).isZero();
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void aConversationWhoseProviderIsGoneIsNotSentToTheDefaultModel() throws Exception {
        answer("One.");
        cli().run("run", "-m", "mock/m2", "first");
        Files.writeString(models, Files.readString(models).substring(Files.readString(models).indexOf("other:")));

        Result run = cli().run("run", "-c", "second");
        Result chat = cli().stdin("second\n").run("chat", "--continue");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("was with mock/m2, which is not configured now").contains("-m MODEL");
        assertThat(chat.exitCode()).isEqualTo(3);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void chatContinueAndResumeGoOnWithTheConversationsOwnModel() throws Exception {
        answer("One.");
        answer("Two.");
        answer("Three.");

        cli().run("run", "-m", "mock/m2", "first");
        Result continued = cli().stdin("second\n").run("chat", "--continue");
        Result resumed = cli().stdin("third\n").run("chat", "--resume", onlyId().substring(0, 8));

        assertThat(continued.exitCode()).isZero();
        assertThat(resumed.exitCode()).isZero();
        body();
        JsonNode second = body();
        assertThat(second.get("model").asText()).isEqualTo("m2");
        assertThat(messages(second)).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void chatContinueAfterAPipelineAsksWhichModel() throws Exception {
        answer("Draft.");
        answer("Better.");
        cli().run("run", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "write");

        Result result = cli().stdin("again\n").run("chat", "--continue");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("2 models (mock/m1, mock/m2").contains("-m mock/m1");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void aFailedChatTurnIsNotSentAgainWithTheNextMessage() throws Exception {
        answer("Hello.");
        failure(500);
        answer("Fine.");

        Result result = cli().stdin("hi\nbroken\nworking\n").run("chat", "-m", "mock/m1");

        assertThat(result.exitCode()).isEqualTo(1);
        body();
        assertThat(messages(body())).isEqualTo("user:hi|assistant:Hello.|user:broken|");
        // the failed turn's message is not sent again: no two user messages in a row
        assertThat(messages(body())).isEqualTo("user:hi|assistant:Hello.|user:working|");
        // it stays in the log, its request followed by an error
        List<Event> events = EventLog.read(logs().get(0));
        assertThat(events.stream().filter(e -> e.type().equals("message"))
                .map(dev.llmo.eventlog.Logged::text)).containsExactly("hi", "broken", "working");
        assertThat(events.stream().map(Event::type)).containsSubsequence("message", "request", "error", "message",
                "request", "response");
        assertThat(ChainVerifier.verify(logs().get(0)).ok()).isTrue();
    }

    @Test
    void anEmptyAnswerIsNotFollowedByTwoUserMessagesInARow() throws Exception {
        answer("");
        answer("Now with text.");

        Result result = cli().stdin("first\nsecond\n").run("chat", "-m", "mock/m1");

        assertThat(result.exitCode()).isZero();
        body();
        assertThat(messages(body())).isEqualTo("user:second|");
    }

    @Test
    void aFailedChatTurnCanStillBeRetried() throws Exception {
        failure(500);
        answer("At last.");

        Result result = cli().stdin("question\n/retry\n").run("chat", "-m", "mock/m1");

        assertThat(result.out()).isEqualTo("At last.\n");
        body();
        assertThat(messages(body())).isEqualTo("user:question|");
    }

    @Test
    void runContinueAfterAFailedRunDoesNotSendTheFailedMessageAgain() throws Exception {
        answer("One.");
        failure(500);
        answer("Two.");

        cli().run("run", "-m", "mock/m1", "first");
        assertThat(cli().run("run", "-c", "failing").exitCode()).isEqualTo(1);
        Result result = cli().run("run", "-c", "second");
        Result dryRun = cli().run("run", "-c", "--dry-run", "--json", "third");

        assertThat(result.exitCode()).isZero();
        body();
        assertThat(messages(body())).isEqualTo("user:first|assistant:One.|user:failing|");
        assertThat(messages(body())).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(dryRun.exitCode()).isZero();
        assertThat(logs()).hasSize(1);
        assertThat(ChainVerifier.verify(logs().get(0)).ok()).isTrue();
    }

    @Test
    void aResumedConversationEndingWithAFailedTurnDropsItFromTheNextRequest() throws Exception {
        answer("One.");
        failure(500);
        answer("Two.");

        cli().stdin("first\nfailing\n").run("chat", "-m", "mock/m1");
        Result resumed = cli().stdin("second\n").run("chat", "--continue");

        assertThat(resumed.exitCode()).isZero();
        body();
        body();
        JsonNode third = body();
        assertThat(third.get("model").asText()).isEqualTo("m1");
        assertThat(messages(third)).isEqualTo("user:first|assistant:One.|user:second|");
    }

    @Test
    void saveBeforeAnythingWasSentSaysSoAndLeavesNoFile() throws Exception {
        Result result = cli().stdin("/save early\n").run("chat", "-m", "mock/m1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("nothing to save yet").contains("send a message first, then /save early");
        assertThat(home.resolve("llmo/conversations")).doesNotExist();
    }
}
