package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    /** The format the log has always been written in, built here on its own. */
    private static final DateTimeFormatter FORMATTER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void aTimestampIsWhatTheFormatterPrintsAtEveryEdge() {
        List<Instant> instants = new ArrayList<>();
        for (String day : List.of("0001-01-01", "0004-02-29", "0100-02-28", "0100-03-01", "0400-02-29", "1899-12-31",
                "1900-02-28", "1900-03-01", "1969-12-31", "1970-01-01", "1972-02-29", "1999-12-31", "2000-02-29",
                "2000-03-01", "2024-02-29", "2026-11-21", "2100-02-28", "2100-03-01", "9999-12-31")) {
            Instant start = Instant.parse(day + "T00:00:00Z");
            for (long offset : new long[] {-1, 0, 1, 59, 60, 3_599, 3_600, 43_200, 86_399, 86_400}) {
                for (int nanos : new int[] {0, 1, 999_999, 1_000_000, 540_000_000, 999_999_999}) {
                    instants.add(start.plusSeconds(offset).plusNanos(nanos));
                }
            }
        }
        // outside the four-digit years: the formatter's own answer, sign and all
        instants.add(Instant.parse("+10000-01-01T00:00:00Z"));
        instants.add(Instant.parse("0000-12-31T23:59:59.999Z"));
        instants.add(Instant.parse("-0001-06-15T12:00:00Z"));
        for (Instant instant : instants) {
            assertThat(EventJson.timestamp(instant)).as("%s", instant).isEqualTo(FORMATTER.format(instant));
        }
    }

    @Test
    void aTimestampIsWhatTheFormatterPrintsForRandomInstants() {
        Random random = new Random(15);
        long first = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long end = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long second = i % 2 == 0 ? first + Math.floorMod(random.nextLong(), end - first)
                    : 1_700_000_000L + random.nextInt(1_000_000_000); // the years a log is written in
            Instant instant = Instant.ofEpochSecond(second, random.nextInt(1_000_000_000));
            assertThat(EventJson.timestamp(instant)).as("%s", instant).isEqualTo(FORMATTER.format(instant));
        }
    }
}
