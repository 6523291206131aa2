package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each conversation file against the ledger: what a hash chain alone cannot see (a whole file deleted, truncated,
 * swapped or consistently rewritten) the ledger's recorded head finds.
 */
class AnchorCheckTest {
    @TempDir
    Path home;

    private Ledger ledger;
    private ConversationStore store;
    private Path first;
    private Path second;

    @BeforeEach
    void twoAnchoredConversations() {
        ledger = new Ledger(home.resolve(Ledger.FILE_NAME), home.resolve("conversations"), Ledger.KeySource.NONE,
                Clock.systemUTC());
        store = new ConversationStore(home.resolve("conversations"));
        first = session(home.resolve("conversations"), ledger, "first", 3);
        second = session(home.resolve("conversations"), ledger, "second", 3);
    }

    private static Path session(Path dir, Ledger ledger, String prompt, int messages) {
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("run", RunMode.SINGLE, List.of("m"), null, "test"),
                new EventLog.Options(Clock.systemUTC(), false, ledger))) {
            for (int i = 0; i < messages; i++) {
                log.append(EventData.Message.user(prompt + " " + i));
            }
            log.append(new EventData.SessionEnd("ok", 0, 0));
            return log.file();
        }
    }

    private List<AnchorCheck.Finding> check() {
        LedgerReport report = LedgerVerifier.verify(home.resolve(Ledger.FILE_NAME), null);
        assertThat(report.ok()).isTrue();
        return AnchorCheck.check(store, report);
    }

    private static String id(Path file) {
        return EventLog.idOf(file);
    }

    @Test
    void aCleanHistoryHasNoFinding() {
        assertThat(check()).isEmpty();
    }

    @Test
    void aConversationContinuedAfterItsLastEntryStillMatches() throws Exception {
        try (EventLog log = EventLog.open(first)) {
            log.append(EventData.Message.user("more, session not ended yet"));
        }
        assertThat(check()).isEmpty();
    }

    @Test
    void aDeletedConversationIsFound() throws Exception {
        Files.delete(first);
        assertThat(ChainVerifier.verify(second).ok()).isTrue();
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.conversation()).isEqualTo(id(first));
            assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.DELETED);
            assertThat(f.failure()).isTrue();
        });
    }

    @Test
    void aFileTruncatedToNothingIsFound() throws Exception {
        Files.write(first, new byte[0]);
        assertThat(ChainVerifier.verify(first).ok()).as("an empty file is a valid chain on its own").isTrue();
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.TRUNCATED);
            assertThat(f.detail()).startsWith("the file has 0 events; the ledger recorded 5");
        });
    }

    @Test
    void aFileTruncatedMidWayIsFound() throws Exception {
        List<String> lines = LogFixtures.lines(first);
        LogFixtures.writeLines(first, lines.subList(0, 3));
        assertThat(ChainVerifier.verify(first).ok()).as("the rest is still a valid chain").isTrue();
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.TRUNCATED);
            assertThat(f.detail()).startsWith("the file has 3 events; the ledger recorded 5");
        });
    }

    @Test
    void aFileRewrittenWithAConsistentNewChainIsFound() throws Exception {
        Path forged = session(home.resolve("forgery"), null, "what I wish I had asked", 3);
        Files.move(forged, first, StandardCopyOption.REPLACE_EXISTING);
        assertThat(ChainVerifier.verify(first).ok()).as("the forged file verifies on its own").isTrue();
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.conversation()).isEqualTo(id(first));
            assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.RECHAINED);
            assertThat(f.detail()).contains("seq 4").contains("rewritten");
        });
    }

    @Test
    void twoConversationsWithSwappedFilesAreBothFound() throws Exception {
        Path aside = home.resolve("aside.jsonl");
        Files.move(first, aside);
        Files.move(second, first);
        Files.move(aside, second);
        List<AnchorCheck.Finding> findings = check();
        assertThat(findings).extracting(AnchorCheck.Finding::kind)
                .containsExactly(AnchorCheck.Kind.SWAPPED, AnchorCheck.Kind.SWAPPED);
        assertThat(findings.get(0).detail()).contains("conversation " + id(second));
        assertThat(findings.get(1).detail()).contains("conversation " + id(first));
    }

    @Test
    void aConversationNeverInTheLedgerIsAWarningNotAFailure() {
        Path old = session(home.resolve("conversations"), null, "written before 0.2", 1);
        assertThat(check()).singleElement().satisfies(f -> {
            assertThat(f.conversation()).isEqualTo(id(old));
            assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.UNANCHORED);
            assertThat(f.failure()).isFalse();
        });
    }

    @Test
    void aRewriteHiddenBehindANewUnauthenticatedEntryIsFoundByTheEarlierEntry() throws Exception {
        Path forged = session(home.resolve("forgery"), null, "rewritten", 6);
        Files.move(forged, first, StandardCopyOption.REPLACE_EXISTING);
        try (EventLog log = EventLog.open(first, new EventLog.Options(Clock.systemUTC(), false, ledger))) {
            log.append(new EventData.SessionEnd("ok", 0, 0)); // the attacker anchors the new head
        }
        assertThat(check()).singleElement().satisfies(f -> assertThat(f.kind())
                .isEqualTo(AnchorCheck.Kind.RECHAINED));
    }
}
