package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.LogFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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
        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("ID").contains("STARTED", "MODELS", "COST", "FIRST PROMPT");
        assertThat(lines.get(1)).startsWith(id(first)).contains("openai/gpt-4o-mini,anthropic/claude", "$0.000058",
                "What is a hash chain?");
        assertThat(lines.get(2)).startsWith(id(second)).contains("Second question");
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
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("no conversations yet");
    }

    @Test
    void showRendersTheConversationByPrefix() {
        Path file = LogFixtures.conversation(conversations, "Explain\u001b[2J escapes");
        CliRun.Result result = llmo("log", "show", id(file).substring(0, 20).toLowerCase());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("conversation " + id(file), "chain    ok (12 events)", "── system ──", "Be brief.",
                        "── user ──", "Explain^[[2J escapes", "── assistant (openai/gpt-4o-mini) ──",
                        "[end · 12 in / 5 out tokens · $0.000048 · 812 ms]", "── error (request 6) ──",
                        "rate_limited 429: slow down", "[incomplete · $0.00001 · 99 ms]")
                .doesNotContain("\u001b").doesNotContain("INCOMPLETE");
    }

    @Test
    void anUnknownIdExitsThreeWithSuggestions() {
        Path file = LogFixtures.conversation(conversations, "hi");
        // a ninth character that differs from the real one, so the typo never is a prefix
        String typo = id(file).substring(0, 8) + (id(file).charAt(8) == 'Z' ? "Y" : "Z");
        CliRun.Result result = llmo("log", "show", typo);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("llmo: error: no conversation '" + typo + "'")
                .contains("did you mean '" + id(file) + "'?");
    }

    @Test
    void anAmbiguousIdExitsThreeListingTheCandidates() {
        Path first = LogFixtures.conversation(conversations, "a");
        Path second = LogFixtures.conversation(conversations, "b");
        CliRun.Result result = llmo("log", "show", "0");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("ambiguous", id(first), id(second), "type more characters");
    }

    @Test
    void verifyPrintsOkAndExitsZero() {
        Path file = LogFixtures.conversation(conversations, "hi");
        CliRun.Result result = llmo("log", "verify", id(file));
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("ok  " + id(file) + "  12 events\n");
    }

    @Test
    void verifyOfAnEditedLogExitsSixNamingTheLine() throws Exception {
        Path file = LogFixtures.conversation(conversations, "original");
        List<String> lines = LogFixtures.lines(file);
        lines.set(2, lines.get(2).replace("\"role\":\"user\"", "\"role\":\"system\""));
        LogFixtures.writeLines(file, lines);
        CliRun.Result result = llmo("log", "verify", id(file));
        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.out()).isEmpty();
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
        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.out()).contains("ok  " + id(good) + "  12 events")
                .contains("FAILED  " + id(bad) + "  line 5: removed: seq jumps to 5 where 4 belongs");
        assertThat(result.err()).contains("llmo: error: 1 of 2 conversations failed verification; first: ");
        // no argument means all
        assertThat(llmo("log", "verify").exitCode()).isEqualTo(6);
    }

    @Test
    void aTornTailFailsVerificationAndRepairFixesIt() throws Exception {
        Path file = LogFixtures.conversation(conversations, "crash");
        Files.writeString(file, "{\"v\":1,\"seq\":12,\"ts\":\"2026", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        CliRun.Result torn = llmo("log", "verify", id(file));
        assertThat(torn.exitCode()).isEqualTo(6);
        assertThat(torn.err()).contains("line 13: torn: the last line is cut short")
                .contains("run 'llmo log verify " + id(file) + " --repair' to cut it, keeping the 12 whole events");

        CliRun.Result repaired = llmo("log", "verify", id(file), "--repair");
        assertThat(repaired.exitCode()).as(repaired.err()).isZero();
        assertThat(repaired.out()).isEqualTo("repaired  " + id(file) + "  cut 26 bytes of torn last line, kept 12 events\n"
                + "ok  " + id(file) + "  12 events\n");
        assertThat(llmo("log", "verify", id(file)).exitCode()).isZero();
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
        assertThat(result.exitCode()).isZero();
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
        assertThat(result.exitCode()).isZero();
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
        assertThat(result.exitCode()).isEqualTo(2);
    }

    @Test
    void replayOfAnUnknownIdIsExit3() {
        CliRun.Result result = llmo("log", "replay", "ZZZZ");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("no conversation 'ZZZZ'");
    }

    @Test
    void theHiddenGeneratorWritesAValidLog() {
        Path file = home.resolve("gen.jsonl");
        CliRun.Result result = llmo("log", "__gen-log", file.toString(), "1");
        assertThat(result.exitCode()).isZero();
        CliRun.Result verify = llmo("log", "verify", file.toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).startsWith("ok  gen  ");
        assertThat(llmo("log", "--help").out()).doesNotContain("__gen-log");
    }
}
