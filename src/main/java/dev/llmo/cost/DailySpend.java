package dev.llmo.cost;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What was spent on one local calendar day, from the event logs (the conversations and the batch records).
 *
 * <p>An instance ({@link #tally}) remembers how far it read each file and what it found there, so that the daily
 * check a budget makes before every call reads only what was appended since the last one: a batch of many rows
 * appends to one record, and re-reading it whole before each call would take time growing with the square of the rows.
 */
public final class DailySpend implements java.util.function.LongSupplier {
    private final List<Path> dirs;
    private final Clock clock;
    private final Map<Path, Read> read = new HashMap<>();
    private LocalDate day;

    /** How far one file was read: its identity, the offset after its last whole line, the day's sum in it. */
    private record Read(Object fileKey, long offset, long microUsd) {
    }

    private DailySpend(List<Path> dirs, Clock clock) {
        this.dirs = List.copyOf(dirs);
        this.clock = clock;
    }

    /** A tally of today (by {@code clock} in its zone) over the logs in {@code dirs}; thread-safe. */
    public static DailySpend tally(List<Path> dirs, Clock clock) {
        return new DailySpend(dirs, clock);
    }

    /** {@link #today}: the guard asks through this, a class rather than a lambda linked at start-up (ADR-003). */
    @Override
    public long getAsLong() {
        return today();
    }

    /** Today's spending in micro-USD, reading only what was appended since the last call. */
    public synchronized long today() {
        LocalDate now = LocalDate.now(clock);
        if (!now.equals(day)) {
            read.clear();
            day = now;
        }
        ZoneId zone = clock.getZone();
        Instant start = day.atStartOfDay(zone).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
        long sum = 0;
        List<Path> files = new java.util.ArrayList<>();
        for (Path dir : dirs) {
            files.addAll(SpendLog.logs(dir, start));
        }
        if (!dirs.isEmpty()) {
            // what runs without a conversation (--no-log) spent: a file replaced whole on each change, so its new
            // identity makes it read again from the start
            Path unlogged = UnloggedSpend.file(dirs.get(0));
            if (Files.isRegularFile(unlogged) && SpendLog.recent(unlogged, start)) {
                files.add(unlogged);
            }
        }
        {
            for (Path file : files) {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (IOException e) {
                    read.remove(file);
                    continue; // removed while we listed
                }
                Read before = read.get(file);
                boolean grown = before != null && java.util.Objects.equals(before.fileKey(), attributes.fileKey())
                        && attributes.size() >= before.offset();
                long offset = grown ? before.offset() : 0;
                long[] found = {grown ? before.microUsd() : 0};
                long after = SpendLog.scanFile(file, offset, start, record -> {
                    if (record.ts().isBefore(end) && record.costMicroUsd() != null) {
                        found[0] += record.costMicroUsd();
                    }
                });
                read.put(file, new Read(attributes.fileKey(), after, found[0]));
                sum += found[0];
            }
        }
        return sum;
    }

    /**
     * The sum of {@code cost_micro_usd} of the spending events logged on {@code day} in {@code zone}, in every log
     * under {@code dir}. Responses of unknown price add nothing.
     */
    public static long microUsd(Path dir, LocalDate day, ZoneId zone) {
        Instant start = day.atStartOfDay(zone).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
        long[] sum = {0};
        SpendLog.scan(dir, start, record -> {
            if (record.ts().isBefore(end) && record.costMicroUsd() != null) {
                sum[0] += record.costMicroUsd();
            }
        });
        return sum[0];
    }

    /** {@link #microUsd} of today, by {@code clock} in its zone. */
    public static long today(Path dir, Clock clock) {
        return microUsd(dir, LocalDate.now(clock), clock.getZone());
    }

    /** {@link #microUsd} of today over several directories (the conversations and the batches). */
    public static long today(List<Path> dirs, Clock clock) {
        LocalDate day = LocalDate.now(clock);
        Instant start = day.atStartOfDay(clock.getZone()).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(clock.getZone()).toInstant();
        long[] sum = {0};
        SpendLog.scanDirs(dirs, start, record -> {
            if (record.ts().isBefore(end) && record.costMicroUsd() != null) {
                sum[0] += record.costMicroUsd();
            }
        });
        return sum[0];
    }
}
