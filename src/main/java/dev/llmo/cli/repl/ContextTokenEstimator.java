package dev.llmo.cli.repl;

import dev.llmo.config.ModelRef;
import dev.llmo.context.ContextAssembler;
import dev.llmo.context.ContextBudget;
import dev.llmo.context.ContextReport;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounters;
import dev.llmo.failure.BudgetException;
import dev.llmo.provider.ChatMessage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /tokens} as the next request would really be sent: the history fitted into the model's window by the same
 * {@link ContextAssembler} every call goes through, counted exactly for OpenAI models (tiktoken) and estimated for
 * the others.
 */
public final class ContextTokenEstimator implements TokenEstimator {
    private final TokenCounters counters;

    public ContextTokenEstimator(TokenCounters counters) {
        this.counters = counters;
    }

    @Override
    public Estimate estimate(ModelRef model, String system, List<ChatMessage> messages) {
        return estimate(model, system, List.of(), messages);
    }

    @Override
    public Estimate estimate(ModelRef model, String system, List<dev.llmo.provider.ToolDeclaration> tools,
                             List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            messages = List.of(ChatMessage.user(""));
        }
        ContextAssembler assembler = new ContextAssembler(counters.forModel(model));
        try {
            ContextReport report = assembler.build(system, tools, messages, ModelCaps.of(model, Map.of()),
                    ContextBudget.NONE);
            String dropped = report.droppedMessages() == 0 ? "nothing dropped"
                    : String.format(Locale.ROOT, "%,d old message%s (%,d tokens) dropped to fit the window",
                    report.droppedMessages(), report.droppedMessages() == 1 ? "" : "s", report.droppedTokens());
            return new Estimate(report.inputTokens(), report.exact(), (report.exact() ? "exact count"
                    : "estimate with a safety margin") + "; " + dropped);
        } catch (BudgetException e) {
            return new Estimate(0, false, e.getMessage());
        }
    }
}
