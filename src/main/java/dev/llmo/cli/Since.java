package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of {@code --since} ({@code llmo log list}, {@code llmo cost}): a time ago ({@code 30m}, {@code 12h},
 * {@code 2d}, {@code 1w}), a date ({@code 2026-11-01}, from its start in the local time zone) or a local date and time
 * ({@code 2026-11-01T09:30}).
 */
final class Since {
    private static final Pattern AGO = Pattern.compile("(\\d{1,6})\\s*([mhdw])");

    private Since() {
    }

    /** @param example the command line shown after a bad value, e.g. {@code llmo log list --since 2d} */
    static Instant parse(String text, Instant now, ZoneId zone, String example) {
        String typed = text.strip();
        Matcher ago = AGO.matcher(typed);
        if (ago.matches()) {
            long count = Long.parseLong(ago.group(1));
            Duration unit = switch (ago.group(2)) {
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            return now.minus(unit.multipliedBy(count));
        }
        try {
            return typed.contains("T") ? LocalDateTime.parse(typed).atZone(zone).toInstant()
                    : LocalDate.parse(typed).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException("--since must be a time ago (30m, 12h, 2d, 1w) or a date (2026-11-01), not '"
                    + typed + "'", "e.g. " + example, e);
        }
    }

    /** Days are local: TZ from the environment when it names a zone, else the system's zone. */
    static ZoneId localZone(Map<String, String> env) {
        String tz = env.get("TZ");
        if (tz != null && !tz.isBlank()) {
            try {
                return ZoneId.of(tz.strip());
            } catch (DateTimeException e) {
                // a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" or ":/etc/localtime": the JVM's reading of it
            }
        }
        return ZoneId.systemDefault();
    }
}
