package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.cli.repl.ChatServer;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo chat} with stdin piped: each line is a turn, answers on stdout, slash commands work. */
class ChatScriptedTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create();
    private ChatServer server;

    @BeforeEach
    void start() throws IOException {
        server = ChatServer.start(llmo.home());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private CliRun cli(String stdin) {
        return llmo.cli().stdin(stdin);
    }

    private static String messages(JsonNode body) {
        StringBuilder text = new StringBuilder();
        for (JsonNode message : body.get("messages")) {
            text.append(message.get("role").asText()).append(':').append(message.get("content").asText()).append('|');
        }
        return text.toString();
    }

    @Test
    void withoutAKeyForTheDefaultModelTheFirstTurnFailsNamingModelsWithAKeyAndTheScriptGoesOn() throws Exception {
        // a keyless provider on the same server: what "/model" switches to
        Files.writeString(llmo.home().resolve("llmo/models.yaml"), Files.readString(llmo.home().resolve(
                "llmo/models.yaml")) + "local:\n  type: openai\n  base_url: " + server.url() + "\n  models:\n"
                + "    - name: l1\n");
        server.answer("Hello from local", 3, 4);

        Result result = llmo.cli().env("MOCK_API_KEY", null).env("GEMINI_API_KEY", "g")
                .stdin("hi\n/model local/l1\nmore\n").run("chat");

        assertThat(result).failedWith(ExitCode.CREDENTIALS).outContains("Hello from local");
        assertThat(result.err()).startsWith("llmo: error: no API key for provider 'mock' of the default model "
                + "mock/m1: MOCK_API_KEY is not set; models with a key: /model gemini/gemini-2.5-flash (or make one the "
                + "default: export LLMO_MODEL=gemini/gemini-2.5-flash); or run 'llmo vault set MOCK_API_KEY'\n");
        assertThat(server.requestCount()).isEqualTo(1);
        // the refused "hi" never joined the history
        assertThat(messages(server.takeBody())).isEqualTo("user:more|");
    }

    @Test
    void withoutAKeyForTheDefaultModelNothingIsLoggedWhenNoTurnIsSent() {
        Result result = llmo.cli().env("MOCK_API_KEY", null).env("GEMINI_API_KEY", "g").stdin("hi\n").run("chat");

        assertThat(result).failedWith(ExitCode.CREDENTIALS);
        assertThat(result.err()).contains("models with a key: /model gemini/gemini-2.5-flash");
        assertThat(llmo.logs()).isEmpty();
    }

    @Test
    void anAnswerCutAtTheTokenLimitIsNotedAfterIt() {
        server.answerCutAtLimit("Once upon a");

        Result result = cli("tell a story\n").run("chat");

        assertThat(result).succeeded().outContains("Once upon a");
        assertThat(result.err()).contains("llmo: note: the answer was cut at the output token limit; raise it with "
                + "-o max_tokens=N\n");
    }

    @Test
    void aChatSessionEndIsAnchoredInTheLedger() throws Exception {
        server.answer("Hello!", 10, 2);

        Result result = cli("hi\n").run("chat");

        assertThat(result).succeeded();
        List<String> ledger = Files.readAllLines(llmo.dir().resolve("ledger.jsonl"));
        List<Event> events = llmo.onlyLogEvents();
        assertThat(ledger).singleElement().satisfies(line -> assertThat(line)
                .contains("\"conversation\":\"" + llmo.onlyId() + "\"")
                .contains("\"head_hash\":\"" + events.get(events.size() - 1).hash() + "\""));
        assertThat(events.get(events.size() - 1).type()).isEqualTo("session.end");
        assertThat(cli("").run("log", "verify", "--all")).succeeded();
    }

    @Test
    void eachLineIsATurnAndModelSwitchKeepsTheHistory() throws Exception {
        server.answer("Hello!", 10, 2).answer("More.", 20, 1);

        Result result = cli("hi\n/model mock/free\nmore\n").run("chat");

        assertThat(result).succeeded();
        assertThat(result.out()).isEqualTo("Hello!\nMore.\n");
        assertThat(result.err()).contains("model mock/free").doesNotContain("error");
        JsonNode first = server.takeBody();
        JsonNode second = server.takeBody();
        assertThat(first.get("model").asText()).isEqualTo("m1");
        assertThat(second.get("model").asText()).isEqualTo("free");
        assertThat(messages(second)).isEqualTo("user:hi|assistant:Hello!|user:more|");
        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.get(0).data().get("command").asText()).isEqualTo("chat");
        assertThat(events.stream().map(Event::type).toList()).containsExactly("session.start", "message", "request",
                "response", "message", "request", "response", "session.end");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void anUnknownCommandGetsTheClosestOneAndTheSessionGoesOnWithExit2() throws Exception {
        server.answer("Still here.", 5, 2);

        Result result = cli("/mdoel x\nstill there?\n").run("chat");

        assertThat(result.err()).contains("llmo: error: unknown command '/mdoel' (did you mean '/model'?)");
        assertThat(result.out()).isEqualTo("Still here.\n");
        assertThat(result).failedWith(ExitCode.USAGE);
    }

    @Test
    void aFailedTurnIsOneLineAndTheNextTurnStillRunsWithExit1WithoutIt() throws Exception {
        server.failure(500).answer("Recovered.", 5, 2);

        Result result = cli("first\nsecond\n").run("chat");

        assertThat(result).failedWith(ExitCode.FAILURE);
        assertThat(result.err().lines().filter(l -> l.startsWith("llmo: error:")).count()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("Recovered.\n");
        server.takeBody();
        // the failed turn's message is not sent again with the next one (it stays in the log, marked by its error)
        assertThat(messages(server.takeBody())).isEqualTo("user:second|");
    }

    @Test
    void retrySendsTheSameMessagesAndAResumedConversationKeepsOnlyTheNewAnswer() throws Exception {
        server.answer("Bad answer.", 5, 2).answer("Good answer.", 5, 2).answer("Sure.", 9, 1);

        Result result = cli("question\n/retry\n").run("chat");
        Result resumed = cli("and then?\n").run("chat", "--continue");

        assertThat(result).succeeded();
        assertThat(result.out()).isEqualTo("Bad answer.\nGood answer.\n");
        assertThat(resumed).succeeded();
        String first = messages(server.takeBody());
        assertThat(messages(server.takeBody())).isEqualTo(first).isEqualTo("user:question|");
        assertThat(messages(server.takeBody())).isEqualTo("user:question|assistant:Good answer.|user:and then?|");
        llmo.onlyLogEvents();   // one conversation, and it verifies
    }

    @Test
    void systemPromptAndOptionsFromTheCommandLineLikeRun() throws Exception {
        server.answer("Arr.", 5, 2).answer("Arr again.", 5, 2);

        Result result = cli("hi\n/role Pirate\nmore\n").run("chat", "-r", "Pirate", "-s", "Be brief.",
                "-o", "temperature=0.1", "--option", "max_tokens=50");

        assertThat(result).succeeded();
        JsonNode first = server.takeBody();
        assertThat(messages(first)).isEqualTo("system:Talk like a pirate.\n\nBe brief.|user:hi|");
        assertThat(first.get("temperature").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(first.get("max_tokens").asInt()).isEqualTo(50);
        // -o wins over the role's options for the whole session, also after /role
        JsonNode second = server.takeBody();
        assertThat(second.get("temperature").decimalValue()).isEqualByComparingTo("0.1");
    }

    @Test
    void dashCAndCidContinueLikeRun() throws Exception {
        server.answer("One.", 5, 2).answer("Two.", 5, 2).answer("Three.", 5, 2);

        assertThat(cli("first\n").run("chat")).succeeded();
        assertThat(cli("second\n").run("chat", "-c")).succeeded();
        String id = llmo.onlyId().substring(0, 10);
        assertThat(cli("third\n").run("chat", "--cid", id)).succeeded();

        server.takeBody();
        assertThat(messages(server.takeBody())).isEqualTo("user:first|assistant:One.|user:second|");
        assertThat(messages(server.takeBody()))
                .isEqualTo("user:first|assistant:One.|user:second|assistant:Two.|user:third|");
        assertThat(llmo.logs()).hasSize(1);
    }

    @Test
    void retryWithNothingToRetryIsAUsageError() {
        Result result = cli("/retry\n").run("chat");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).contains("there is nothing to retry");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void aSavedNameResumesAndLoadsTheConversation() throws Exception {
        server.answer("Noted.", 5, 2).answer("You said remember-me.", 9, 4).answer("Yes.", 12, 1);

        assertThat(cli("remember-me\n/save notes\n").run("chat")).succeeded();
        Result resumed = cli("what did I say?\n").run("chat", "--resume", "notes");
        Result loaded = cli("/clear\n/load notes\nagain?\n").run("chat");

        assertThat(resumed).succeeded();
        assertThat(resumed.out()).isEqualTo("You said remember-me.\n");
        assertThat(loaded).succeeded();
        server.takeBody();
        assertThat(messages(server.takeBody())).isEqualTo("user:remember-me|assistant:Noted.|user:what did I say?|");
        assertThat(messages(server.takeBody())).startsWith("user:remember-me|assistant:Noted.|user:what did I say?|")
                .endsWith("user:again?|");
        assertThat(Files.readString(llmo.onlyLog())).contains("\"chat.save\"", "\"name\":\"notes\"");
    }

    @Test
    void savingAgainRenamesTheConversationTheEarlierNameNoLongerLeadsToIt() throws Exception {
        // the third answer is there for a resume by the earlier name, so that finding it fails the test, not hangs
        server.answer("Noted.", 5, 2).answer("Renamed.", 7, 1).answer("Still found.", 7, 1);

        assertThat(cli("remember-me\n/save first-name\n/save second-name\n").run("chat")).succeeded();
        Result newest = cli("again?\n").run("chat", "--resume", "second-name");
        Result earlier = cli("hello?\n").run("chat", "--resume", "first-name");

        assertThat(earlier).failedWith(ExitCode.CONFIG).errContains("first-name");
        assertThat(newest).succeeded();
        assertThat(newest.out()).isEqualTo("Renamed.\n");
        assertThat(llmo.cli().run("log", "list").out()).contains("[second-name]").doesNotContain("first-name");
        assertThat(llmo.cli().run("__complete", "conversations").out()).endsWith("\nsecond-name\n")
                .doesNotContain("first-name");
    }

    @Test
    void aNameThatCouldBeReadAsAnIdOrItsStartIsRefusedAndOneWithADashIsKept() throws Exception {
        server.answer("Noted.", 5, 2);

        // "old" reads as 01D in the ids' spelling, the start of every id of these years
        Result result = cli("remember-me\n/save 01M9\n/save old\n/save 01ARZ3NDEKTSV4RRFFQ69G5FAV\n/save old-notes\n")
                .run("chat");

        assertThat(result).failedWith(ExitCode.USAGE);
        assertThat(result.err()).contains("llmo: error: '01M9' could be read as a conversation id or the start of "
                + "one (an id prefix wins over a name); give a name with a character no id has, e.g. /save "
                + "01M9-notes\n", "llmo: error: 'old' could be read as", "'01ARZ3NDEKTSV4RRFFQ69G5FAV' could be read as");
        assertThat(Files.readString(llmo.onlyLog())).contains("\"name\":\"old-notes\"").doesNotContain(
                "\"name\":\"old\"", "\"name\":\"01M9\"", "\"name\":\"01ARZ");
    }

    @Test
    void savingANameChangesTheConversationsDirectorysTimeSoThatCachedCompletionSeesIt() throws Exception {
        server.answer("Noted.", 5, 2);
        assertThat(cli("remember-me\n").run("chat")).succeeded();
        Path dir = llmo.onlyLog().getParent();
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(dir, old);

        assertThat(cli("/save notes\n").run("chat", "--resume", "last")).succeeded();

        assertThat(Files.getLastModifiedTime(dir)).isNotEqualTo(old);
        assertThat(llmo.cli().run("__complete", "conversations").out()).endsWith("\nnotes\n");
    }

    @Test
    void multiLineInputByBackslashAndByTripleQuotes() throws Exception {
        server.answer("one", 1, 1).answer("two", 1, 1);

        Result result = cli("first line\\\nsecond line\n\"\"\"\nblock a\n  block b\n\"\"\"\n").run("chat");

        assertThat(result).succeeded();
        assertThat(server.takeBody().get("messages").get(0).get("content").asText())
                .isEqualTo("first line\nsecond line");
        assertThat(server.takeBody().get("messages").get(2).get("content").asText()).isEqualTo("block a\n  block b");
    }

    @Test
    void theInputsEndSendsAnAnnouncedLineWithoutItsBackslashAndSaysWhatWasAttachedButNotSent() throws Exception {
        server.answer("one", 1, 1);
        Path photo = Files.write(llmo.home().resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10,
                26, 10});

        assertThat(cli("last line \\\n").run("chat")).succeeded();
        assertThat(server.takeBody().get("messages").get(0).get("content").asText()).isEqualTo("last line ");

        Result attached = cli("/attach " + photo + "\n").run("chat");
        assertThat(attached).succeeded();
        assertThat(attached.err()).contains("llmo: note: not sent: " + photo + " (image/png): the input ended "
                + "before a message to attach it to");
    }

    @Test
    void clearStartsANewConversationThatKeepsTheSystemPrompt() throws Exception {
        server.answer("A.", 1, 1).answer("B.", 1, 1);

        Result result = cli("/system Be terse.\nfirst\n/clear\nsecond\n").run("chat");

        assertThat(result).succeeded();
        assertThat(result.err()).contains("new conversation ");
        server.takeBody();
        JsonNode second = server.takeBody();
        assertThat(messages(second)).isEqualTo("system:Be terse.|user:second|");
        assertThat(llmo.logs()).hasSize(2);
        for (Path log : llmo.logs()) {
            assertThat(ChainVerifier.verify(log).ok()).isTrue();
            assertThat(Files.readString(log)).contains("\"session.end\"");
        }
    }

    @Test
    void roleSetsSystemPromptModelAndOptions() throws Exception {
        server.answer("Arr.", 1, 1);

        Result result = cli("/role pirate\nhello\n").run("chat");

        assertThat(result).succeeded();
        JsonNode body = server.takeBody();
        assertThat(body.get("model").asText()).isEqualTo("free");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.9);
        assertThat(messages(body)).isEqualTo("system:Talk like a pirate.|user:hello|");
    }

    @Test
    void informationCommandsPrintToStdout() throws Exception {
        server.answer("Hello there.", 100, 3);

        Result result = cli("hello\n/tokens\n/cost\n/history\n/model\n/models\n/help\n/exit\nnever sent\n")
                .run("chat");

        assertThat(result).succeeded();
        assertThat(result.out())
                .contains("next request: ~")
                .contains("context ", "% of 1,000", "estimate with a safety margin; nothing dropped")
                .contains("this session: $0.000017 over 1 call")
                .contains("  1 you   hello", "  2 model Hello there.")
                .contains("mock/m1 (context 1,000 tokens")
                .contains("* mock/m1", "  mock/free")
                .contains("/retry", "/save NAME");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void theStatusLineShowsTokensCostAndContextWhenStderrIsATerminal() throws Exception {
        server.answer("Hi.", 250, 10);

        Result result = cli("hello\n").tty("e").run("chat");

        assertThat(result.err()).contains("mock/m1 · 250 in / 10 out tokens · $0.000044 · session $0.000044 · "
                + "context 25.0% of 1,000 · ");
        assertThat(result.out()).isEqualTo("Hi.\n");
    }

    @Test
    void onATerminalTheServersControlCharactersAreShownNotObeyedAndInAPipeTheyPassUnchanged() throws Exception {
        String hostile = "red \u001b[31mRED\u001b[0m \u001b]0;title\u0007 end";
        String shown = "red ^[[31mRED^[[0m ^[]0;title^G end";
        server.answer(hostile, 5, 2).failure(400, "bad \u001b[2Jthing");

        Result terminal = cli("hi\n/history\nagain\n").tty("oe").run("chat");

        assertThat(terminal).failedWith(ExitCode.FAILURE);
        assertThat(terminal.out()).isEqualTo(shown + "\n  1 you   hi\n  2 model " + shown + "\n");
        assertThat(terminal.err()).contains("bad ^[[2Jthing").doesNotContain("\u001b[2J");

        server.answer(hostile, 5, 2).failure(400, "bad \u001b[2Jthing");
        Result pipes = cli("hi\nagain\n").run("chat");

        assertThat(pipes.out()).isEqualTo(hostile + "\n");
        assertThat(pipes.err()).contains("bad \u001b[2Jthing");
    }

    @Test
    void anUnknownRoleFailsBeforeAnyConversationIsWritten() throws Exception {
        Result result = cli("hello\n").run("chat", "-r", "Pirat");

        assertThat(result).failedWith(ExitCode.CONFIG);
        assertThat(result.err()).contains("unknown role 'Pirat' (did you mean 'Pirate'?)");
        assertThat(llmo.logs()).isEmpty();
    }

    @Test
    void aDoubleSlashSendsALeadingSlash() throws Exception {
        server.answer("ok", 1, 1);

        assertThat(cli("//etc/hosts explained\n").run("chat")).succeeded();

        assertThat(messages(server.takeBody())).isEqualTo("user:/etc/hosts explained|");
    }

    @Test
    void twoChatsOnOneConversationEachSendTheOthersTurnsAndTheLogReplays() throws Exception {
        server.answer("Noted.", 5, 1).answer("A1 noted.", 5, 1).answer("B1 noted.", 5, 1).answer("A2 noted.", 5, 1)
                .answer("B2 noted.", 5, 1);
        assertThat(cli("").run("run", "start notes")).succeeded();
        String id = llmo.onlyId();
        server.takeBody();
        java.io.PipedOutputStream typed = new java.io.PipedOutputStream();
        java.io.PipedInputStream stdinA = new java.io.PipedInputStream(typed);
        java.util.concurrent.CompletableFuture<Result> chatA = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> llmo.cli().stdin(stdinA).run("chat", "--cid", id));
        typed.write("from A 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        typed.flush();
        server.takeBody();
        // B starts once A's answer is in the log, as a second terminal would
        for (int i = 0; i < 1000 && llmo.onlyLogEvents().stream().filter(e -> e.type().equals("response")).count() < 2;
                i++) {
            Thread.sleep(10);
        }

        Result chatB = cli("from B 1\n").run("chat", "--cid", id);
        typed.write("from A 2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        typed.flush();
        List<JsonNode> bodies = List.of(server.takeBody(), server.takeBody());
        for (int i = 0; i < 1000 && llmo.onlyLogEvents().stream().filter(e -> e.type().equals("response")).count() < 4;
                i++) {
            Thread.sleep(10);
        }
        // B's second turn lands before A's session.end, which then finds it in the log as it writes
        Result chatB2 = cli("from B 2\n").run("chat", "--cid", id);
        typed.close();
        Result a = chatA.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(chatB).succeeded();
        assertThat(chatB2).succeeded();
        assertThat(a).succeeded();
        assertThat(messages(bodies.get(0))).isEqualTo("user:start notes|assistant:Noted.|user:from A 1|"
                + "assistant:A1 noted.|user:from B 1|");
        assertThat(messages(bodies.get(1))).isEqualTo("user:start notes|assistant:Noted.|user:from A 1|"
                + "assistant:A1 noted.|user:from B 1|assistant:B1 noted.|user:from A 2|");
        assertThat(llmo.onlyLogEvents().get(llmo.onlyLogEvents().size() - 1).type()).isEqualTo("session.end");
        assertThat(a.err()).contains("another llmo added 2 messages to this conversation; they are part of the "
                + "history now");
        assertThat(chatB.err()).doesNotContain("another llmo");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", id)).succeeded();
    }
}
