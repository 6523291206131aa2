package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.io.InterruptStorm;
import dev.llmo.eventlog.EventData.Message;
import dev.llmo.eventlog.EventData.Request;
import dev.llmo.eventlog.EventData.Response;
import dev.llmo.eventlog.EventData.SeqRange;
import dev.llmo.eventlog.EventData.SessionStart;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();

    private static SessionStart start() {
        return new SessionStart("chat", RunMode.CHAT, List.of("openai/gpt-4o-mini"), Sha256.of("config"), "0.1.0");
    }

    @Test
    void writesTheDocumentedEnvelope() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T19:40:48.540Z"), ZoneOffset.UTC);
        Path file;
        try (EventLog log = EventLog.create(dir, start(), new EventLog.Options(clock, false))) {
            log.append(Message.user("hi"));
            file = log.file();
            assertThat(log.id()).matches("[0-9A-HJKMNP-TV-Z]{26}");
            assertThat(file.getFileName().toString()).isEqualTo(log.id() + ".jsonl");
        }
        List<String> lines = LogFixtures.lines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"v\":2,\"seq\":0,\"ts\":\"2026-11-21T19:40:48.540Z\",\"type\":\"session.start\","
                + "\"data\":{\"command\":\"chat\",\"config_sha256\":\"sha256:")
                .contains("\"mode\":\"chat\"")
                .endsWith(",\"prev\":\"" + Sha256.ZERO + "\",\"hash\":\"" + mapper.readTree(lines.get(0)).get("hash")
                        .asText() + "\"}");
        JsonNode first = mapper.readTree(lines.get(0));
        JsonNode second = mapper.readTree(lines.get(1));
        assertThat(second.get("seq").asLong()).isEqualTo(1);
        assertThat(second.get("prev").asText()).isEqualTo(first.get("hash").asText());
        // the hashed data names the part's content by digest; the content sits beside it, last on the line
        String digest = second.at("/data/parts/0/content_sha256").asText();
        assertThat(second.get("data").toString()).isEqualTo("{\"parts\":[{\"content_sha256\":\"" + digest
                + "\",\"type\":\"text\"}],\"role\":\"user\"}");
        JsonNode content = second.get("content").get(digest);
        assertThat(content.get("text").asText()).isEqualTo("hi");
        assertThat(content.get("salt").asText()).matches("[0-9a-f]{32}");
        assertThat(digest).isEqualTo(Sha256.of(CanonicalJson.write(content)));
        assertThat(lines.get(1)).contains(",\"hash\":\"" + second.get("hash").asText() + "\",\"content\":{");
    }

    @Test
    void aLongAnswerIsWrittenWholeAndVerifies() {
        // written from the canonical bytes as they are, in pieces of one line: the hash must still cover it all
        String answer = "line \"one\"\n中文 😀 é\t".repeat(150_000);
        Path file;
        try (EventLog log = EventLog.create(dir, start())) {
            log.append(new Response(0, "openai/gpt-4o-mini", answer, "end", null, null, 10, null, true));
            log.append(new EventData.SessionEnd("ok", 0, 0));
            file = log.file();
        }
        List<Event> events = EventLog.read(file);
        assertThat(events).hasSize(3);
        assertThat(((Response) EventCodec.decode(events.get(1))).text()).isEqualTo(answer);
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void anInterruptedThreadStillWritesItsEventsAndKeepsItsInterrupt() throws Exception {
        // Ctrl-C cancels a call by interrupting its thread, which then logs the call's end on that same thread
        Path file;
        try {
            try (EventLog log = EventLog.createDeferred(dir, start(), EventLog.Options.defaults())) {
                Thread.currentThread().interrupt();
                log.append(Message.user("hi"));
                log.persist();
                log.append(new Response(1, "openai/gpt-4o-mini", "partial", "incomplete", null, null, 10, null, false));
                log.append(new EventData.SessionEnd("interrupted", 130, 0));
                log.sync();
                file = log.file();
            }
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(LogFixtures.lines(file)).hasSize(4);
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void eventsAreWrittenWhileInterruptsKeepComing() throws Exception {
        // an interrupt may also come in the middle of a write, not only before it
        Path file;
        try (EventLog log = EventLog.create(dir, start())) {
            boolean stillInterrupted = InterruptStorm.run(200, () -> log.append(Message.user("hi")));
            assertThat(stillInterrupted).isTrue();
            log.append(new EventData.SessionEnd("ok", 0, 0));
            file = log.file();
        }
        assertThat(LogFixtures.lines(file)).hasSize(202);
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void aDeferredLogWritesNothingUntilPersistedThenTheSameBytesAsAnImmediateOne() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T19:40:48.540Z"), ZoneOffset.UTC);
        Path eager = Files.createDirectories(dir.resolve("eager"));
        Path lazy = dir.resolve("lazy"); // not there yet: made at persist
        Path immediate;
        // the same salts for both, so that the bytes can be compared
        try (EventLog log = EventLog.create(eager, start(), new EventLog.Options(clock, false, null,
                new java.util.Random(7)))) {
            log.append(Message.user("hi"));
            log.append(new Request("openai/gpt-4o-mini", Map.of(), Sha256.of("body"), 4, SeqRange.of(List.of(1L))));
            immediate = log.file();
        }
        Path deferred;
        try (EventLog log = EventLog.createDeferred(lazy, start(), new EventLog.Options(clock, false, null,
                new java.util.Random(7)))) {
            assertThat(log.append(Message.user("hi")).seq()).isEqualTo(1);
            assertThat(log.persisted()).isFalse();
            assertThat(lazy).doesNotExist();
            log.persist();
            log.append(new Request("openai/gpt-4o-mini", Map.of(), Sha256.of("body"), 4, SeqRange.of(List.of(1L))));
            deferred = log.file();
        }
        assertThat(Files.readAllBytes(deferred)).isEqualTo(Files.readAllBytes(immediate));
        assertThat(ChainVerifier.verify(deferred).ok()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(deferred))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lazy))).isEqualTo("rwx------");
        PythonVerifier.Result result = PythonVerifier.run(dir, deferred);
        assertThat(result.output()).isEqualTo("ok 3 events");
    }

    @Test
    void aDeferredLogClosedOrDiscardedLeavesNoFile() throws Exception {
        try (EventLog log = EventLog.createDeferred(dir, start(), EventLog.Options.defaults())) {
            log.append(Message.user("never sent"));
            log.append(new SessionStart("run", RunMode.SINGLE, List.of(), null, "x"));
        }
        EventLog persisted = EventLog.createDeferred(dir, start(), EventLog.Options.defaults());
        persisted.persist();
        assertThat(persisted.file()).exists();
        assertThat(persisted.discard()).isTrue();
        persisted.close();

        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void aDiscardedLogThatAnotherWriterContinuedStays() throws Exception {
        EventLog mine = EventLog.createDeferred(dir, start(), EventLog.Options.defaults());
        mine.persist();
        try (EventLog theirs = EventLog.open(mine.file())) {
            theirs.append(Message.user("mine now too"));
        }

        assertThat(mine.discard()).isFalse();
        mine.append(new EventData.SessionEnd("ok", 0, 0));
        mine.close();
        assertThat(EventLog.read(mine.file())).hasSize(3);
        assertThat(ChainVerifier.verify(mine.file()).ok()).isTrue();
    }

    @Test
    void hashIsSha256OfTheCanonicalEventWithoutHash() throws Exception {
        Path file = LogFixtures.conversation(dir, LogFixtures.NASTY);
        for (String line : LogFixtures.lines(file)) {
            var event = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(line);
            String hash = event.remove("hash").asText();
            event.remove("content"); // outside the hash
            assertThat(hash).isEqualTo(Sha256.of(CanonicalJson.write(event)));
        }
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void anIndependentPythonVerifierFromTheDocsAcceptsTheLog() throws Exception {
        Path file = LogFixtures.conversation(dir, LogFixtures.NASTY);
        PythonVerifier.Result result = PythonVerifier.run(dir, file);
        assertThat(result.output()).isEqualTo("ok 12 events");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void theIndependentVerifierRejectsAnEditedLog() throws Exception {
        Path file = LogFixtures.conversation(dir, "first prompt");
        List<String> lines = LogFixtures.lines(file);
        lines.set(2, lines.get(2).replace("first prompt", "first prompT"));
        LogFixtures.writeLines(file, lines);
        PythonVerifier.Result result = PythonVerifier.run(dir, file);
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("line 3: bad content");

        lines.set(2, lines.get(2).replace("first prompT", "first prompt").replace("\"role\":\"user\"",
                "\"role\":\"system\""));
        LogFixtures.writeLines(file, lines);
        result = PythonVerifier.run(dir, file);
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("line 3: bad event");
    }

    @Test
    void refusesFloatingPointNumbersInEventData() throws Exception {
        try (EventLog log = EventLog.create(dir, start())) {
            var data = mapper.createObjectNode().put("price", 0.5);
            assertThatThrownBy(() -> log.append("custom", data)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("floating-point");
            // nothing was written for the refused event: the chain goes on from seq 1
            assertThat(log.append(Message.user("after")).seq()).isEqualTo(1);
        }
    }

    @Test
    void recordsDecimalOptionsAsStrings() throws Exception {
        try (EventLog log = EventLog.create(dir, start())) {
            Event request = log.append(new Request("m", Map.of("temperature", 0.7, "top_k", 40), Sha256.of("b"), 1,
                    List.of(new SeqRange(0, 0))));
            assertThat(new String(CanonicalJson.write(request.data().get("options")), StandardCharsets.UTF_8))
                    .isEqualTo("{\"temperature\":\"0.7\",\"top_k\":40}");
        }
    }

    @Test
    void reopeningAFileContinuesTheChain() throws Exception {
        Path file;
        try (EventLog log = EventLog.create(dir, start())) {
            log.append(Message.user("one"));
            file = log.file();
        }
        try (EventLog log = EventLog.open(file)) {
            assertThat(log.append(Message.user("two")).seq()).isEqualTo(2);
        }
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.ok()).isTrue();
        assertThat(report.events()).isEqualTo(3);
    }

    @Test
    void twoWritersInOneProcessInterleaveWithoutBreakingTheChain() throws Exception {
        try (EventLog a = EventLog.create(dir, start()); EventLog b = EventLog.open(a.file())) {
            for (int i = 0; i < 20; i++) {
                a.append(Message.user("a" + i));
                b.append(Message.user("b" + i));
            }
            VerifyReport report = ChainVerifier.verify(a.file());
            assertThat(report.problem()).isNull();
            assertThat(report.events()).isEqualTo(41);
        }
    }

    @Test
    void threadsShareOneLog() throws Exception {
        try (EventLog log = EventLog.create(dir, start())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 25; i++) {
                        log.append(Message.user("thread " + id + " event " + i));
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(ChainVerifier.verify(log.file()).events()).isEqualTo(101);
        }
    }

    @Test
    void refusesToAppendAfterATornLine() throws Exception {
        try (EventLog log = EventLog.create(dir, start())) {
            Files.writeString(log.file(), "{\"v\":1,\"seq\":1,\"ts\"", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
            assertThatThrownBy(() -> log.append(Message.user("x"))).isInstanceOf(LogVerificationException.class)
                    .hasMessageContaining("torn")
                    .satisfies(e -> assertThat(((LogVerificationException) e).fix()).contains("--repair"));
        }
    }

    @Test
    void filesAreOwnerOnly() throws Exception {
        try (EventLog log = EventLog.create(dir.resolve("conversations"), start())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log.file()))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("conversations"))))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void aTurnAddsAboutTheSameBytesAtTurnFiftyAsAtTurnTwo() throws Exception {
        List<Long> sizes = new ArrayList<>();
        try (EventLog log = EventLog.create(dir, start())) {
            List<Long> history = new ArrayList<>(List.of(log.append(Message.system("Be brief.")).seq()));
            for (int turn = 1; turn <= 50; turn++) {
                long before = Files.size(log.file());
                Event user = log.append(Message.user("question number " + (1000 + turn)));
                history.add(user.seq());
                Event request = log.append(new Request("openai/gpt-4o-mini", Map.of(), Sha256.of("body" + turn),
                        100 + 50L * turn, SeqRange.sent(history, history)));
                Event response = log.append(new Response(request.seq(), "openai/gpt-4o-mini",
                        "answer number " + (1000 + turn), "end", Usage.of(10 * turn, 5), 3L, 100, 10L, true));
                history.add(response.seq());
                sizes.add(Files.size(log.file()) - before);
            }
        }
        long turn2 = sizes.get(1);
        long turn50 = sizes.get(49);
        // only the digits of growing numbers (seq, token counts) may differ
        assertThat(turn50).isBetween(turn2, turn2 + 20);
    }

    @Test
    void readReturnsTheEventsWritten() throws Exception {
        Path file = LogFixtures.conversation(dir, "read me");
        List<Event> events = EventLog.read(file);
        assertThat(events).extracting(Event::type).containsExactly("session.start", "message", "message", "request",
                "retry", "response", "request", "error", "message", "request", "response", "session.end");
        EventData.Response response = (EventData.Response) EventCodec.decode(events.get(5));
        assertThat(response.parts()).containsExactly(new Part.Text("Answer: " + LogFixtures.NASTY));
        assertThat(response.usage()).isEqualTo(Usage.of(12, 5));
        assertThat(events.get(5).data().get("request").asLong()).isEqualTo(events.get(3).seq());
    }

    @Test
    void contextRangesStayCompact() {
        List<Long> history = List.of(1L, 2L, 4L, 5L, 7L, 8L);
        assertThat(SeqRange.sent(history, history)).containsExactly(new SeqRange(1, 8));
        assertThat(SeqRange.sent(history, List.of(1L, 5L, 7L, 8L)))
                .containsExactly(new SeqRange(1, 1), new SeqRange(5, 8));
        assertThat(SeqRange.of(List.of(3L, 1L, 2L, 7L))).containsExactly(new SeqRange(1, 3), new SeqRange(7, 7));
    }
}
