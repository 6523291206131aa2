package dev.llmo.context;

import dev.llmo.failure.BudgetException;
import dev.llmo.provider.ChatMessage;
import java.util.List;
import java.util.Locale;

/**
 * Fits a conversation into a model's window and a token budget. Always sent: the system prompt and the newest
 * turn (the last user message and anything after it); then as many of the most recent whole turns as fit in
 * {@code min(context window − reserved output, budget.maxTokensIn)}. A turn is a user message and the assistant
 * messages answering it, and is never split: dropping half of one would show the model an answer without its
 * question. What cannot fit even alone is refused before anything is sent.
 *
 * <pre>{@code
 * ContextAssembler assembler = new ContextAssembler(counters.forModel(model));
 * ContextReport fitted = assembler.build(system, history, ModelCaps.of(model, options), ContextBudget.NONE);
 * ChatRequest request = new ChatRequest(model.modelName(), fitted.system(), fitted.messages(), options, ...);
 * }</pre>
 *
 * <p>Cost: one pass over the history; per-message counts come from the counter's cache, so a conversation that
 * grows by one turn is only tokenised for that turn.
 */
public final class ContextAssembler {
    private final TokenCounter counter;

    /** An assembler that counts with {@code counter} (see {@link TokenCounters#forModel}). */
    public ContextAssembler(TokenCounter counter) {
        this.counter = counter;
    }

    /** The counter it counts with. */
    public TokenCounter counter() {
        return counter;
    }

    /**
     * Chooses what to send.
     *
     * @param system   the system prompt, or null; the caller keeps a continued conversation's system prompt
     * @param history  the conversation, oldest first, ending with the newest user message (or with an assistant
     *                 prefill after it)
     * @param caps     the model's window and the answer's reserve
     * @param budget   a limit on input tokens, or {@link ContextBudget#NONE}
     * @throws BudgetException (exit 5) when the system prompt and the newest turn alone do not fit
     * @throws IllegalArgumentException when the history is empty
     */
    public ContextReport build(String system, List<ChatMessage> history, ModelCaps caps, ContextBudget budget) {
        int n = history.size();
        if (n == 0) {
            throw new IllegalArgumentException("a request needs at least one message");
        }
        long[] tokens = new long[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = counter.messageTokens(history.get(i));
        }
        int newest = n - 1;
        while (newest > 0 && history.get(newest).role() != ChatMessage.Role.USER) {
            newest--;
        }
        long total = counter.systemTokens(system) + counter.replyPriming();
        for (int i = newest; i < n; i++) {
            total += tokens[i];
        }
        Long limit = limit(caps, budget);
        if (limit != null && total > limit) {
            throw tooLarge(total, limit, caps, budget);
        }
        int keptFrom = newest;
        int keptTurns = 1;
        // walk back a turn at a time: a turn starts at a user message (or at index 0, for leading answers)
        long turn = 0;
        for (int i = newest - 1; i >= 0; i--) {
            turn += tokens[i];
            if (history.get(i).role() == ChatMessage.Role.USER || i == 0) {
                if (limit != null && total + turn > limit) {
                    break;
                }
                total += turn;
                turn = 0;
                keptFrom = i;
                keptTurns++;
            }
        }
        long dropped = 0;
        int droppedTurns = 0;
        for (int i = 0; i < keptFrom; i++) {
            dropped += tokens[i];
            if (history.get(i).role() == ChatMessage.Role.USER || i == 0) {
                droppedTurns++;
            }
        }
        return new ContextReport(system, history.subList(keptFrom, n), total, counter.exact(), limit, keptFrom,
                keptTurns, droppedTurns, dropped);
    }

    /** min(window − reserve, maxTokensIn), or null when neither is known. */
    static Long limit(ModelCaps caps, ContextBudget budget) {
        Long limit = caps.contextWindow() == null ? null : caps.contextWindow() - caps.reservedOutputTokens();
        if (budget.maxTokensIn() != null && (limit == null || budget.maxTokensIn() < limit)) {
            limit = budget.maxTokensIn();
        }
        return limit;
    }

    private BudgetException tooLarge(long total, long limit, ModelCaps caps, ContextBudget budget) {
        String count = tokens(total) + (counter.exact() ? "" : " (estimated)");
        // the window speaks when it is the tighter limit (or as tight): its numbers explain more
        boolean byWindow = caps.contextWindow() != null
                && caps.contextWindow() - caps.reservedOutputTokens() == limit;
        if (!byWindow) {
            return new BudgetException("the prompt needs " + count + " (system prompt and newest message) but the "
                    + "input budget for " + caps.model() + " is " + tokens(limit) + "; nothing was sent",
                    "shorten the prompt or the system prompt, or raise the input token budget");
        }
        String room = limit <= 0 ? "no room" : "room for " + tokens(limit);
        return new BudgetException("the prompt needs " + count + " (system prompt and newest message) but "
                + caps.model() + " has " + room + ": a " + String.format(Locale.ROOT, "%,d", caps.contextWindow()) + "-token context window minus "
                + tokens(caps.reservedOutputTokens()) + " reserved for the answer; nothing was sent",
                "shorten the prompt or the system prompt, lower the answer's reserve with -o max_tokens=N, "
                        + "or pick a model with a larger window ('llmo models')");
    }

    static String tokens(long count) {
        return String.format(Locale.ROOT, "%,d", count) + (count == 1 ? " token" : " tokens");
    }
}
