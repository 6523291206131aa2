package dev.llmo.cli;

import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.failure.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which conversations {@code llmo log list} shows: the newest {@code limit} of those that started at or after
 * {@code since}, used {@code model} and mention {@code grep} in a message or an answer.
 *
 * @param limit at most this many (the newest), or null for all
 * @param since only those started at or after this instant, or null
 * @param model only those that used this model ({@code provider/model}) or a model of this provider, or null
 * @param grep  only those with this text (case-insensitive) in a message or an answer, or null
 */
record LogListing(Integer limit, Instant since, String model, String grep) {
    private static final Pattern AGO = Pattern.compile("(\\d{1,6})\\s*([mhdw])");

    LogListing {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be 1 or more, not " + limit, "e.g. --limit 20");
        }
        if (model != null && model.isBlank() || grep != null && grep.isEmpty()) {
            throw new UsageException("--model and --grep need some text", "e.g. --model openai --grep 'binary search'");
        }
    }

    /** The summaries of the conversations that match, oldest first. */
    List<ConversationSummary> select(ConversationStore store) {
        List<ConversationSummary> matching = new ArrayList<>();
        String needle = grep == null ? null : grep.toLowerCase(Locale.ROOT);
        for (String id : store.ids()) {
            List<Event> events = EventLog.read(store.file(id));
            List<EventData> decoded = events.stream().map(EventCodec::decode).toList();
            ConversationSummary summary = ConversationSummary.of(id, events, decoded);
            if (since != null && (summary.started() == null || Instant.parse(summary.started()).isBefore(since))) {
                continue;
            }
            if (model != null && summary.models().stream().noneMatch(this::modelMatches)) {
                continue;
            }
            if (needle != null && decoded.stream().noneMatch(data -> mentions(data, needle))) {
                continue;
            }
            matching.add(summary);
        }
        return limit == null || matching.size() <= limit ? matching
                : matching.subList(matching.size() - limit, matching.size());
    }

    private boolean modelMatches(String used) {
        String wanted = model.strip();
        return used.equalsIgnoreCase(wanted) || used.toLowerCase(Locale.ROOT).startsWith(
                wanted.toLowerCase(Locale.ROOT) + "/");
    }

    private static boolean mentions(EventData data, String needle) {
        String text = data instanceof EventData.Message message ? message.text()
                : data instanceof EventData.Response response ? response.text() : null;
        return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
    }

    /**
     * {@code --since}: a time ago ({@code 30m}, {@code 12h}, {@code 2d}, {@code 1w}), a date ({@code 2026-11-01}, from
     * its start in the local time zone, as {@code llmo cost --since} reads it) or a local date and time
     * ({@code 2026-11-01T09:30}).
     */
    static Instant since(String text, Instant now, ZoneId zone) {
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
                    + typed + "'", "e.g. llmo log list --since 2d", e);
        }
    }
}
