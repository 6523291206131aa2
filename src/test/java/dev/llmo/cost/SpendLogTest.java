package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendLogTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryResponseOfEveryLog() {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        SpendLogs.conversation(dir, at, "openai/gpt-4o-mini", 12, 5, 48L, 52L);
        SpendLogs.conversation(dir, at.plusSeconds(60), "ollama/llama3.2", 100, 50, (Long) null);

        List<SpendRecord> records = SpendLog.read(dir, null);

        assertThat(records).containsExactly(
                new SpendRecord(at, "openai/gpt-4o-mini", 12L, 5L, 0L, 0L, 0L, 48L),
                new SpendRecord(at, "openai/gpt-4o-mini", 12L, 5L, 0L, 0L, 0L, 52L),
                new SpendRecord(at.plusSeconds(60), "ollama/llama3.2", 100L, 50L, 0L, 0L, 0L, null));
    }

    @Test
    void readsEveryKindOfTokenAndAVersion1UsageHasNoneOfTheNewKinds() throws Exception {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        Path file = SpendLogs.conversation(dir, at, "anthropic/claude-sonnet-4-5",
                new dev.llmo.message.Usage(1200, 300, 120, 1000, 100), 900L);
        Files.writeString(file, "{\"v\":1,\"ts\":\"" + at + "\",\"type\":\"response\",\"data\":{\"model\":\"m/v1\","
                + "\"usage\":{\"input_tokens\":7,\"output_tokens\":2},\"cost_micro_usd\":3}}\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        assertThat(SpendLog.read(dir, null)).containsExactly(
                new SpendRecord(at, "anthropic/claude-sonnet-4-5", 1200L, 300L, 120L, 1000L, 100L, 900L),
                new SpendRecord(at, "m/v1", 7L, 2L, null, null, null, 3L));
    }

    @Test
    void aBatchCallThatFailedBeforeAnyUsageWasReportedIsNotACall() throws Exception {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        Path file = SpendLogs.conversation(dir, at, "m/x", 1, 1, 7L);
        String row = "{\"v\":2,\"ts\":\"" + at + "\",\"type\":\"batch.row\",\"data\":{\"row\":%d,\"model\":\"m/x\","
                + "\"usage\":%s,\"cost_micro_usd\":null,\"latency_ms\":3,\"error\":{\"kind\":\"%s\"}}}\n";
        Files.writeString(file, row.formatted(1, "null", "connection")
                + row.formatted(2, "{\"input_tokens\":5,\"output_tokens\":9}", "bad_response"),
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        assertThat(SpendLog.read(dir, null)).as("the call cut off after its usage may have been billed").containsExactly(
                new SpendRecord(at, "m/x", 1L, 1L, 0L, 0L, 0L, 7L),
                new SpendRecord(at, "m/x", 5L, 9L, null, null, null, null));
    }

    @Test
    void skipsTornLinesForeignLinesAndOlderEvents() throws Exception {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Path file = SpendLogs.conversation(dir, at, "m/x", 1, 1, 7L);
        Files.writeString(file, "not json \"response\"\n{\"type\":\"response\",\"data\":[1]}\n"
                + "{\"v\":1,\"ts\":\"" + at + "\",\"type\":1,\"data\":{\"model\":\"m/z\",\"cost_micro_usd\":5}}\n"
                + "{\"v\":1,\"ts\":\"" + at + "\",\"type\":\"response\",\"data\":{\"model\":\"m/y\",\"usage\":null,"
                + "\"cost_micro_usd\":3}}\n{\"v\":1,\"type\":\"response\"", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        SpendLogs.conversation(dir, at.minus(3, ChronoUnit.DAYS), "m/old", 1, 1, 1_000L);

        assertThat(SpendLog.read(dir, at.minusSeconds(1))).containsExactly(
                new SpendRecord(at, "m/x", 1L, 1L, 0L, 0L, 0L, 7L),
                new SpendRecord(at, "m/y", null, null, null, null, null, 3L));
    }

    @Test
    void aResponseIsCountedFromItsDataWithoutReadingItsContent() throws Exception {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        Path file = SpendLogs.conversation(dir, at, "m/x", 1, 1, 7L);
        // a response line whose content (an answer's text, written last) is damaged: what it cost is still counted,
        // read from its data; the text is never parsed
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int response = lines.size() - 1;
        while (!lines.get(response).contains("\"type\":\"response\"")) {
            response--;
        }
        String line = lines.get(response);
        int content = line.indexOf(",\"content\":");
        assertThat(content).isPositive();
        lines.set(response, line.substring(0, content) + ",\"content\":{\"x\":\"cut");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        assertThat(SpendLog.read(dir, null)).containsExactly(new SpendRecord(at, "m/x", 1L, 1L, 0L, 0L, 0L, 7L));
    }

    @Test
    void readsLinesLongerThanTheBuffer() {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        try (var log = dev.llmo.eventlog.EventLog.create(dir,
                new dev.llmo.eventlog.EventData.SessionStart("run", dev.llmo.eventlog.RunMode.SINGLE, List.of("m/x"), null, "t"),
                new dev.llmo.eventlog.EventLog.Options(java.time.Clock.fixed(at, ZoneOffset.UTC), false))) {
            log.append(new dev.llmo.eventlog.EventData.Response(0, "m/x", "y".repeat(300_000), "end",
                    dev.llmo.message.Usage.of(1, 100_000), 123L, 1, null, true));
        }
        assertThat(SpendLog.read(dir, null)).containsExactly(new SpendRecord(at, "m/x", 1L, 100_000L, 0L, 0L, 0L,
                123L));
    }

    @Test
    void aMissingDirectoryHasSpentNothing() {
        assertThat(SpendLog.read(dir.resolve("none"), null)).isEmpty();
        assertThat(DailySpend.microUsd(dir.resolve("none"), LocalDate.now(), ZoneOffset.UTC)).isZero();
    }

    @Test
    void dailySpendCountsOnlyThatLocalDay() {
        Instant noon = Instant.parse("2026-11-20T12:00:00Z");
        SpendLogs.conversation(dir, noon, "m/x", 1, 1, 100L, 20L);
        SpendLogs.conversation(dir, noon.plus(13, ChronoUnit.HOURS), "m/x", 1, 1, 3L); // 01:00 UTC the 21st
        SpendLogs.conversation(dir, noon.minus(1, ChronoUnit.DAYS), "m/x", 1, 1, 5_000L);
        SpendLogs.conversation(dir, noon, "m/free", 1, 1, (Long) null);

        assertThat(DailySpend.microUsd(dir, LocalDate.parse("2026-11-20"), ZoneOffset.UTC)).isEqualTo(120);
        // in New York the 01:00 UTC response is still the 20th
        assertThat(DailySpend.microUsd(dir, LocalDate.parse("2026-11-20"), java.time.ZoneId.of("America/New_York")))
                .isEqualTo(123);
    }
}
