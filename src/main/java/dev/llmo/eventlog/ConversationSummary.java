package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
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
 */
public record ConversationSummary(String id, String started, String command, List<String> models,
                                  String firstPrompt, long costMicroUsd, long events, boolean ended, long responses,
                                  long unknownPriceResponses) {

    /** Whether no response's price is known although there are responses. */
    public boolean costUnknown() {
        return responses > 0 && unknownPriceResponses >= responses;
    }

    /** Summarises {@code events}, the content of the log of conversation {@code id}. */
    public static ConversationSummary of(String id, List<Event> events) {
        String started = null;
        String command = null;
        // every model the conversation used: a chat's /model switch and a continued run add theirs
        java.util.Set<String> models = new java.util.LinkedHashSet<>();
        String firstPrompt = null;
        long cost = 0;
        long responses = 0;
        long unknown = 0;
        boolean ended = false;
        for (Event event : events) {
            JsonNode data = event.data();
            if (started == null) {
                started = event.ts();
            }
            switch (event.type()) {
                case "session.start" -> {
                    if (command == null) {
                        command = data.path("command").asText(null);
                    }
                    data.path("models").forEach(m -> models.add(m.asText()));
                }
                case "request" -> {
                    if (data.path("model").isTextual()) {
                        models.add(data.path("model").asText());
                    }
                }
                case "message" -> {
                    if (firstPrompt == null && "user".equals(data.path("role").asText())) {
                        firstPrompt = data.path("content").asText();
                    }
                }
                case "response" -> {
                    responses++;
                    if (data.path("cost_micro_usd").isIntegralNumber()) {
                        cost += data.path("cost_micro_usd").asLong();
                    } else {
                        unknown++;
                    }
                }
                case "session.end" -> ended = true;
                default -> {
                }
            }
        }
        return new ConversationSummary(id, started, command, List.copyOf(models), firstPrompt, cost, events.size(),
                ended, responses, unknown);
    }

    /** Reads and summarises the log {@code file}. */
    public static ConversationSummary read(Path file) {
        return of(EventLog.idOf(file), EventLog.read(file));
    }
}
