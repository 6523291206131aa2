package dev.llmo.core;

import dev.llmo.eventlog.EventData;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one fold of a conversation's events into its history: what a {@link Conversation} keeps as it writes, what a
 * continuation rebuilds from the log, and what {@link Replay} rebuilds each request from. Fed the typed events in
 * log order, with their seqs. Not thread-safe: its owner locks.
 *
 * <p>The rule (docs/usage/event-log.md): a user message not followed by an answer with text before the next user
 * message leaves the history, so no request carries two user messages in a row; an answer that a
 * {@code message.retract} names leaves it too. Events stay in the log either way.
 */
final class ConversationHistory {
    /** One message of the history and the seq of the event that holds it. */
    record Turn(ChatMessage message, long seq) {
    }

    private final List<Turn> turns = new ArrayList<>();
    // every message and answer with text by seq, retracted ones removed: what a request's context ranges name
    private final Map<Long, ChatMessage> bySeq = new HashMap<>();
    private final Map<Long, String> systems = new HashMap<>();
    // the seqs of every event with content a request can send (messages, answers, tool results), retracted ones
    // removed: a request's context ranges never span one it did not send
    private final java.util.TreeSet<Long> content = new java.util.TreeSet<>();
    // request seq -> the seq of its answer; request seq -> the seq of the tool turn answering that answer's calls
    private final Map<Long, Long> answerOf = new HashMap<>();
    private final Map<Long, Long> toolTurnOf = new HashMap<>();
    private String system;
    private Long systemSeq;
    private long costMicroUsd;

    /** Folds in the event with seq {@code seq}; a response joins the history. */
    void add(long seq, EventData event) {
        if (event instanceof EventData.Response response) {
            answer(seq, response, true);
        } else if (event instanceof EventData.Message message) {
            content.add(seq);
            String content = message.text();
            if (message.role() == Role.SYSTEM) {
                systems.put(seq, content);
                system = content.isEmpty() ? null : content;
                systemSeq = content.isEmpty() ? null : seq;
            } else if (message.role() == Role.USER) {
                dropUnanswered();
                // attachments (and fragments) go with the text; a turn of text alone stays one text part
                ChatMessage user = hasAttachment(message.parts())
                        ? new ChatMessage(ChatMessage.Role.USER, message.parts()) : ChatMessage.user(content);
                turns.add(new Turn(user, seq));
                bySeq.put(seq, user);
            } else {
                turns.add(new Turn(ChatMessage.assistant(content), seq));
                bySeq.put(seq, ChatMessage.assistant(content));
            }
        } else if (event instanceof EventData.ToolResult result) {
            toolResult(seq, result);
        } else if (event instanceof EventData.Retract retract) {
            turns.removeIf(turn -> turn.seq() == retract.seq());
            bySeq.remove(retract.seq());
            content.remove(retract.seq());
        }
    }

    /**
     * Folds in a response: its cost counts, and its text (when it has some) is what later requests send as the
     * assistant's turn; it joins the history only when {@code joinsHistory} (one answer of a fan-out does not).
     */
    void answer(long seq, EventData.Response response, boolean joinsHistory) {
        costMicroUsd += response.costMicroUsd() == null ? 0 : response.costMicroUsd();
        content.add(seq);
        answerOf.put(response.request(), seq);
        ChatMessage answer = AnswerTurn.of(response.parts(), response.complete());
        if (answer == null) {
            return;
        }
        bySeq.put(seq, answer);
        if (joinsHistory) {
            turns.add(new Turn(answer, seq));
        }
    }

    /**
     * A tool call's result joins the tool turn answering the calls of the answer to its request: the first result
     * starts the turn (its seq names the turn in a request's context), later ones are added to it. The turn follows
     * its answer in the history when that answer joined it.
     */
    void toolResult(long seq, EventData.ToolResult event) {
        content.add(seq);
        Long turnSeq = toolTurnOf.get(event.request());
        if (turnSeq != null) {
            ChatMessage before = bySeq.get(turnSeq);
            List<Part.ToolResult> results = new ArrayList<>(before.parts(Part.ToolResult.class));
            results.add(event.result());
            ChatMessage turn = ChatMessage.toolResults(results);
            bySeq.put(turnSeq, turn);
            for (int i = turns.size() - 1; i >= 0; i--) {
                if (turns.get(i).seq() == turnSeq) {
                    turns.set(i, new Turn(turn, turnSeq));
                    break;
                }
            }
            return;
        }
        ChatMessage turn = ChatMessage.toolResults(List.of(event.result()));
        toolTurnOf.put(event.request(), seq);
        bySeq.put(seq, turn);
        Long answered = answerOf.get(event.request());
        if (answered != null && turns.stream().anyMatch(t -> t.seq() == answered)) {
            turns.add(new Turn(turn, seq));
        }
    }

    /** The seqs of every event whose content a request can send, oldest first: what context ranges must not span. */
    java.util.SortedSet<Long> contentSeqs() {
        return content;
    }

    /**
     * Takes a tool round that never got its answer off the end of the history (the loop was stopped, or reached its
     * round limit): tool calls without every result, or results the model never answered. Every wire format refuses
     * tool calls without results, and a new user message after unanswered results would leave the model to answer
     * two things at once. The events stay in the log.
     */
    private void dropUnfinishedToolRound() {
        while (!turns.isEmpty()) {
            ChatMessage last = turns.get(turns.size() - 1).message();
            boolean toolTurn = last.role() == ChatMessage.Role.TOOL;
            boolean callsTools = last.role() == ChatMessage.Role.ASSISTANT
                    && !last.parts(Part.ToolCall.class).isEmpty();
            if (!toolTurn && !callsTools) {
                return;
            }
            turns.remove(turns.size() - 1);
        }
    }

    /** Takes what got no answer off the end: a tool round never finished, then the user message it answered. */
    void dropUnanswered() {
        dropUnfinishedToolRound();
        dropUnansweredUser();
    }

    /** Takes a user message that got no answer off the end of the history. */
    private void dropUnansweredUser() {
        if (!turns.isEmpty() && turns.get(turns.size() - 1).message().role() == ChatMessage.Role.USER) {
            turns.remove(turns.size() - 1);
        }
    }

    /** The history, oldest first. */
    List<Turn> turns() {
        return turns;
    }

    /** The message or answer of the event {@code seq}, or null when it is none (or was retracted). */
    ChatMessage message(long seq) {
        return bySeq.get(seq);
    }

    /** The system prompt of the system message event {@code seq}, or null. */
    String system(long seq) {
        return systems.get(seq);
    }

    /** The system prompt in force, or null. */
    String system() {
        return system;
    }

    /** The seq of the system message in force, or null. */
    Long systemSeq() {
        return systemSeq;
    }

    /** The sum of the known costs of the responses folded in, in micro-USD. */
    long costMicroUsd() {
        return costMicroUsd;
    }

    /** A loop, not a stream: every run's start comes here (ADR-003, lambdas at start-up). */
    private static boolean hasAttachment(List<Part> parts) {
        for (Part part : parts) {
            if (part instanceof Part.Attachment) {
                return true;
            }
        }
        return false;
    }
}
