package dev.llmo.eventlog;

import dev.llmo.message.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation at a glance, for {@code llmo log list}: when it started, with which command, every model it
 * used (named by a {@code session.start} or sent a request), its first prompt and what it cost.
 *
 * @param started the {@code ts} of the first event, or null for an empty log
 * @param firstPrompt the first user message, or null
 * @param costMicroUsd the sum of the responses' {@code cost_micro_usd} (those of known price)
 * @param events how many events could be read
 * @param ended whether a {@code session.end} was written
 * @param responses how many responses were logged
 * @param unknownPriceResponses how many of them have no {@code cost_micro_usd} (a model without pricing): an
 *                              unknown price is not zero
 * @param savedName the name it was saved under last ({@code /save}), or null; a newer conversation may have taken
 *                  it over ({@link SavedChats})
 */
public record ConversationSummary(String id, String started, String command, List<String> models,
                                  String firstPrompt, long costMicroUsd, long events, boolean ended, long responses,
                                  long unknownPriceResponses, String savedName) {

    /** Whether no response's price is known although there are responses. */
    public boolean costUnknown() {
        return responses > 0 && unknownPriceResponses >= responses;
    }

    /** Summarises {@code events}, the content of the log of conversation {@code id}. */
    public static ConversationSummary of(String id, List<Event> events) {
        return of(id, events, events.stream().map(EventCodec::decode).toList());
    }

    /**
     * Summarises {@code events} already decoded, for a reader that needs the typed events too and decodes each once.
     *
     * @param decoded {@code events}, each as {@link EventCodec#decode} reads it, in the same order
     */
    public static ConversationSummary of(String id, List<Event> events, List<EventData> decoded) {
        String started = events.isEmpty() ? null : events.get(0).ts();
        String command = null;
        // every model the conversation used: a chat's /model switch and a continued run add theirs
        java.util.Set<String> models = new java.util.LinkedHashSet<>();
        String firstPrompt = null;
        long cost = 0;
        long responses = 0;
        long unknown = 0;
        boolean ended = false;
        for (EventData data : decoded) {
            if (data instanceof EventData.SessionStart start) {
                if (command == null) {
                    command = start.command();
                }
                models.addAll(start.models());
            } else if (data instanceof EventData.Request request) {
                if (request.model() != null) {
                    models.add(request.model());
                }
            } else if (data instanceof EventData.Message message) {
                if (firstPrompt == null && message.role() == Role.USER) {
                    firstPrompt = message.text();
                }
            } else if (data instanceof EventData.Response response) {
                responses++;
                if (response.costMicroUsd() != null) {
                    cost += response.costMicroUsd();
                } else {
                    unknown++;
                }
            } else if (data instanceof EventData.SessionEnd) {
                ended = true;
            }
        }
        return new ConversationSummary(id, started, command, List.copyOf(models), firstPrompt, cost, events.size(),
                ended, responses, unknown, SavedChats.nameIn(events));
    }

    /**
     * Reads and summarises the log {@code file} reading no content but its first prompt's: a listing of thousands of
     * conversations with long answers does not parse their text (ADR-003, "Twenty-fourth round").
     *
     * @param overlong hears how many lines were skipped for being longer than any event, when there were some
     */
    public static ConversationSummary read(Path file, java.util.function.LongConsumer overlong) {
        List<Event> events = new ArrayList<>();
        boolean[] prompted = {false};
        // read whole until a user message is read whole: one whose line does not read whole is no event, as before
        long skipped = EventLog.forEach(file, event -> !prompted[0] && userMessage(event), event -> {
            prompted[0] |= userMessage(event);
            events.add(event);
        });
        if (skipped > 0) {
            overlong.accept(skipped);
        }
        return of(EventLog.idOf(file), events);
    }

    private static boolean userMessage(Event event) {
        return "message".equals(event.type()) && "user".equals(event.data().path("role").asText());
    }
}
