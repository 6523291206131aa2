package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.VerifyReport.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChainVerifierTest {
    @TempDir
    Path dir;

    private Path file;
    private List<String> lines;

    @BeforeEach
    void writeLog() throws Exception {
        file = LogFixtures.conversation(dir, "the first prompt");
        lines = LogFixtures.lines(file);
    }

    private VerifyReport tampered() throws Exception {
        LogFixtures.writeLines(file, lines);
        return ChainVerifier.verify(file);
    }

    @Test
    void anUntouchedLogVerifies() {
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.ok()).isTrue();
        assertThat(report.events()).isEqualTo(12);
        assertThat(report.ended()).isTrue();
    }

    @Test
    void anEmptyFileIsAValidEmptyLog() throws Exception {
        Files.write(file, new byte[0]);
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.ok()).isTrue();
        assertThat(report.events()).isZero();
    }

    @Test
    void anEditedFieldIsFound() throws Exception {
        lines.set(2, lines.get(2).replace("\"role\":\"user\"", "\"role\":\"system\""));
        VerifyReport report = tampered();
        assertThat(report.problem()).isEqualTo(new VerifyReport.Problem(3, Kind.EDITED,
                "its content does not match its hash"));
        assertThat(report.problem().message()).isEqualTo("line 3: edited: its content does not match its hash");
    }

    @Test
    void anEditedPartContentIsFoundThoughItIsOutsideTheHash() throws Exception {
        lines.set(2, lines.get(2).replace("the first prompt", "the forged prompt"));
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(3);
        assertThat(report.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(report.problem().detail()).matches("its content sha256:[0-9a-f]{12}… does not match its digest "
                + "\\(the content was changed after it was written\\)");
    }

    @Test
    void anEditedAndRehashedLineIsFoundByTheNextLine() throws Exception {
        // re-hash line 3 after editing it, as a forger would: line 4's prev no longer matches
        List<Event> events = EventLog.read(file);
        Event third = events.get(2);
        var data = third.data().deepCopy().put("content", "forged");
        byte[] canonical = CanonicalJson.write(data);
        String hash = EventLines.hash(Sha256.newDigest(), Event.VERSION, canonical, 0, canonical.length, third.prev(),
                2, third.ts(), "message");
        lines.set(2, new String(EventLines.line(2, third.ts(), "message", canonical, third.prev(), hash,
                CanonicalJson.write(third.content())), StandardCharsets.UTF_8).strip());
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(4);
        assertThat(report.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(report.problem().detail()).contains("prev does not match the hash of line 3");
    }

    /** Line 3 with {@code data} and {@code content} replaced, re-hashed, in the exact layout llmo writes. */
    private String rewritten(Event third, com.fasterxml.jackson.databind.node.ObjectNode data,
                             com.fasterxml.jackson.databind.node.ObjectNode content) {
        byte[] canonical = CanonicalJson.write(data);
        String hash = EventLines.hash(Sha256.newDigest(), Event.VERSION, canonical, 0, canonical.length, third.prev(),
                2, third.ts(), "message");
        return new String(EventLines.line(2, third.ts(), "message", canonical, third.prev(), hash,
                CanonicalJson.write(content)), StandardCharsets.UTF_8).strip();
    }

    @Test
    void contentThatNoPartNamesIsFoundInLlmosOwnLayout() throws Exception {
        // canonical and re-hashed, so that the line takes the fast path: a quote inside a key that ends in
        // content_sha256 does not make its value a digest that names content
        Event third = EventLog.read(file).get(2);
        var smuggled = EventJson.NODES.objectNode().put("text", "smuggled");
        String digest = Sha256.of(CanonicalJson.write(smuggled));
        var data = third.data().deepCopy().put("\"content_sha256", digest);
        var content = third.content().deepCopy().set(digest, smuggled);
        lines.set(2, rewritten(third, data, (com.fasterxml.jackson.databind.node.ObjectNode) content));
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(3);
        assertThat(report.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(report.problem().detail()).contains("which no part of the event names");
    }

    @Test
    void contentNamedByADigestAnywhereInTheDataVerifiesAndMissingContentIsRedacted() throws Exception {
        Event third = EventLog.read(file).get(2);
        var extra = EventJson.NODES.objectNode().put("text", "named deep down");
        String digest = Sha256.of(CanonicalJson.write(extra));
        var data = third.data().deepCopy();
        data.putArray("notes").addObject().putObject("inner").put("content_sha256", digest);
        var content = (com.fasterxml.jackson.databind.node.ObjectNode) third.content().deepCopy();
        content.set(digest, extra);
        lines.set(2, rewritten(third, data, content));
        lines.subList(3, lines.size()).clear(); // line 4's prev names the old line 3
        assertThat(tampered().ok()).isTrue();

        content.remove(content.fieldNames().next());
        lines.set(2, rewritten(third, data, content));
        assertThat(tampered().ok()).isTrue();
    }

    @Test
    void contentOfSeveralEntriesIsCheckedEntryByEntryInAnyKeyOrder() throws Exception {
        // two entries: the verifier checks both in the pass that finds the line canonical; keys out of canonical
        // order leave that pass and still verify (the content is outside the hash); a changed second entry is found
        Event third = EventLog.read(file).get(2);
        var extra = EventJson.NODES.objectNode().put("text", "a second part");
        String digest = Sha256.of(CanonicalJson.write(extra));
        var data = third.data().deepCopy();
        data.putArray("notes").addObject().put("content_sha256", digest);
        var content = (com.fasterxml.jackson.databind.node.ObjectNode) third.content().deepCopy();
        content.set(digest, extra);
        lines.subList(3, lines.size()).clear(); // line 4's prev names the old line 3
        String canonical = rewritten(third, data, content);
        lines.set(2, canonical);
        assertThat(tampered().ok()).isTrue();

        String first = third.content().fieldNames().next();
        String firstEntry = "\"" + first + "\":" + new String(CanonicalJson.write(third.content().get(first)),
                StandardCharsets.UTF_8);
        String secondEntry = "\"" + digest + "\":" + new String(CanonicalJson.write(extra), StandardCharsets.UTF_8);
        String inOrder = first.compareTo(digest) < 0 ? firstEntry + "," + secondEntry : secondEntry + "," + firstEntry;
        String reversed = first.compareTo(digest) < 0 ? secondEntry + "," + firstEntry : firstEntry + "," + secondEntry;
        assertThat(canonical).contains("\"content\":{" + inOrder + "}}");
        lines.set(2, canonical.replace(inOrder, reversed));
        assertThat(tampered().ok()).isTrue();

        lines.set(2, canonical.replace("a second part", "a forged part"));
        VerifyReport edited = tampered();
        assertThat(edited.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(edited.problem().detail()).startsWith("its content " + digest.substring(0, 19) + "…")
                .endsWith("does not match its digest (the content was changed after it was written)");

        lines.set(2, canonical.replace(inOrder, inOrder + "," + secondEntry));
        assertThat(tampered().problem().kind()).isEqualTo(Kind.MALFORMED); // a key twice
    }

    @Test
    void reorderedLinesAreFound() throws Exception {
        Collections.swap(lines, 4, 5);
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(5);
        assertThat(report.problem().kind()).isEqualTo(Kind.REORDERED);
        assertThat(report.problem().detail()).isEqualTo("it has seq 5 where seq 4 belongs; seq 4 is at line 6");
    }

    @Test
    void aLineMovedToTheEndIsReordered() throws Exception {
        lines.add(lines.remove(3));
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(4);
        assertThat(report.problem().kind()).isEqualTo(Kind.REORDERED);
    }

    @Test
    void aRemovedLineIsFound() throws Exception {
        lines.remove(6);
        VerifyReport report = tampered();
        assertThat(report.problem()).isEqualTo(new VerifyReport.Problem(7, Kind.REMOVED,
                "seq jumps to 7 where 6 belongs: 1 event is missing before this line"));
    }

    @Test
    void aRemovedFirstLineIsFound() throws Exception {
        lines.remove(0);
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(1);
        assertThat(report.problem().kind()).isEqualTo(Kind.REMOVED);
    }

    @Test
    void anInsertedGarbageLineIsFound() throws Exception {
        lines.add(4, "{\"v\":1,\"seq\":4,\"note\":\"hello\"}");
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(5);
        assertThat(report.problem().kind()).isEqualTo(Kind.INSERTED);
        assertThat(report.problem().detail()).contains("line 6 continues from line 4");
    }

    @Test
    void anInsertedCopyOfAnEarlierLineIsFound() throws Exception {
        lines.add(6, lines.get(2));
        VerifyReport report = tampered();
        assertThat(report.problem().line()).isEqualTo(7);
        assertThat(report.problem().kind()).isEqualTo(Kind.INSERTED);
    }

    @Test
    void aTornTailIsFound() throws Exception {
        String whole = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, whole + lines.get(5).substring(0, 40), StandardCharsets.UTF_8);
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.problem()).isEqualTo(new VerifyReport.Problem(13, Kind.TORN,
                "the last line is cut short (an interrupted write)"));
        assertThat(report.repairable()).isTrue();
        assertThat(report.events()).isEqualTo(12);
        assertThat(report.validBytes()).isEqualTo(whole.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void repairCutsATornTailAndKeepsEveryWholeEvent() throws Exception {
        byte[] whole = Files.readAllBytes(file);
        Files.writeString(file, new String(whole, StandardCharsets.UTF_8) + "{\"v\":1,\"se", StandardCharsets.UTF_8);
        ChainVerifier.Repair repair = ChainVerifier.repair(file);
        assertThat(repair.changed()).isTrue();
        assertThat(repair.bytesRemoved()).isEqualTo(10);
        assertThat(repair.after().ok()).isTrue();
        assertThat(repair.after().events()).isEqualTo(12);
        assertThat(Files.readAllBytes(file)).isEqualTo(whole);
        // and the log can be appended to again
        try (EventLog log = EventLog.open(file)) {
            assertThat(log.append(EventData.Message.user("again")).seq()).isEqualTo(12);
        }
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void aLastEventWithoutItsNewlineIsCompletedNotCut() throws Exception {
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 1));
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.problem().kind()).isEqualTo(Kind.TORN);
        assertThat(report.tailIsWholeEvent()).isTrue();
        ChainVerifier.Repair repair = ChainVerifier.repair(file);
        assertThat(repair.newlineAdded()).isTrue();
        assertThat(Files.readAllBytes(file)).isEqualTo(whole);
    }

    @Test
    void repairLeavesOtherDamageAlone() throws Exception {
        lines.set(2, lines.get(2).replace("first", "forged"));
        LogFixtures.writeLines(file, lines);
        byte[] before = Files.readAllBytes(file);
        ChainVerifier.Repair repair = ChainVerifier.repair(file);
        assertThat(repair.changed()).isFalse();
        assertThat(repair.after().problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aValidButReformattedLineStillVerifiesBecauseTheHashIsOverTheCanonicalForm() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var event = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(lines.get(4));
        var reordered = mapper.createObjectNode();
        reordered.set("hash", event.get("hash"));
        reordered.set("data", event.get("data"));
        event.fieldNames().forEachRemaining(name -> reordered.set(name, event.get(name)));
        lines.set(4, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(reordered).replace("\n", " "));
        assertThat(tampered().ok()).isTrue();
    }

    @Test
    void theAttachmentsAreFoundInTheSamePassOnTheFastAndTheSlowPath() throws Exception {
        String photo = "a".repeat(64);
        String text = "b".repeat(64);
        Path withAttachments = dir.resolve("attached");
        Files.createDirectories(withAttachments);
        Path log;
        try (EventLog events = EventLog.create(withAttachments, new EventData.SessionStart("run", RunMode.SINGLE,
                List.of("openai/gpt-4o-mini"), Sha256.of("config"), "0.1.0"))) {
            events.append(EventData.Message.user("no attachment here, though the word \"attachment\" is"));
            events.append(new EventData.Message(dev.llmo.message.Role.USER, List.of(new dev.llmo.message.Part.Text(
                    "What is it?"), new dev.llmo.message.Part.Attachment("image/png", photo, "photo.png"))));
            events.append(new EventData.Message(dev.llmo.message.Role.USER, List.of(
                    new dev.llmo.message.Part.Attachment("image/png", photo, "again.png"),
                    new dev.llmo.message.Part.Attachment("text/plain", text, null))));
            log = events.file();
        }
        VerifyReport fast = ChainVerifier.verify(log);
        assertThat(fast.ok()).isTrue();
        assertThat(fast.attachments()).containsExactly(java.util.Map.entry(photo, 2L), java.util.Map.entry(text, 3L));

        // a reformatted line is checked through the tree: it finds the same
        List<String> logLines = LogFixtures.lines(log);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        logLines.set(2, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(logLines.get(2)))
                .replace("\n", " "));
        LogFixtures.writeLines(log, logLines);
        VerifyReport slow = ChainVerifier.verify(log);
        assertThat(slow.ok()).isTrue();
        assertThat(slow.attachments()).isEqualTo(fast.attachments());
    }

    @Test
    void floatsAndDuplicateKeysAreMalformed() throws Exception {
        lines.set(3, lines.get(3).replace("\"body_bytes\":4", "\"body_bytes\":4.0"));
        VerifyReport report = tampered();
        assertThat(report.problem().kind()).isEqualTo(Kind.MALFORMED);
        assertThat(report.problem().detail()).contains("floating-point");

        writeLog();
        lines.set(3, lines.get(3).replace("{\"v\":2,", "{\"v\":2,\"v\":2,"));
        report = tampered();
        assertThat(report.problem().kind()).isEqualTo(Kind.MALFORMED);
        assertThat(report.problem().detail()).contains("Duplicate field");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void bigLogsVerifyInChunksOnSeveralThreadsWithTheSameVerdict(int threads) throws Exception {
        Path big = dir.resolve("big.jsonl");
        long events = SyntheticLog.write(big, 300_000, 7);
        ChainVerifier small = new ChainVerifier(8 * 1024, threads);
        VerifyReport report = small.check(big);
        assertThat(report.ok()).isTrue();
        assertThat(report.events()).isEqualTo(events);

        List<String> bigLines = LogFixtures.lines(big);
        int removed = bigLines.size() / 2;
        bigLines.remove(removed);
        LogFixtures.writeLines(big, bigLines);
        VerifyReport broken = small.check(big);
        assertThat(broken.problem().kind()).isEqualTo(Kind.REMOVED);
        assertThat(broken.problem().line()).isEqualTo(removed + 1)
                .isEqualTo(ChainVerifier.verify(big).problem().line());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void anEditAndATornTailDeepInABigLogAreFoundOnEveryPath(int threads) throws Exception {
        Path big = dir.resolve("big.jsonl");
        SyntheticLog.write(big, 300_000, 11);
        ChainVerifier small = new ChainVerifier(8 * 1024, threads);
        List<String> bigLines = LogFixtures.lines(big);
        int edited = bigLines.size() * 2 / 3;
        bigLines.set(edited, bigLines.get(edited).replace("\"ts\":\"2026-", "\"ts\":\"2027-"));
        LogFixtures.writeLines(big, bigLines);
        VerifyReport broken = small.check(big);
        assertThat(broken.problem()).isEqualTo(ChainVerifier.verify(big).problem());
        assertThat(broken.problem().line()).isEqualTo(edited + 1);
        assertThat(broken.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(broken.problem().detail()).isEqualTo("its content does not match its hash");

        bigLines = LogFixtures.lines(big);
        bigLines.set(edited, bigLines.get(edited).replace("\"ts\":\"2027-", "\"ts\":\"2026-"));
        String last = bigLines.remove(bigLines.size() - 1);
        Files.writeString(big, String.join("\n", bigLines) + "\n" + last.substring(0, last.length() / 2),
                StandardCharsets.UTF_8);
        VerifyReport torn = small.check(big);
        assertThat(torn.problem()).isEqualTo(new VerifyReport.Problem(bigLines.size() + 1, Kind.TORN,
                "the last line is cut short (an interrupted write)"));
        assertThat(torn.validBytes()).isEqualTo(Files.size(big) - last.length() / 2);
    }

    @Test
    void dataLongerThanTheHashBufferIsHashedWholeAndAnEditToItIsAnEdit() throws Exception {
        // the fast path puts a line's hashed form together in a buffer that starts at 4 KiB and grows; the edited
        // line, valid JSON with a wrong hash, goes to the tree check, which Jackson read into the next line
        // ("not valid JSON (Trailing token ...)") when it parsed the line in place
        Path log;
        try (EventLog events = EventLog.create(dir, new EventData.SessionStart("run", RunMode.SINGLE,
                List.of("openai/gpt-4o-mini"), Sha256.of("config"), "0.1.0"))) {
            events.append(new EventData.Request("openai/gpt-4o-mini", java.util.Map.of("stop",
                    LogFixtures.NASTY.repeat(400)), Sha256.of("body"), 4, List.of()));
            events.append(new EventData.Request("openai/gpt-4o-mini", java.util.Map.of("stop", "short"),
                    Sha256.of("body"), 5, List.of()));
            log = events.file();
        }
        List<String> logLines = LogFixtures.lines(log);
        assertThat(logLines.get(1).length()).isGreaterThan(3 * 4096);
        assertThat(ChainVerifier.verify(log).ok()).isTrue();

        logLines.set(1, logLines.get(1).replace("tab", "tap"));
        LogFixtures.writeLines(log, logLines);
        assertThat(ChainVerifier.verify(log).problem()).isEqualTo(new VerifyReport.Problem(2, Kind.EDITED,
                "its content does not match its hash"));
    }

    @Test
    void aDigestWithAByteThatIsNotLowerCaseHexAnywhereIsMalformed() throws Exception {
        // the layout checks a digest's hex eight bytes at a time: every position of every word, in prev (re-hashed,
        // so that only the hex check can tell), in hash, and in a content key, must still be caught
        Event third = EventLog.read(file).get(2);
        byte[] data = CanonicalJson.write(third.data());
        byte[] content = CanonicalJson.write(third.content());
        String key = third.content().fieldNames().next();
        for (String bad : new String[] {"A", "F", "G", "g", "z", "/", ":", "`", "@", " ", "\u00e9"}) {
            for (int at = 0; at < 64; at++) {
                int k = Sha256.PREFIX.length() + at;
                String prev = third.prev().substring(0, k) + bad + third.prev().substring(k + 1);
                String hash = EventLines.hash(Sha256.newDigest(), Event.VERSION, data, 0, data.length, prev, 2,
                        third.ts(), "message");
                LineFacts facts = analyzed(EventLines.line(2, third.ts(), "message", data, prev, hash, content));
                assertThat(facts.status()).as("prev %s at %d", bad, at).isEqualTo(LineFacts.Status.NOT_AN_EVENT);
                assertThat(facts.detail()).isEqualTo("\"prev\" or \"hash\" is not sha256:<64 hex>");

                String badHash = third.hash().substring(0, k) + bad + third.hash().substring(k + 1);
                facts = analyzed(EventLines.line(2, third.ts(), "message", data, third.prev(), badHash, content));
                assertThat(facts.status()).as("hash %s at %d", bad, at).isEqualTo(LineFacts.Status.NOT_AN_EVENT);
                assertThat(facts.detail()).isEqualTo("\"prev\" or \"hash\" is not sha256:<64 hex>");

                String badKey = key.substring(0, k) + bad + key.substring(k + 1);
                byte[] badContent = new String(content, StandardCharsets.UTF_8).replace(key, badKey)
                        .getBytes(StandardCharsets.UTF_8);
                facts = analyzed(EventLines.line(2, third.ts(), "message", data, third.prev(), third.hash(),
                        badContent));
                assertThat(facts.status()).as("key %s at %d", bad, at).isEqualTo(LineFacts.Status.HASH_MISMATCH);
                assertThat(facts.detail()).endsWith(", which no part of the event names");
            }
        }
    }

    @Test
    void eightBytesAreHexExactlyWhenEachIsALowerCaseHexDigit() {
        // every byte value at every position of the word, the others hex digits (or one above it over 0x7f)
        for (int at = 0; at < 8; at++) {
            for (int v = 0; v < 256; v++) {
                for (long rest : new long[] {0x3061623966303130L, 0x6666666666666666L, 0x3030303030303030L}) {
                    long w = rest & ~(0xffL << 8 * at) | (long) v << 8 * at;
                    boolean hex = v >= '0' && v <= '9' || v >= 'a' && v <= 'f';
                    assertThat(CanonicalJson.Words.hex(w)).as("byte %d at %d in %x", v, at, rest).isEqualTo(hex);
                    if (at < 7) {
                        long above = w & ~(0xffL << 8 * (at + 1)) | (long) (0x80 + v % 128) << 8 * (at + 1);
                        assertThat(CanonicalJson.Words.hex(above)).as("byte %d at %d under a high byte", v, at).isFalse();
                    }
                }
            }
        }
    }

    private static LineFacts analyzed(byte[] line) {
        return new LineAnalyzer().analyzeNext(line, 0, line.length, 0);
    }

    /**
     * A line longer than the bound (junk appended to a log) is a broken line, read without being held: reported as
     * malformed where it is, or torn at the end; a line longer than a chunk but within the bound is still an event.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aLineLongerThanTheBoundIsABrokenLineAndOneWithinItIsAnEvent(int threads) throws Exception {
        Path log = LogFixtures.conversation(dir, "x".repeat(12 * 1024)); // its message: a line over a chunk
        ChainVerifier small = new ChainVerifier(8 * 1024, threads, 16 * 1024);
        assertThat(small.check(log).ok()).isTrue();
        assertThat(small.check(log).events()).isEqualTo(12);

        List<String> original = LogFixtures.lines(log);
        List<String> junk = new java.util.ArrayList<>(original);
        junk.add(5, "j".repeat(100_000));
        LogFixtures.writeLines(log, junk);
        VerifyReport inside = small.check(log);
        assertThat(inside.problem().line()).isEqualTo(6);
        assertThat(inside.problem().kind()).isEqualTo(Kind.INSERTED);

        LogFixtures.writeLines(log, original);
        Files.writeString(log, "j".repeat(100_000) + "\n", java.nio.file.StandardOpenOption.APPEND);
        VerifyReport atEnd = small.check(log);
        assertThat(atEnd.problem().line()).isEqualTo(13);
        assertThat(atEnd.problem().kind()).isEqualTo(Kind.MALFORMED);
        assertThat(atEnd.problem().detail()).isEqualTo("the line is 100000 bytes long, more than the 128 MiB an "
                + "event may have");

        LogFixtures.writeLines(log, original);
        Files.writeString(log, "j".repeat(100_000), java.nio.file.StandardOpenOption.APPEND);
        VerifyReport torn = small.check(log);
        assertThat(torn.problem()).isEqualTo(new VerifyReport.Problem(13, Kind.TORN,
                "the last line is cut short (an interrupted write)"));
        assertThat(torn.validBytes()).isEqualTo(Files.size(log) - 100_000);
    }
}
