package dev.llmo.cli;

import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.failure.UsageException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which conversations {@code llmo log list} shows: the newest {@code limit} of those that started at or after
 * {@code since}, used {@code model} and mention {@code grep} in a message or an answer.
 *
 * @param limit at most this many (the newest), or null for all
 * @param since only those started at or after this instant, or null
 * @param model only those that used this model ({@code provider/model}, or a bare model name under any provider) or
 *              a model of this provider, or null
 * @param grep  only those with this text (case-insensitive) in a message, an answer or a name saved with
 *              {@code /save}, or null
 * @param named the models ({@code provider/model}) that {@code model} names in the configuration as a model's name or
 *              alias ({@code sonnet}): those match too, as they would in {@code -m}
 */
record LogListing(Integer limit, Instant since, String model, String grep, Set<String> named) {
    LogListing {
        named = named == null ? Set.of() : Set.copyOf(named);
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be 1 or more, not " + limit, "e.g. --limit 20");
        }
        if (model != null && model.isBlank() || grep != null && grep.isEmpty()) {
            throw new UsageException("--model and --grep need some text", "e.g. --model openai --grep 'binary search'");
        }
    }

    /**
     * A conversation listed.
     *
     * @param names the names saved for it with {@code /save} that lead to it (a newer conversation can take a name
     *              over), oldest first
     */
    record Listed(ConversationSummary summary, List<String> names) {
        Listed {
            names = List.copyOf(names);
        }
    }

    /**
     * The conversations that match, oldest first; {@code notes} hears of a conversation listed without a line too
     * long to be an event (junk appended to it: llmo never writes such a line).
     */
    List<Listed> select(ConversationStore store, java.util.function.Consumer<String> notes) {
        List<Listed> matching = new ArrayList<>();
        String needle = grep == null ? null : grep.toLowerCase(Locale.ROOT);
        // the names as --cid and log show resolve them (SavedChats): the newest conversation with a name has it, and
        // every conversation newer than one listed is read before it, here
        Set<String> taken = new HashSet<>();
        // newest first, so that --limit reads only the logs it shows (and those it passes over) and not all of them
        List<String> ids = store.ids();
        for (int i = ids.size() - 1; i >= 0 && (limit == null || matching.size() < limit); i--) {
            String id = ids.get(i);
            java.util.function.LongConsumer overlong = skipped -> notes.accept(id + ": " + skipped
                    + (skipped == 1 ? " line" : " lines") + " longer than any event skipped; run 'llmo log verify "
                    + id + "'");
            List<EventData> decoded = null;
            ConversationSummary summary;
            if (needle == null) {
                summary = ConversationSummary.read(store.file(id), overlong); // no answer's text read
            } else {
                List<Event> events = new ArrayList<>();
                long skipped = EventLog.forEach(store.file(id), events::add);
                if (skipped > 0) {
                    overlong.accept(skipped);
                }
                decoded = events.stream().map(EventCodec::decode).toList();
                summary = ConversationSummary.of(id, events, decoded);
            }
            List<String> names = summary.savedName() == null || !taken.add(summary.savedName()) ? List.of()
                    : List.of(summary.savedName());
            if (since != null && (summary.started() == null || Instant.parse(summary.started()).isBefore(since))) {
                continue;
            }
            if (model != null && summary.models().stream().noneMatch(this::modelMatches)) {
                continue;
            }
            if (decoded != null && decoded.stream().noneMatch(data -> mentions(data, needle))
                    && names.stream().noneMatch(name -> name.toLowerCase(Locale.ROOT).contains(needle))) {
                continue;
            }
            matching.add(new Listed(summary, names));
        }
        Collections.reverse(matching);
        return matching;
    }

    private boolean modelMatches(String used) {
        String wanted = model.strip();
        int slash = used.indexOf('/');
        return used.equalsIgnoreCase(wanted) || named.contains(used)
                || used.toLowerCase(Locale.ROOT).startsWith(wanted.toLowerCase(Locale.ROOT) + "/")
                || wanted.indexOf('/') < 0 && used.substring(slash + 1).equalsIgnoreCase(wanted);
    }

    private static boolean mentions(EventData data, String needle) {
        String text = data instanceof EventData.Message message ? message.text()
                : data instanceof EventData.Response response ? response.text() : null;
        return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
    }
}
