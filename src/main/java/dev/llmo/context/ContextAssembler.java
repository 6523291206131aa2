package dev.llmo.context;

import dev.llmo.cost.Usd;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ContextWindowException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ToolDeclaration;
import java.util.List;

/**
 * Fits a conversation into a model's window and a token budget. Always sent: the system prompt, the declared tools
 * and the newest turn (the last user message and anything after it, in a tool loop every round of calls and results
 * since); then as many of the most recent whole turns as fit in
 * {@code min(context window − reserved output, budget.maxTokensIn)}. A turn is a user message and the assistant and
 * tool messages answering it, and is never split: dropping half of one would show the model an answer without its
 * question, or a tool's result without the call it answers (which every provider refuses). A tool turn is not a
 * user turn: it never starts one. What cannot fit even alone is refused before anything is sent.
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
        return build(system, List.of(), history, caps, budget);
    }

    /**
     * Chooses what to send to a model offered {@code tools}, whose declarations are always sent and counted.
     *
     * @see #build(String, List, ModelCaps, ContextBudget)
     */
    public ContextReport build(String system, List<ToolDeclaration> tools, List<ChatMessage> history, ModelCaps caps,
                               ContextBudget budget) {
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
        long total = counter.systemTokens(system) + counter.toolTokens(tools) + counter.replyPriming();
        for (int i = newest; i < n; i++) {
            total += tokens[i];
        }
        boolean withTools = !tools.isEmpty() || hasToolParts(history, 0);
        Long limit = limit(caps, budget);
        if (limit != null && total > limit) {
            throw tooLarge(total, limit, caps, budget, withTools);
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
        // no provider documents how it renders tools: with any, the count is an estimate even for OpenAI
        boolean exact = counter.exact() && tools.isEmpty() && !hasToolParts(history, keptFrom);
        return new ContextReport(system, history.subList(keptFrom, n), total, exact, limit, keptFrom,
                keptTurns, droppedTurns, dropped);
    }

    /** Whether a message from {@code from} on holds a tool call or a tool result. */
    private static boolean hasToolParts(List<ChatMessage> history, int from) {
        for (int i = from; i < history.size(); i++) {
            ChatMessage message = history.get(i);
            if (message.role() == ChatMessage.Role.TOOL || !message.parts(Part.ToolCall.class).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** min(window − reserve, maxTokensIn), or null when neither is known. */
    static Long limit(ModelCaps caps, ContextBudget budget) {
        Long limit = caps.contextWindow() == null ? null : caps.contextWindow() - caps.reservedOutputTokens();
        if (budget.maxTokensIn() != null && (limit == null || budget.maxTokensIn() < limit)) {
            limit = budget.maxTokensIn();
        }
        return limit;
    }

    private BudgetException tooLarge(long total, long limit, ModelCaps caps, ContextBudget budget, boolean withTools) {
        String count = withTools
                ? tokens(total) + " (estimated: system prompt, tools and the newest message with its tool calls and "
                        + "results)"
                : tokens(total) + (counter.exact() ? "" : " (estimated)") + " (system prompt and newest message)";
        // the window speaks when it is the tighter limit (or as tight): its numbers explain more
        boolean byWindow = caps.contextWindow() != null
                && caps.contextWindow() - caps.reservedOutputTokens() == limit;
        if (!byWindow) {
            return new BudgetException("the prompt needs " + count + " but the input budget for " + caps.model()
                    + " is " + tokens(limit) + "; nothing was sent",
                    "shorten the prompt or the system prompt, or raise the input token budget");
        }
        String room = limit <= 0 ? "no room" : "room for " + tokens(limit);
        return new ContextWindowException("the prompt needs " + count + " but " + caps.model() + " has " + room + ": a "
                + Usd.count(caps.contextWindow()) + "-token context window minus "
                + tokens(caps.reservedOutputTokens()) + " reserved for the answer; nothing was sent",
                "shorten the prompt or the system prompt, lower the answer's reserve with -o max_tokens=N, "
                        + "or pick a model with a larger window ('llmo models')");
    }

    static String tokens(long count) {
        return Usd.count(count) + (count == 1 ? " token" : " tokens");
    }
}
