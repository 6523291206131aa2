package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import dev.llmo.eventlog.LogFixtures;
import dev.llmo.failure.ExitCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCommandTest {
    @TempDir
    Path home;

    private Path conversations;

    @BeforeEach
    void setUp() {
        conversations = home.resolve("llmo/conversations");
    }

    private CliRun.Result llmo(String... args) {
        return CliRun.in(home).run(args);
    }

    private static String id(Path file) {
        return file.getFileName().toString().replace(".jsonl", "");
    }

    @Test
    void listShowsOneLinePerConversationOldestFirst() {
        Path first = LogFixtures.conversation(conversations, "What is a hash chain?");
        Path second = LogFixtures.conversation(conversations, "Second\nquestion");
        CliRun.Result result = llmo("log", "list");
        assertThat(result).succeeded();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("ID").contains("STARTED", "MODELS", "COST", "FIRST PROMPT");
        assertThat(lines.get(1)).startsWith(id(first)).contains("openai/gpt-4o-mini,anthropic/claude", "$0.000058",
                "What is a hash chain?");
        assertThat(lines.get(2)).startsWith(id(second)).contains("Second question");
    }

    /** A chat on {@code first} that switched to {@code second}, optionally saved as {@code name}. */
    private Path chat(String first, String second, String prompt, String answer, String name) {
        return chat(first, second, prompt, answer, name, null);
    }

    /** {@link #chat}, saved again as {@code rename} when not null. */
    private Path chat(String first, String second, String prompt, String answer, String name, String rename) {
        try (EventLog log = EventLog.create(conversations, new EventData.SessionStart("chat", dev.llmo.eventlog.RunMode.CHAT, List.of(first),
                Sha256.of("config"), "0.1.0"))) {
            Event user = log.append(EventData.Message.user(prompt));
            Event request = log.append(new EventData.Request(second, Map.of(), Sha256.of("body"), 4,
                    EventData.SeqRange.of(List.of(user.seq()))));
            log.append(new EventData.Response(request.seq(), second, answer, "end", dev.llmo.message.Usage.of(3, 2),
                    7L, 100, 50L, true));
            if (name != null) {
                log.append("chat.save", JsonNodeFactory.instance.objectNode().put("name", name));
            }
            if (rename != null) {
                log.append("chat.save", JsonNodeFactory.instance.objectNode().put("name", rename));
            }
            log.append(new EventData.SessionEnd("ok", 0, 7));
            return log.file();
        }
    }

    @Test
    void listShowsEveryModelUsedAndFiltersByModelGrepAndLimit() {
        Path a = chat("mock/a", "mock/b", "Tell me about lifetimes", "Borrowing rules.", null);
        Path b = chat("other/x", "other/x", "Binary search in Rust", "fn search() { }", null);
        Path c = chat("mock/c", "mock/c", "Cats", "Some BORROWING too", null);

        CliRun.Result all = llmo("log", "list");
        CliRun.Result mock = llmo("log", "list", "--model", "mock");
        CliRun.Result exact = llmo("log", "list", "--model", "mock/b");
        CliRun.Result grep = llmo("log", "list", "--grep", "borrowing");
        CliRun.Result limit = llmo("log", "list", "--limit", "2");
        CliRun.Result none = llmo("log", "list", "--grep", "nowhere");
        CliRun.Result newestMock = llmo("log", "list", "--model", "mock", "--limit", "1");
        CliRun.Result more = llmo("log", "list", "--limit", "5");

        assertThat(all.out().lines().toList().get(1)).startsWith(id(a)).contains("mock/a,mock/b");
        assertThat(ids(mock)).containsExactly(id(a), id(c));
        assertThat(ids(exact)).containsExactly(id(a));
        assertThat(ids(grep)).containsExactly(id(a), id(c));
        assertThat(ids(limit)).containsExactly(id(b), id(c));
        assertThat(ids(newestMock)).containsExactly(id(c));
        assertThat(ids(more)).containsExactly(id(a), id(b), id(c));
        assertThat(none).succeeded().outIsEmpty().errIs("llmo: no conversation matches\n");
    }

    @Test
    void savedNamesAreListedInTextAndJsonFoundByGrepAndOfferedByCompletion() throws Exception {
        Path older = chat("mock/a", "mock/a", "Tell me about lifetimes", "Borrowing rules.", "rust-notes");
        Path plain = chat("mock/a", "mock/a", "Cats", "Meow.", null);
        // a newer conversation takes "taken" over, as --cid resolves it
        chat("mock/a", "mock/a", "First", "1", "taken");
        Path newer = chat("mock/a", "mock/a", "Second", "2", "taken");

        List<String> lines = llmo("log", "list").out().lines().toList();
        List<JsonNode> json = llmo("log", "list", "--json").out().lines().map(LogCommandTest::json).toList();

        assertThat(lines.get(1)).startsWith(id(older)).contains("[rust-notes] Tell me about lifetimes");
        assertThat(lines.get(2)).startsWith(id(plain)).contains(" Cats").doesNotContain("[");
        assertThat(lines.get(3)).doesNotContain("[taken]");
        assertThat(lines.get(4)).startsWith(id(newer)).contains("[taken] Second");
        assertThat(json.get(0).get("names").toString()).isEqualTo("[\"rust-notes\"]");
        assertThat(json.get(1).get("names").toString()).isEqualTo("[]");
        assertThat(json.get(3).get("names").toString()).isEqualTo("[\"taken\"]");
        assertThat(ids(llmo("log", "list", "--grep", "RUST-N"))).containsExactly(id(older));
        assertThat(ids(llmo("log", "list", "--grep", "taken"))).containsExactly(id(newer));
        assertThat(llmo("__complete", "conversations").out().lines().toList()).endsWith("rust-notes", "taken")
                .contains(id(older), id(plain), id(newer));
    }

    @Test
    void aConversationSavedAgainIsNamedByItsNewestSaveOnlyInTheListJsonCompletionAndLookUps() {
        Path renamed = chat("mock/a", "mock/a", "Tell me about lifetimes", "Borrowing rules.", "first-name",
                "second-name");

        assertThat(llmo("log", "list").out().lines().toList().get(1)).startsWith(id(renamed))
                .contains("[second-name] Tell me about lifetimes").doesNotContain("first-name");
        assertThat(json(llmo("log", "list", "--json").out().strip()).get("names").toString())
                .isEqualTo("[\"second-name\"]");
        assertThat(ids(llmo("log", "list", "--grep", "first-name"))).isEmpty();
        assertThat(llmo("__complete", "conversations").out().lines().toList()).contains("second-name")
                .doesNotContain("first-name");
        assertThat(llmo("log", "show", "second-name")).succeeded();
        assertThat(llmo("log", "show", "first-name")).failedWith(ExitCode.CONFIG).errContains("first-name");
    }

    private static JsonNode json(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }

    @Test
    void listTakesABareModelNameOrAnAliasAsRunsMDoes() {
        Path sonnet = chat("anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "Poem", "Roses.", null);
        Path mini = chat("openai/gpt-4o-mini", "openai/gpt-4o-mini", "Sum", "2", null);
        Path local = chat("ollama/gpt-4o-mini", "ollama/gpt-4o-mini", "Local", "ok", null);

        assertThat(ids(llmo("log", "list", "--model", "sonnet"))).containsExactly(id(sonnet));
        assertThat(ids(llmo("log", "list", "--model", "4o-mini"))).containsExactly(id(mini));
        assertThat(ids(llmo("log", "list", "--model", "gpt-4o-mini"))).containsExactly(id(mini), id(local));
        assertThat(ids(llmo("log", "list", "--model", "openai/gpt-4o-mini"))).containsExactly(id(mini));
        assertThat(llmo("log", "list", "--model", "gpt-4o").err()).isEqualTo("llmo: no conversation matches\n");
    }

    private static List<String> ids(CliRun.Result result) {
        assertThat(result).succeeded();
        return result.out().lines().skip(1).map(line -> line.split(" ")[0]).toList();
    }

    @Test
    void listSinceATimeAgoOrADate() {
        Path file = chat("mock/a", "mock/a", "recent", "yes", null);

        assertThat(ids(llmo("log", "list", "--since", "2d"))).containsExactly(id(file));
        assertThat(ids(llmo("log", "list", "--since", "2000-01-01"))).containsExactly(id(file));
        assertThat(llmo("log", "list", "--since", "2999-01-01").err()).isEqualTo("llmo: no conversation matches\n");
        CliRun.Result bad = llmo("log", "list", "--since", "yesterday");
        assertThat(bad).failedWith(ExitCode.USAGE);
        assertThat(bad.err()).isEqualTo("llmo: error: --since must be a time ago (30m, 12h, 2d, 1w) or a date "
                + "(2026-11-01), not 'yesterday'; e.g. llmo log list --since 2d\n");
    }

    @Test
    void sinceReadsTimesAgoAndLocalDates() {
        java.time.Instant now = java.time.Instant.parse("2026-11-10T12:00:00Z");
        java.time.ZoneId zone = java.time.ZoneId.of("Europe/Berlin");
        assertThat(Since.parse("2d", now, zone, "llmo log list --since 2d")).isEqualTo("2026-11-08T12:00:00Z");
        assertThat(Since.parse("90m", now, zone, "llmo log list --since 2d")).isEqualTo("2026-11-10T10:30:00Z");
        assertThat(Since.parse("1w", now, zone, "llmo log list --since 2d")).isEqualTo("2026-11-03T12:00:00Z");
        assertThat(Since.parse("2026-11-01", now, zone, "llmo log list --since 2d")).isEqualTo("2026-10-31T23:00:00Z");
        assertThat(Since.parse("2026-11-01T09:30", now, zone, "llmo log list --since 2d")).isEqualTo("2026-11-01T08:30:00Z");
    }

    @Test
    void onATerminalEachLineFitsItsWidthInAPipeLinesAreWhole() {
        String prompt = "A long question about the borrow checker and lifetimes that goes on and on and on";
        chat("mock/a", "mock/a", prompt, "yes", null);

        CliRun.Result pipe = llmo("log", "list");

        for (int columns : new int[] {70, 60, 40}) {
            CliRun.Result terminal = CliRun.in(home).tty("o").env("COLUMNS", Integer.toString(columns))
                    .env("NO_COLOR", "1").run("log", "list");
            assertThat(terminal.out().lines()).hasSize(2)
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(columns));
            assertThat(terminal.out().lines().toList().get(1)).endsWith("…");
        }
        assertThat(pipe.out()).contains(prompt + "\n").doesNotContain("…");
    }

    @Test
    void onANarrowTerminalIdsBecomeUniquePrefixesThatLogShowTakes() {
        Path first = chat("mock/a", "mock/a", "monads, please explain them", "yes", null);
        Path second = chat("mock/a", "mock/a", "functors, please explain them", "yes", null);
        // ids made in the same millisecond share all but their last characters: the prefix is as long as it must be
        int common = 0;
        while (id(first).charAt(common) == id(second).charAt(common)) {
            common++;
        }
        int length = Math.max(8, common + 1);

        CliRun.Result narrow = CliRun.in(home).tty("o").env("COLUMNS", "60").env("NO_COLOR", "1").run("log", "list");

        List<String> lines = narrow.out().lines().toList();
        assertThat(lines).hasSize(3).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(60));
        for (Path file : List.of(first, second)) {
            String prefix = id(file).substring(0, length);
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(prefix + " "));
            assertThat(llmo("log", "show", prefix).out()).contains(id(file));
        }
        assertThat(CliRun.in(home).tty("o").env("COLUMNS", "120").env("NO_COLOR", "1").run("log", "list").out())
                .contains(id(first), id(second));
    }

    /** Wide characters take two columns: a line cut by its chars still wrapped. */
    @Test
    void aPromptOfWideCharactersIsCutByTheColumnsItTakes() {
        String prompt = "借用チェッカーとライフタイムについての長い質問がずっと続きます";
        chat("mock/a", "mock/a", prompt, "yes", null);

        for (int columns : new int[] {70, 50}) {
            CliRun.Result terminal = CliRun.in(home).tty("o").env("COLUMNS", Integer.toString(columns))
                    .env("NO_COLOR", "1").run("log", "list");
            assertThat(terminal.out().lines()).hasSize(2)
                    .allSatisfy(line -> assertThat(dev.llmo.cli.terminal.Columns.of(line)).isLessThanOrEqualTo(columns));
            assertThat(terminal.out().lines().toList().get(1)).endsWith("…");
        }
    }

    @Test
    void lastAndASavedNameWorkWhereverAnIdDoes() {
        Path saved = chat("mock/a", "mock/a", "remember me", "ok", "notes");
        Path newest = chat("mock/a", "mock/a", "the newest", "ok", null);

        assertThat(llmo("log", "show", "last").out()).contains("the newest").doesNotContain("remember me");
        assertThat(llmo("log", "show", "notes").out()).contains("remember me");
        assertThat(llmo("log", "export", "notes", "--format", "json").out()).contains(id(saved));
        assertThat(llmo("log", "verify", "last").out()).contains(id(newest));
    }

    @Test
    void listJsonIsOneObjectPerConversation() throws Exception {
        Path file = LogFixtures.conversation(conversations, "json please");
        CliRun.Result result = llmo("log", "list", "--json");
        JsonNode row = new ObjectMapper().readTree(result.out().strip());
        assertThat(row.get("id").asText()).isEqualTo(id(file));
        assertThat(row.get("cost_micro_usd").asLong()).isEqualTo(58);
        assertThat(row.get("first_prompt").asText()).isEqualTo("json please");
        assertThat(row.get("ended").asBoolean()).isTrue();
    }

    @Test
    void listWithoutConversationsSaysSoOnStderr() {
        CliRun.Result result = llmo("log", "list");
        assertThat(result).succeeded().outIsEmpty().errContains("no conversations yet");
    }

    @Test
    void showRendersTheConversationByPrefix() {
        Path file = LogFixtures.conversation(conversations, "Explain\u001b[2J escapes");
        CliRun.Result result = llmo("log", "show", id(file).substring(0, 20).toLowerCase());
        assertThat(result).succeeded();
        assertThat(result.out())
                .contains("conversation " + id(file), "chain    ok (12 events)", "── system ──", "Be brief.",
                        "── user ──", "Explain^[[2J escapes", "── assistant (openai/gpt-4o-mini) ──",
                        "[end · 12 in / 5 out tokens · $0.000048 · 812 ms]", "── error (request 6) ──",
                        "rate_limited 429: slow down", "[incomplete · $0.00001 · 99 ms]")
                .doesNotContain("\u001b").doesNotContain("INCOMPLETE");
    }

    @Test
    void showOfALogThatDoesNotVerifyShowsWhatItCanMarksTheBreakAndExitsSix() throws Exception {
        Path file = LogFixtures.conversation(conversations, "first question");
        List<String> lines = LogFixtures.lines(file);
        lines.set(8, lines.get(8).replace("and more?", "and less?")); // line 9: the second user message
        LogFixtures.writeLines(file, lines);

        CliRun.Result result = llmo("log", "show", id(file));
        assertThat(result).failedWith(ExitCode.LOG_INVALID)
                .errContains(file + " line 9: edited: its content ", "restore it from a backup");
        String out = result.out();
        assertThat(out).contains("chain    BROKEN, line 9: edited", "first question", "and less?", "partial");
        String mark = "── chain broken here, line 9: edited: ";
        assertThat(out.indexOf(mark)).as(out).isGreaterThan(out.indexOf("rate_limited 429: slow down"))
                .isLessThan(out.indexOf("and less?"));
        assertThat(out).contains(": what follows is not vouched for ──\n");
    }

    @Test
    void showOfATornLogMarksTheBreakAfterTheLastWholeEvent() throws Exception {
        Path file = LogFixtures.conversation(conversations, "crash");
        Files.writeString(file, "{\"v\":1,\"seq\":12,\"ts\":\"2026", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        CliRun.Result result = llmo("log", "show", id(file));
        assertThat(result).failedWith(ExitCode.LOG_INVALID).errContains("--repair");
        assertThat(result.out()).endsWith("[incomplete · $0.00001 · 99 ms]\n\n── chain broken here, line 13: torn: the "
                + "last line is cut short (an interrupted write): what follows is not vouched for ──\n");
    }

    @Test
    void anUnknownIdExitsThreeWithSuggestions() {
        Path file = LogFixtures.conversation(conversations, "hi");
        // a ninth character that differs from the real one, so the typo never is a prefix
        String typo = id(file).substring(0, 8) + (id(file).charAt(8) == 'Z' ? "Y" : "Z");
        CliRun.Result result = llmo("log", "show", typo);
        assertThat(result).failedWith(ExitCode.CONFIG).outIsEmpty();
        assertThat(result.err()).startsWith("llmo: error: no conversation '" + typo + "'")
                .contains("did you mean '" + id(file) + "'?");
    }

    @Test
    void anAmbiguousIdExitsThreeListingTheCandidates() {
        Path first = LogFixtures.conversation(conversations, "a");
        Path second = LogFixtures.conversation(conversations, "b");
        CliRun.Result result = llmo("log", "show", "0");
        assertThat(result).failedWith(ExitCode.CONFIG)
                .errContains("ambiguous", id(first), id(second), "type more characters");
    }

    @Test
    void verifyPrintsOkAndExitsZero() {
        Path file = LogFixtures.conversation(conversations, "hi");
        CliRun.Result result = llmo("log", "verify", id(file));
        assertThat(result).succeeded().outIs("ok  " + id(file) + "  12 events\n");
    }

    @Test
    void verifyOfAnEditedLogExitsSixNamingTheLine() throws Exception {
        Path file = LogFixtures.conversation(conversations, "original");
        List<String> lines = LogFixtures.lines(file);
        lines.set(2, lines.get(2).replace("\"role\":\"user\"", "\"role\":\"system\""));
        LogFixtures.writeLines(file, lines);
        CliRun.Result result = llmo("log", "verify", id(file));
        assertThat(result).failedWith(ExitCode.LOG_INVALID)
                .outIs("FAILED  " + id(file) + "  line 3: edited: its content does not match its hash\n");
        assertThat(result.err()).startsWith("llmo: error: " + file + " line 3: edited: its content does not match its hash;")
                .contains("restore it from a backup");
    }

    @Test
    void verifyAllReportsEveryFileAndExitsSixIfAnyIsBad() throws Exception {
        Path good = LogFixtures.conversation(conversations, "good");
        Path bad = LogFixtures.conversation(conversations, "bad");
        List<String> lines = LogFixtures.lines(bad);
        lines.remove(4);
        LogFixtures.writeLines(bad, lines);
        CliRun.Result result = llmo("log", "verify", "--all");
        assertThat(result).failedWith(ExitCode.LOG_INVALID);
        assertThat(result.out()).contains("ok  " + id(good) + "  12 events")
                .contains("FAILED  " + id(bad) + "  line 5: removed: seq jumps to 5 where 4 belongs");
        assertThat(result.err()).contains("llmo: error: 1 of 2 conversations failed verification; first: ");
        // no argument means all
        assertThat(llmo("log", "verify")).failedWith(ExitCode.LOG_INVALID);
    }

    @Test
    void aTornTailFailsVerificationAndRepairFixesIt() throws Exception {
        Path file = LogFixtures.conversation(conversations, "crash");
        Files.writeString(file, "{\"v\":1,\"seq\":12,\"ts\":\"2026", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        CliRun.Result torn = llmo("log", "verify", id(file));
        assertThat(torn).failedWith(ExitCode.LOG_INVALID);
        assertThat(torn.err()).contains("line 13: torn: the last line is cut short")
                .contains("run 'llmo log verify " + id(file) + " --repair' to cut it, keeping the 12 whole events");

        CliRun.Result repaired = llmo("log", "verify", id(file), "--repair");
        assertThat(repaired).succeeded();
        assertThat(repaired.out()).isEqualTo("repaired  " + id(file) + "  cut 26 bytes of torn last line, kept 12 events\n"
                + "ok  " + id(file) + "  12 events\n");
        assertThat(llmo("log", "verify", id(file))).succeeded();
    }

    @Test
    void verifySaysWhenALogHasNoSessionEnd() {
        try (EventLog log = EventLog.create(conversations, new dev.llmo.eventlog.EventData.SessionStart("chat", dev.llmo.eventlog.RunMode.CHAT,
                List.of("m"), null, "test"))) {
            CliRun.Result result = llmo("log", "verify", log.id());
            assertThat(result.out()).isEqualTo("ok  " + log.id() + "  1 events (open: no session.end yet)\n");
        }
    }

    @Test
    void exportMarkdown() {
        Path file = LogFixtures.conversation(conversations, "Export me");
        CliRun.Result result = llmo("log", "export", id(file), "--format", "md");
        assertThat(result).succeeded();
        assertThat(result.out()).startsWith("# Conversation " + id(file) + "\n")
                .contains("- models: openai/gpt-4o-mini, anthropic/claude", "## User\n\nExport me\n",
                        "## Assistant (openai/gpt-4o-mini)", "## Error", "- chain: ok (12 events)",
                        "_incomplete · $0.00001 · 99 ms_")
                .doesNotContain("INCOMPLETE");
    }

    @Test
    void exportJson() throws Exception {
        Path file = LogFixtures.conversation(conversations, "Export me");
        CliRun.Result result = llmo("log", "export", id(file), "--format", "json");
        assertThat(result).succeeded();
        JsonNode doc = new ObjectMapper().readTree(result.out());
        assertThat(doc.get("id").asText()).isEqualTo(id(file));
        assertThat(doc.get("verified").asBoolean()).isTrue();
        assertThat(doc.get("cost_micro_usd").asLong()).isEqualTo(58);
        assertThat(doc.get("events")).hasSize(12);
        JsonNode message = doc.get("events").get(2);
        assertThat(message.get("v").asInt()).isEqualTo(2);
        String digest = message.at("/data/parts/0/content_sha256").asText();
        assertThat(message.at("/content").get(digest).get("text").asText()).isEqualTo("Export me");
    }

    @Test
    void exportRejectsAnUnknownFormat() {
        Path file = LogFixtures.conversation(conversations, "x");
        CliRun.Result result = llmo("log", "export", id(file), "--format", "pdf");
        assertThat(result).failedWith(ExitCode.USAGE);
    }

    @Test
    void replayOfAnUnknownIdIsExit3() {
        CliRun.Result result = llmo("log", "replay", "ZZZZ");
        assertThat(result).failedWith(ExitCode.CONFIG).errContains("no conversation 'ZZZZ'");
    }

    @Test
    void theHiddenGeneratorWritesAValidLog() {
        Path file = home.resolve("gen.jsonl");
        CliRun.Result result = llmo("log", "__gen-log", file.toString(), "1");
        assertThat(result).succeeded();
        CliRun.Result verify = llmo("log", "verify", file.toString());
        assertThat(verify).succeeded();
        assertThat(verify.out()).startsWith("ok  gen  ");
        assertThat(llmo("log", "--help").out()).doesNotContain("__gen-log");
    }
}
