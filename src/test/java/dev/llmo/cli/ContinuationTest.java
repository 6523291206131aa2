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
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Continuing a conversation ({@code run -c}, {@code run --cid}, {@code chat --continue}, {@code chat --resume}) goes
 * on with the conversation's own model, and never sends a failed turn's message again unseen.
 */
class ContinuationTest {
    // two providers on one mock server: "other" (the default model) stands for another company's API
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().failFast()
            .modelsYaml("""
                    mock:
                      type: openai
                      base_url: {server}
                      api_key_name: MOCK_API_KEY
                      models:
                        - name: m1
                        - name: m2
                    other:
                      type: openai
                      base_url: {server}
                      api_key_name: MOCK_API_KEY
                      models:
                        - name: o1
                    """)
            .configYaml("main_llm: other/o1\n");
    private final ObjectMapper json = new ObjectMapper();

    private void answer(String text) {
        llmo.server().enqueue(streamed(text, 5, 2));
    }

    private void failure(int status) {
        llmo.server().enqueue(new MockResponse().setResponseCode(status)
                .setBody("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
    }

    /** The {@code nth} request to reach the server from now on (1: the next), the ones before it passed over. */
    private JsonNode body(int nth) throws Exception {
        for (int i = 1; i < nth; i++) {
            body();
        }
        return body();
    }

    private JsonNode body() throws Exception {
        RecordedRequest request = llmo.server().takeRequest(5, TimeUnit.SECONDS);
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

    @Test
    void runContinueGoesOnWithTheConversationsOwnModelNotTheDefault() throws Exception {
        answer("One.");
        answer("Two.");
        answer("Three.");

        assertThat(llmo.run("run", "-m", "mock/m2", "first")).succeeded();
        Result continued = llmo.run("run", "-c", "second");
        Result byId = llmo.run("run", "--cid", llmo.onlyId().substring(0, 8), "third");

        assertThat(continued).succeeded();
        assertThat(byId).succeeded();
        assertThat(body().get("model").asText()).isEqualTo("m2");
        JsonNode second = body();
        assertThat(second.get("model").asText()).isEqualTo("m2");
        assertThat(messages(second)).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void continueAndLastTakeTheConversationUsedLastNotTheOneStartedLast() throws Exception {
        for (String text : List.of("Old.", "New.", "Resumed.", "Continued.", "Shown.")) {
            answer(text);
        }
        assertThat(llmo.run("run", "-m", "mock/m2", "old")).succeeded();
        String old = llmo.onlyId();
        assertThat(llmo.run("run", "-m", "mock/m2", "new")).succeeded();
        assertThat(llmo.run("run", "--cid", old, "resumed old")).succeeded();

        Result continued = llmo.run("run", "-c", "x");

        assertThat(continued).succeeded();
        assertThat(messages(body(4))).isEqualTo("user:old|assistant:Old.|user:resumed old|assistant:Resumed.|user:x|");
        assertThat(llmo.run("log", "show", "last").out()).contains("resumed old").doesNotContain("New.");
    }

    @Test
    void dashMOrARoleWithAModelStillChoosesTheModelOfAContinuation() throws Exception {
        llmo.configYaml("main_llm: other/o1\nroles:\n  Tester: { system: Test it., model: mock/m1 }\n");
        answer("One.");
        answer("Two.");
        answer("Three.");

        llmo.run("run", "-m", "mock/m2", "first");
        assertThat(llmo.run("run", "-c", "-m", "other/o1", "second")).succeeded();
        assertThat(llmo.run("run", "-c", "-r", "Tester", "third")).succeeded();

        body();
        assertThat(body().get("model").asText()).isEqualTo("o1");
        assertThat(body().get("model").asText()).isEqualTo("m1");
    }

    @Test
    void runContinueAfterAPipelineAsksWhichModelWithExit2AndSendsNothing() throws Exception {
        answer("Draft.");
        answer("Better.");
        assertThat(llmo.run("run", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "write")).succeeded();
        body();
        body();

        Result result = llmo.run("run", "-c", "again");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).contains("llmo: error: conversation " + llmo.onlyId())
                .contains("2 models (mock/m1, mock/m2").contains("-m mock/m1");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
        answer("Continued.");
        assertThat(llmo.run("run", "-c", "-m", "mock/m2", "again")).succeeded();
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void aConversationWhoseProviderIsGoneIsNotSentToTheDefaultModel() throws Exception {
        answer("One.");
        llmo.run("run", "-m", "mock/m2", "first");
        Path models = llmo.dir().resolve("models.yaml");
        Files.writeString(models, Files.readString(models).substring(Files.readString(models).indexOf("other:")));

        Result run = llmo.run("run", "-c", "second");
        Result chat = llmo.cli().stdin("second\n").run("chat", "--continue");

        assertThat(run).failedWith(ExitCode.CONFIG);
        assertThat(run.err()).contains("was with mock/m2, which is not configured now").contains("-m MODEL");
        assertThat(chat).failedWith(ExitCode.CONFIG);
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void chatContinueAndResumeGoOnWithTheConversationsOwnModel() throws Exception {
        answer("One.");
        answer("Two.");
        answer("Three.");

        llmo.run("run", "-m", "mock/m2", "first");
        Result continued = llmo.cli().stdin("second\n").run("chat", "--continue");
        Result resumed = llmo.cli().stdin("third\n").run("chat", "--resume", llmo.onlyId().substring(0, 8));

        assertThat(continued).succeeded();
        assertThat(resumed).succeeded();
        JsonNode second = body(2);
        assertThat(second.get("model").asText()).isEqualTo("m2");
        assertThat(messages(second)).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(body().get("model").asText()).isEqualTo("m2");
    }

    @Test
    void chatContinueAfterAPipelineAsksWhichModel() throws Exception {
        answer("Draft.");
        answer("Better.");
        llmo.run("run", "--sequential", "-m", "mock/m1", "-m", "mock/m2", "write");

        Result result = llmo.cli().stdin("again\n").run("chat", "--continue");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).contains("2 models (mock/m1, mock/m2").contains("-m mock/m1");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
    }

    @Test
    void aFailedChatTurnIsNotSentAgainWithTheNextMessage() throws Exception {
        answer("Hello.");
        failure(500);
        answer("Fine.");

        Result result = llmo.cli().stdin("hi\nbroken\nworking\n").run("chat", "-m", "mock/m1");

        assertThat(result).failedWith(ExitCode.FAILURE);
        body();
        assertThat(messages(body())).isEqualTo("user:hi|assistant:Hello.|user:broken|");
        // the failed turn's message is not sent again: no two user messages in a row
        assertThat(messages(body())).isEqualTo("user:hi|assistant:Hello.|user:working|");
        // it stays in the log, its request followed by an error
        List<Event> events = EventLog.read(llmo.logs().get(0));
        assertThat(events.stream().filter(e -> e.type().equals("message"))
                .map(dev.llmo.eventlog.Logged::text)).containsExactly("hi", "broken", "working");
        assertThat(events.stream().map(Event::type)).containsSubsequence("message", "request", "error", "message",
                "request", "response");
        assertThat(ChainVerifier.verify(llmo.logs().get(0)).ok()).isTrue();
    }

    @Test
    void anEmptyAnswerIsNotFollowedByTwoUserMessagesInARow() throws Exception {
        answer("");
        answer("Now with text.");

        Result result = llmo.cli().stdin("first\nsecond\n").run("chat", "-m", "mock/m1");

        assertThat(result).succeeded();
        body();
        assertThat(messages(body())).isEqualTo("user:second|");
    }

    @Test
    void aFailedChatTurnCanStillBeRetried() throws Exception {
        failure(500);
        answer("At last.");

        Result result = llmo.cli().stdin("question\n/retry\n").run("chat", "-m", "mock/m1");

        assertThat(result.out()).isEqualTo("At last.\n");
        body();
        assertThat(messages(body())).isEqualTo("user:question|");
    }

    @Test
    void runContinueAfterAFailedRunDoesNotSendTheFailedMessageAgain() throws Exception {
        answer("One.");
        failure(500);
        answer("Two.");

        llmo.run("run", "-m", "mock/m1", "first");
        assertThat(llmo.run("run", "-c", "failing")).failedWith(ExitCode.FAILURE);
        Result result = llmo.run("run", "-c", "second");
        Result dryRun = llmo.run("run", "-c", "--dry-run", "--json", "third");

        assertThat(result).succeeded();
        body();
        assertThat(messages(body())).isEqualTo("user:first|assistant:One.|user:failing|");
        assertThat(messages(body())).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(dryRun).succeeded();
        assertThat(llmo.logs()).hasSize(1);
        assertThat(ChainVerifier.verify(llmo.logs().get(0)).ok()).isTrue();
    }

    @Test
    void aResumedConversationEndingWithAFailedTurnDropsItFromTheNextRequest() throws Exception {
        answer("One.");
        failure(500);
        answer("Two.");

        llmo.cli().stdin("first\nfailing\n").run("chat", "-m", "mock/m1");
        Result resumed = llmo.cli().stdin("second\n").run("chat", "--continue");

        assertThat(resumed).succeeded();
        JsonNode third = body(3);
        assertThat(third.get("model").asText()).isEqualTo("m1");
        assertThat(messages(third)).isEqualTo("user:first|assistant:One.|user:second|");
    }

    @Test
    void saveBeforeAnythingWasSentSaysSoAndLeavesNoFile() throws Exception {
        Result result = llmo.cli().stdin("/save early\n").run("chat", "-m", "mock/m1");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).contains("nothing to save yet").contains("send a message first, then /save early");
        assertThat(llmo.conversations()).doesNotExist();
    }

    /** The log's line {@code line} (1-based) with {@code from} replaced, as someone editing the file by hand would. */
    private static void edit(Path log, int line, String from, String to) throws Exception {
        List<String> lines = Files.readAllLines(log);
        assertThat(lines.get(line - 1)).contains(from);
        lines.set(line - 1, lines.get(line - 1).replace(from, to));
        Files.write(log, lines);
    }

    /**
     * {@code /load} goes on with the loaded conversation's own model, as {@code --resume} does, and says which; one
     * with no one model (a run of several) keeps the chat's, saying so; a parallel run's is refused, as by --resume.
     */
    @Test
    void chatLoadGoesOnWithTheConversationsOwnModelAndSaysWhich() throws Exception {
        answer("Rivers.");
        assertThat(llmo.cli().stdin("rivers?\n/save notes\n").run("chat", "-m", "mock/m2")).succeeded();
        String notes = llmo.onlyId();
        answer("Mountains.");

        Result loaded = llmo.cli().stdin("/load notes\nmountains?\n").run("chat");

        assertThat(loaded).succeeded().errContains("conversation " + notes + ": 2 messages, on mock/m2");
        JsonNode sent = body(2);
        assertThat(sent.get("model").asText()).isEqualTo("m2");
        assertThat(messages(sent)).isEqualTo("user:rivers?|assistant:Rivers.|user:mountains?|");
    }

    @Test
    void chatLoadOfARunOfSeveralModelsKeepsTheChatsModelAndSaysWhyAndOfAParallelRunRefuses() throws Exception {
        answer("Draft.");
        answer("Better.");
        assertThat(llmo.run("run", "-m", "mock/m1", "-m", "mock/m2", "--sequential", "draft")).succeeded();
        String pipeline = llmo.onlyId();
        answer("Again.");

        Result kept = llmo.cli().stdin("/load " + pipeline + "\nagain\n").run("chat", "-m", "mock/m1");

        assertThat(kept).succeeded().errContains("on mock/m1", "ended with a run of 2 models (mock/m1, mock/m2",
                "this chat goes on with mock/m1 (/model to choose)");
        body();
        body();
        assertThat(body().get("model").asText()).isEqualTo("m1");

        answer("A.");
        answer("B.");
        List<Path> before = llmo.logs();
        assertThat(llmo.run("run", "-m", "mock/m1", "-m", "mock/m2", "--parallel", "both")).succeeded();
        List<Path> after = new java.util.ArrayList<>(llmo.logs());
        after.removeAll(before);
        String parallel = after.get(0).getFileName().toString().replace(".jsonl", "");
        answer("Still here.");
        answer("And again.");
        Result refused = llmo.cli().stdin("hello\n/load " + parallel + "\nagain\n").run("chat", "-m", "mock/m2");
        assertThat(refused).failedWith(ExitCode.USAGE).errContains("ended with a parallel run of 2 models: there is no "
                + "one answer to continue from");
        // the refused /load left the chat as it was: its own conversation, on its own model
        assertThat(refused.err()).doesNotContain("messages, on");
        JsonNode afterRefusal = body(4); // after the parallel run's two requests and the chat's first
        assertThat(afterRefusal.get("model").asText()).isEqualTo("m2");
        assertThat(messages(afterRefusal)).isEqualTo("user:hello|assistant:Still here.|user:again|");
    }

    /** A conversation whose provider is gone from models.yaml is loaded on the chat's model, saying why. */
    @Test
    void chatLoadOfAConversationWhoseProviderIsGoneKeepsTheChatsModel() throws Exception {
        answer("On o1.");
        assertThat(llmo.cli().stdin("hi\n/save gone\n").run("chat")).succeeded();
        llmo.configYaml("main_llm: mock/m1\n");
        llmo.mockProvider("models: [m1]\n");
        answer("On m1.");

        Result loaded = llmo.cli().stdin("/load gone\nmore\n").run("chat");

        assertThat(loaded).succeeded().errContains("on mock/m1", "this chat goes on with mock/m1 (/model to choose)");
        JsonNode sent = body(2);
        assertThat(sent.get("model").asText()).isEqualTo("m1");
        assertThat(messages(sent)).isEqualTo("user:hi|assistant:On o1.|user:more|");
    }

    @Test
    void aLogThatDoesNotVerifyIsNeitherContinuedNorSentByAnyPath() throws Exception {
        answer("The plan.");
        assertThat(llmo.cli().stdin("secret plan\n/save plans\n").run("chat", "-m", "mock/m1")).succeeded();
        Path log = llmo.onlyLog();
        String id = llmo.onlyId();
        edit(log, 4, "The plan.", "A better plan.");
        byte[] tampered = Files.readAllBytes(log);

        for (Result refused : List.of(llmo.run("run", "-c", "next"), llmo.run("run", "--cid", id.substring(0, 8), "next"),
                llmo.run("run", "--cid", "last", "-m", "mock/m1", "next"), llmo.run("run", "-c", "--dry-run", "next"),
                llmo.cli().stdin("next\n").run("chat", "--continue"),
                llmo.cli().stdin("next\n").run("chat", "--cid", "plans"))) {
            assertThat(refused).failedWith(ExitCode.LOG_INVALID).outIsEmpty()
                    .errContains("llmo: error: " + log + " does not verify, so it cannot be continued: line 4: edited: ",
                            "run 'llmo log verify " + id + "' to see it, and start a new conversation");
            assertThat(refused.err().lines()).hasSize(1);
        }
        // /load in a chat refuses it and the chat goes on in its own conversation
        answer("Fresh.");
        Result loaded = llmo.cli().stdin("/load " + id + "\nhello\n").run("chat", "-m", "mock/m1");
        assertThat(loaded).errContains("cannot be continued: line 4: edited");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
        assertThat(messages(body())).isEqualTo("user:secret plan|");
        assertThat(messages(body())).isEqualTo("user:hello|");
        assertThat(Files.readAllBytes(log)).as("nothing appended after the break").isEqualTo(tampered);
    }

    @Test
    void aTornLogIsContinuedOnceRepaired() throws Exception {
        answer("One.");
        answer("Two.");
        llmo.run("run", "-m", "mock/m1", "first");
        Files.writeString(llmo.onlyLog(), "{\"v\":2,\"seq\":5,", java.nio.file.StandardOpenOption.APPEND);

        assertThat(llmo.run("run", "-c", "second")).failedWith(ExitCode.LOG_INVALID)
                .errContains("cannot be continued: line 6: torn: ", "run 'llmo log verify " + llmo.onlyId()
                        + " --repair' to cut the torn line, then continue");
        assertThat(llmo.run("log", "verify", "--repair", llmo.onlyId())).succeeded();
        assertThat(llmo.run("run", "-c", "second")).succeeded().outIs("Two.\n");
        body();
        assertThat(messages(body())).isEqualTo("user:first|assistant:One.|user:second|");
    }

    @Test
    void aLogWithRedactedContentStillVerifiesAndIsContinued() throws Exception {
        answer("One.");
        answer("Two.");
        llmo.run("run", "-m", "mock/m1", "my phone number is 555-0100");
        // redaction: the user message's content taken out; its digest stays in the hashed data
        List<String> lines = Files.readAllLines(llmo.onlyLog());
        lines.set(1, lines.get(1).replaceFirst(",\"content\":\\{.*\\}\\}$", "}"));
        Files.write(llmo.onlyLog(), lines);
        assertThat(lines.get(1)).doesNotContain("555-0100"); // whole: "555" alone may be in a digest or salt
        assertThat(ChainVerifier.verify(llmo.onlyLog()).ok()).isTrue();

        assertThat(llmo.run("run", "-c", "second")).succeeded().outIs("Two.\n");
        body();
        assertThat(messages(body())).isEqualTo("user:|assistant:One.|user:second|");
        assertThat(ChainVerifier.verify(llmo.onlyLog()).ok()).isTrue();
    }
}
