package dev.llmo.cost;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** What was spent on one local calendar day, from the event logs. */
public final class DailySpend {
    private DailySpend() {
    }

    /**
     * The sum of {@code cost_micro_usd} of the {@code response} events logged on {@code day} in {@code zone}, in
     * every conversation under {@code conversationsDir}. Responses of unknown price add nothing.
     */
    public static long microUsd(Path conversationsDir, LocalDate day, ZoneId zone) {
        Instant start = day.atStartOfDay(zone).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
        long[] sum = {0};
        SpendLog.scan(conversationsDir, start, record -> {
            if (record.ts().isBefore(end) && record.costMicroUsd() != null) {
                sum[0] += record.costMicroUsd();
            }
        });
        return sum[0];
    }

    /** {@link #microUsd} of today, by {@code clock} in its zone. */
    public static long today(Path conversationsDir, Clock clock) {
        return microUsd(conversationsDir, LocalDate.now(clock), clock.getZone());
    }
}
