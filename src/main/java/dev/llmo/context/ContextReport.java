package dev.llmo.context;

import dev.llmo.provider.ChatMessage;
import java.util.AbstractList;
import java.util.List;

/**
 * What {@link ContextAssembler#build} kept of a conversation and what it dropped. Kept messages are always the
 * most recent whole turns, so the dropped ones are the oldest: indices {@code 0} to {@code keptFrom - 1} of the
 * history it was given.
 *
 * @param system          the system prompt to send (as given; it is never dropped)
 * @param messages        the messages to send, oldest first: a suffix of the history
 * @param inputTokens     the request's input tokens: system prompt, kept messages and reply priming
 * @param exact           true when {@code inputTokens} is exact, false for an estimate
 * @param limit           the most input tokens allowed (window minus the answer's reserve, or the token budget,
 *                        whichever is smaller); null when nothing limits
 * @param keptFrom        the index in the history of the first kept message
 * @param keptTurns       whole turns kept, the newest (unanswered) one included
 * @param droppedTurns    whole turns dropped
 * @param droppedTokens   what the dropped messages would have cost
 */
public record ContextReport(String system, List<ChatMessage> messages, long inputTokens, boolean exact, Long limit,
                            int keptFrom, int keptTurns, int droppedTurns, long droppedTokens) {
    public ContextReport {
        messages = List.copyOf(messages);
    }

    /** How many messages are sent. */
    public int keptMessages() {
        return messages.size();
    }

    /** How many of the oldest messages were left out to fit. */
    public int droppedMessages() {
        return keptFrom;
    }

    /** The history indices of the dropped messages, ascending (a view: no list of numbers is built). */
    public List<Integer> droppedIndices() {
        int count = keptFrom;
        return new AbstractList<>() {
            @Override
            public Integer get(int index) {
                if (index < 0 || index >= count) {
                    throw new IndexOutOfBoundsException(index);
                }
                return index;
            }

            @Override
            public int size() {
                return count;
            }
        };
    }
}
