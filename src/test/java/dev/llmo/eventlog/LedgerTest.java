package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.io.InterruptStorm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger: written at every session end, hash-chained, MACed with a key, checked line by line. */
class LedgerTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private Path conversations() {
        return home.resolve("conversations");
    }

    private Path ledgerFile() {
        return home.resolve(Ledger.FILE_NAME);
    }

    private Ledger ledger(Ledger.KeySource keys) {
        return new Ledger(ledgerFile(), conversations(), keys, Clock.systemUTC());
    }

    /** A conversation with a user message, ended: its session.end goes to the ledger through the log options. */
    private Path session(Ledger ledger, String prompt) {
        try (EventLog log = EventLog.create(conversations(), new EventData.SessionStart("run", RunMode.SINGLE, List.of("m"), null,
                "test"), new EventLog.Options(Clock.systemUTC(), false, ledger))) {
            log.append(EventData.Message.user(prompt));
            log.append(new EventData.SessionEnd("ok", 0, 0));
            return log.file();
        }
    }

    @Test
    void anInterruptedSessionEndIsStillAnchored() throws Exception {
        // Ctrl-C interrupts the thread that then ends the session: the ledger entry must not be lost to it
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        try {
            Thread.currentThread().interrupt();
            session(ledger, "one");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        InterruptStorm.run(30, () -> session(ledger, "more"));

        assertThat(Files.readAllLines(ledgerFile())).hasSize(31);
        assertThat(LedgerVerifier.verify(ledgerFile(), null).ok()).isTrue();
    }

    @Test
    void everySessionEndAppendsTheConversationsHeadChainedToTheEntryBefore() throws Exception {
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        Path first = session(ledger, "one");
        Path second = session(ledger, "two");

        List<String> lines = Files.readAllLines(ledgerFile());
        assertThat(lines).hasSize(2);
        var entry = JSON.readTree(lines.get(1));
        assertThat(iterable(entry.fieldNames())).containsExactly("v", "seq", "ts", "conversation",
                "head_seq", "head_hash", "prev", "hash");
        assertThat(entry.get("conversation").asText()).isEqualTo(EventLog.idOf(second));
        assertThat(entry.get("head_seq").asLong()).isEqualTo(2);
        List<Event> events = EventLog.read(second);
        assertThat(entry.get("head_hash").asText()).isEqualTo(events.get(2).hash());
        assertThat(entry.get("prev").asText()).isEqualTo(JSON.readTree(lines.get(0)).get("hash").asText());
        // the hash is SHA-256 of the canonical JSON without hash (and mac), as docs/usage/event-log.md says
        ObjectNode hashed = (ObjectNode) entry.deepCopy();
        hashed.remove("hash");
        assertThat(entry.get("hash").asText()).isEqualTo(Sha256.of(CanonicalJson.write(hashed)));

        LedgerReport report = LedgerVerifier.verify(ledgerFile(), null);
        assertThat(report.ok()).as(String.valueOf(report.problem())).isTrue();
        assertThat(report.head().orElseThrow().conversation()).isEqualTo(EventLog.idOf(second));
        assertThat(report.entries().get(0).conversation()).isEqualTo(EventLog.idOf(first));
        assertThat(Files.readString(ledgerFile())).doesNotContain("one", "two");
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    void aLogWithoutLedgerOrOutsideTheConversationsDirectoryWritesNoEntry() {
        session(null, "no ledger");
        Ledger elsewhere = new Ledger(ledgerFile(), home.resolve("other"), Ledger.KeySource.NONE, Clock.systemUTC());
        session(elsewhere, "elsewhere");
        assertThat(ledgerFile()).doesNotExist();
    }

    @Test
    void theConversationListingNeverSeesTheLedger() {
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        Path file = session(ledger, "one");
        assertThat(new ConversationStore(conversations()).ids()).containsExactly(EventLog.idOf(file));
        assertThat(ledgerFile().getParent()).isNotEqualTo(conversations());
    }

    @Test
    void withAKeyEachEntryCarriesTheHmacOfItsHash() throws Exception {
        Ledger ledger = ledger(() -> Optional.of(KEY.clone()));
        session(ledger, "one");
        var entry = JSON.readTree(Files.readAllLines(ledgerFile()).get(0));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String expected = "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(entry.get("hash").asText()
                .getBytes(StandardCharsets.US_ASCII)));
        assertThat(entry.get("mac").asText()).isEqualTo(expected);

        LedgerReport checked = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(checked.ok()).isTrue();
        assertThat(checked.authenticated()).isEqualTo(1);
    }

    @Test
    void aKeyIsZeroedAfterUse() {
        byte[] handedOut = KEY.clone();
        session(ledger(() -> Optional.of(handedOut)), "one");
        assertThat(handedOut).containsOnly((byte) 0);
    }

    @Test
    void aForgedMacOnTheNewestEntryFailsWithTheKey() throws Exception {
        session(ledger(() -> Optional.of(KEY.clone())), "one");
        byte[] otherKey = "another key, not the vault's one".getBytes(StandardCharsets.US_ASCII);
        session(ledger(() -> Optional.of(otherKey.clone())), "two");

        assertThat(LedgerVerifier.verify(ledgerFile(), null).ok()).as("the chain itself is whole").isTrue();
        LedgerReport checked = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(checked.problem().kind()).isEqualTo("forged");
        assertThat(checked.problem().line()).isEqualTo(2);
        assertThat(checked.entries()).hasSize(1);
    }

    @Test
    void eachMacIsCheckedOnItsOwnSoAForgeryBeforeAGoodMacStillFails() {
        byte[] guess = "a guess at the key, not the key..".getBytes(StandardCharsets.US_ASCII);
        session(ledger(() -> Optional.of(KEY.clone())), "one");
        session(ledger(() -> Optional.of(guess.clone())), "forged");
        session(ledger(() -> Optional.of(KEY.clone())), "three");

        LedgerReport checked = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(checked.problem().message()).startsWith("line 2: forged");
    }

    private Path pendingFile() {
        return home.resolve(Ledger.PENDING_FILE_NAME);
    }

    /** A key source with a vault that is locked: no key at hand, though one exists. */
    private static final Ledger.KeySource LOCKED_VAULT = new Ledger.KeySource() {
        @Override
        public Optional<byte[]> key() {
            return Optional.empty();
        }

        @Override
        public boolean vaultExists() {
            return true;
        }
    };

    @Test
    void withoutTheKeyAfterAMacedEntryAnEntryWaitsInThePendingFileAndTheNextKeyedEndMovesItInWithAMac()
            throws Exception {
        session(ledger(() -> Optional.of(KEY.clone())), "one");
        Path locked = session(ledger(Ledger.KeySource.NONE), "locked");

        assertThat(Files.readAllLines(ledgerFile())).hasSize(1);
        LedgerReport pending = LedgerVerifier.verify(pendingFile(), null);
        assertThat(pending.ok()).isTrue();
        assertThat(pending.entries()).singleElement().satisfies(e -> {
            assertThat(e.conversation()).isEqualTo(EventLog.idOf(locked));
            assertThat(e.seq()).isZero();
            assertThat(e.authenticated()).isFalse();
        });
        LedgerReport checked = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(checked.ok()).isTrue();
        assertThat(checked.unauthenticated()).isZero();
        assertThat(AnchorCheck.check(new ConversationStore(conversations()), checked, pending))
                .singleElement().satisfies(f -> {
                    assertThat(f.conversation()).isEqualTo(EventLog.idOf(locked));
                    assertThat(f.kind()).isEqualTo(AnchorCheck.Kind.UNAUTHENTICATED);
                    assertThat(f.failure()).isFalse();
                });

        Path third = session(ledger(() -> Optional.of(KEY.clone())), "three");
        assertThat(Files.size(pendingFile())).isZero();
        LedgerReport after = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(after.ok()).as(String.valueOf(after.problem())).isTrue();
        assertThat(after.entries()).extracting(LedgerEntry::conversation)
                .endsWith(EventLog.idOf(locked), EventLog.idOf(third));
        assertThat(after.entries()).allMatch(LedgerEntry::authenticated);
        assertThat(after.authenticated()).isEqualTo(3);
        assertThat(after.entries().get(1).ts()).as("the time the session ended")
                .isEqualTo(pending.entries().get(0).ts());
        assertThat(AnchorCheck.check(new ConversationStore(conversations()), after,
                LedgerVerifier.verify(pendingFile(), null))).isEmpty();
    }

    @Test
    void withAVaultEvenTheFirstEntryWithoutTheKeyWaits() throws Exception {
        session(ledger(LOCKED_VAULT), "locked");
        assertThat(Files.size(ledgerFile())).isZero();
        assertThat(LedgerVerifier.verify(pendingFile(), null).entries()).hasSize(1);
    }

    @Test
    void withoutAVaultEntriesWithoutMacGoToTheLedgerAndASealLaterVouchesForThem() {
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        session(ledger, "one");
        session(ledger, "two");
        assertThat(pendingFile()).doesNotExist();

        assertThat(ledger.seal(KEY)).as("the last entry's head again, with a MAC").isEqualTo(1);
        LedgerReport sealed = LedgerVerifier.verify(ledgerFile(), KEY);
        assertThat(sealed.ok()).isTrue();
        assertThat(sealed.entries()).hasSize(3);
        assertThat(sealed.entries().get(2).headHash()).isEqualTo(sealed.entries().get(1).headHash());
        assertThat(sealed.authenticated()).as("a MAC vouches for every entry before it").isEqualTo(3);
        assertThat(sealed.unauthenticated()).isZero();
        assertThat(ledger.seal(KEY)).as("nothing left to seal").isZero();
    }

    @Test
    void aMacLessEntryAfterAMacedOneFailsEvenWithoutTheKey() throws Exception {
        Ledger ledger = ledger(() -> Optional.of(KEY.clone()));
        session(ledger, "one");
        session(ledger, "two");
        session(ledger, "three");
        List<String> lines = new ArrayList<>(Files.readAllLines(ledgerFile()));
        // someone without the key re-chains the last two entries, dropping their MACs
        String prev = JSON.readTree(lines.get(0)).get("hash").asText();
        for (int i = 1; i < lines.size(); i++) {
            ObjectNode entry = (ObjectNode) JSON.readTree(lines.get(i));
            entry.remove("mac");
            entry.put("prev", prev);
            entry.put("hash", LedgerEntry.hashOf(entry));
            prev = entry.get("hash").asText();
            lines.set(i, entry.toString());
        }
        Files.write(ledgerFile(), lines);

        for (byte[] key : new byte[][] {null, KEY}) {
            LedgerReport report = LedgerVerifier.verify(ledgerFile(), key);
            assertThat(report.problem().message()).isEqualTo("line 2: unauthenticated: it has no MAC, but entry 0 "
                    + "before it has one (written without the vault password)");
            assertThat(report.repairable()).isFalse();
            assertThat(report.entries()).hasSize(1);
        }
    }

    @Test
    void aNewVaultKeyReMacsTheGoodEntriesInPlaceAndLeavesForgeriesForged() throws Exception {
        byte[] guess = "a guess at the key, not the key..".getBytes(StandardCharsets.US_ASCII);
        byte[] newKey = "the key after 'llmo vault passwd'".getBytes(StandardCharsets.US_ASCII);
        session(ledger(() -> Optional.of(KEY.clone())), "one");
        session(ledger(() -> Optional.of(KEY.clone())), "two");
        session(ledger(() -> Optional.of(guess.clone())), "forged");
        session(ledger(() -> Optional.of(KEY.clone())), "four");
        String before = Files.readString(ledgerFile());
        String headBefore = LedgerVerifier.verify(ledgerFile(), null).head().orElseThrow().hash();

        assertThat(ledger(Ledger.KeySource.NONE).remac(KEY, newKey)).isEqualTo(3);

        String after = Files.readString(ledgerFile());
        assertThat(after).hasSameSizeAs(before);
        assertThat(LedgerVerifier.verify(ledgerFile(), null).head().orElseThrow().hash()).isEqualTo(headBefore);
        LedgerReport checked = LedgerVerifier.verify(ledgerFile(), newKey);
        assertThat(checked.problem().message()).startsWith("line 3: forged");
        assertThat(checked.authenticated()).isEqualTo(2);
        assertThat(LedgerMac.verifies(newKey, checked.entries().get(0).hash(), checked.entries().get(0).mac()))
                .isTrue();
    }

    @Test
    void anEditedEntryIsFoundEvenWhenItsHashIsRecomputed() throws Exception {
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        session(ledger, "one");
        session(ledger, "two");
        session(ledger, "three");
        List<String> lines = new ArrayList<>(Files.readAllLines(ledgerFile()));

        ObjectNode edited = (ObjectNode) JSON.readTree(lines.get(1));
        edited.put("head_seq", 1);
        lines.set(1, edited.toString());
        Files.write(ledgerFile(), lines);
        assertThat(LedgerVerifier.verify(ledgerFile(), null).problem().message())
                .isEqualTo("line 2: edited: its content does not match its hash");

        edited.put("hash", LedgerEntry.hashOf(edited));
        lines.set(1, edited.toString());
        Files.write(ledgerFile(), lines);
        assertThat(LedgerVerifier.verify(ledgerFile(), null).problem().message()).startsWith("line 3: edited: its "
                + "prev is not the hash of the line before");

        Files.write(ledgerFile(), List.of(lines.get(0), lines.get(2)));
        assertThat(LedgerVerifier.verify(ledgerFile(), null).problem().message())
                .isEqualTo("line 2: removed: seq jumps to 2 where 1 belongs");
    }

    @Test
    void aTornLastEntryIsRefusedForAppendingAndRepairedKeepingWholeEntries() throws Exception {
        Ledger ledger = ledger(Ledger.KeySource.NONE);
        session(ledger, "one");
        Files.writeString(ledgerFile(), "{\"v\":1,\"seq\":1,\"ts\":", java.nio.file.StandardOpenOption.APPEND);

        LedgerReport torn = LedgerVerifier.verify(ledgerFile(), null);
        assertThat(torn.problem().kind()).isEqualTo("torn");
        assertThat(torn.repairable()).isTrue();
        assertThatThrownBy(() -> session(ledger, "two")).isInstanceOf(LogVerificationException.class)
                .hasMessageContaining("torn");

        LedgerReport repaired = LedgerVerifier.repair(ledgerFile(), torn);
        assertThat(repaired.ok()).isTrue();
        assertThat(repaired.entries()).hasSize(1);
        session(ledger, "three");
        assertThat(LedgerVerifier.verify(ledgerFile(), null).entries()).hasSize(2);
    }

    /** {@code count} entries after the ledger's one entry, chained and MACed, written in one go. */
    private LedgerEntry appendEntries(int count) throws Exception {
        LedgerEntry last = LedgerVerifier.verify(ledgerFile(), null).head().orElseThrow();
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(ledgerFile(),
                java.nio.file.StandardOpenOption.APPEND))) {
            for (int i = 0; i < count; i++) {
                last = LedgerEntry.create(last.seq() + 1, last.ts(), last.conversation(), last.headSeq(),
                        last.headHash(), last.hash(), KEY);
                out.write(last.line());
            }
        }
        return last;
    }

    @Test
    void aBigLedgerIsCheckedAChunkAtATime() throws Exception {
        session(ledger(() -> Optional.of(KEY.clone())), "one");
        LedgerEntry last = appendEntries(20_000);
        assertThat(Files.size(ledgerFile())).as("many read chunks, entries across their edges")
                .isGreaterThan(100L * LedgerVerifier.MAX_LINE_BYTES);

        LedgerReport report = LedgerVerifier.verify(ledgerFile(), KEY);

        assertThat(report.ok()).as("%s", report.problem()).isTrue();
        assertThat(report.entries()).hasSize(20_001);
        assertThat(report.authenticated()).isEqualTo(20_001);
        assertThat(report.head().orElseThrow().hash()).isEqualTo(last.hash());
        assertThat(report.validBytes()).isEqualTo(Files.size(ledgerFile()));
    }

    /** A line no entry can be (here: gigabytes without a newline, more than an array holds) is not read whole. */
    @Test
    void aLedgerLineLongerThanTheBoundIsMalformedAndNotReadWhole() throws Exception {
        session(ledger(Ledger.KeySource.NONE), "one");
        long entries = Files.size(ledgerFile());
        try (var file = new java.io.RandomAccessFile(ledgerFile().toFile(), "rw")) {
            file.setLength(3L << 30); // sparse: zeros, no newline
        }

        LedgerReport report = LedgerVerifier.verify(ledgerFile(), null);

        assertThat(report.problem().message()).isEqualTo("line 2: malformed: it is longer than 64 KiB, which no "
                + "ledger entry is");
        assertThat(report.repairable()).as("not a torn entry: left for the user").isFalse();
        assertThat(report.entries()).hasSize(1);
        assertThat(report.validBytes()).isEqualTo(entries);
    }

    @Test
    void concurrentSessionEndsFromManyThreadsKeepOneChain() throws Exception {
        int threads = 8;
        int perThread = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<String>>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    // each its own Ledger instance, as separate invocations would have
                    ids.add(EventLog.idOf(session(ledger(thread % 2 == 0 ? Ledger.KeySource.NONE
                            : () -> Optional.of(KEY.clone())), "t" + thread + " #" + i)));
                }
                return ids;
            }));
        }
        List<String> ids = new ArrayList<>();
        for (Future<List<String>> future : done) {
            ids.addAll(future.get());
        }
        pool.shutdown();

        // the keyless ones after the first MAC wait in the pending file, moved in by the next keyed one
        LedgerReport report = LedgerVerifier.verify(ledgerFile(), KEY);
        LedgerReport pending = LedgerVerifier.verify(pendingFile(), null);
        assertThat(report.ok()).as(String.valueOf(report.problem())).isTrue();
        assertThat(pending.ok()).as(String.valueOf(pending.problem())).isTrue();
        List<String> recorded = new ArrayList<>(report.entries().stream().map(LedgerEntry::conversation).toList());
        pending.entries().forEach(e -> recorded.add(e.conversation()));
        assertThat(recorded).hasSize(threads * perThread);
        Collections.sort(recorded);
        Collections.sort(ids);
        assertThat(recorded).isEqualTo(ids);
        assertThat(AnchorCheck.check(new ConversationStore(conversations()), report, pending))
                .allMatch(f -> !f.failure());
    }
}
