package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.message.Usage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnloggedSpendTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:30:00Z");

    @TempDir
    Path data;

    @Test
    void recordsAreReadAsSpendBesideTheConversations() {
        Path conversations = data.resolve("conversations");
        UnloggedSpend spend = new UnloggedSpend(UnloggedSpend.file(conversations), Clock.fixed(NOW, ZoneOffset.UTC));

        spend.add("mock/m1", Usage.of(10, 5), 42L);
        spend.add("mock/m1", null, null);
        spend.add("mock/m2", Usage.of(1, 1), null);

        assertThat(DailySpend.today(conversations, Clock.fixed(NOW, ZoneOffset.UTC))).isEqualTo(42);
        assertThat(SpendLog.read(conversations, null)).extracting(SpendRecord::model)
                .containsExactly("mock/m1", "mock/m1", "mock/m2");
    }

    @Test
    void aLargeFileIsCompactedKeepingEachDaysTotal() throws Exception {
        Path conversations = data.resolve("conversations");
        Path file = UnloggedSpend.file(conversations);
        // four days of records, a minute apart, for two models: well over the limit
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int minute = 0; minute < 4 * 24 * 60; minute++) {
                Instant ts = NOW.minus(4 * 24 * 60 - minute, ChronoUnit.MINUTES);
                out.write(UnloggedSpend.line(new SpendRecord(ts, "mock/m" + (minute % 2), 100L, 10L, 0L, 0L, 0L,
                        (long) minute)));
            }
        }
        assertThat(Files.size(file)).isGreaterThan(UnloggedSpend.MAX_BYTES);
        ZoneId zone = ZoneOffset.UTC;
        long[] before = new long[4];
        for (int day = 0; day < 4; day++) {
            before[day] = DailySpend.microUsd(conversations, LocalDate.ofInstant(NOW, zone).minusDays(day), zone);
        }

        new UnloggedSpend(file, Clock.fixed(NOW, zone)).add("mock/m0", Usage.of(1, 1), 7L);

        assertThat(Files.size(file)).isLessThan(UnloggedSpend.MAX_BYTES / 2);
        assertThat(DailySpend.microUsd(conversations, LocalDate.ofInstant(NOW, zone), zone)).isEqualTo(before[0] + 7);
        assertThat(DailySpend.microUsd(conversations, LocalDate.ofInstant(NOW, zone).minusDays(1), zone))
                .isEqualTo(before[1]);
        assertThat(DailySpend.microUsd(conversations, LocalDate.ofInstant(NOW, zone).minusDays(2), zone))
                .isEqualTo(before[2]);
    }
}
