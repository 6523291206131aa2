package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.context.ContextAssembler;
import dev.llmo.context.ContextBudget;
import dev.llmo.context.ContextReport;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounter;
import dev.llmo.context.TokenCounters;
import dev.llmo.cost.CostGuard;
import dev.llmo.provider.ChatRequest;

/**
 * The preflight of every real call: the {@link ContextAssembler} keeps the system prompt, the newest message and
 * as many recent whole turns as fit; the {@link CostGuard} prices the fitted request at its worst case against the
 * run's and the day's budgets; the provider's reported usage then settles the cost and calibrates the estimates.
 */
public final class FittedAndBudgeted implements Preflight {
    private final TokenCounters counters;
    private final CostGuard guard;
    private final ContextBudget budget;

    public FittedAndBudgeted(TokenCounters counters, CostGuard guard, ContextBudget budget) {
        this.counters = counters;
        this.guard = guard;
        this.budget = budget;
    }

    /**
     * What is counted besides the messages: the tools, and a response schema, which is sent too and costs tokens as a
     * tool's parameters do (counted as one).
     */
    public static java.util.List<dev.llmo.provider.ToolDeclaration> countedDeclarations(ChatRequest request) {
        if (request.schema() == null) {
            return request.tools();
        }
        java.util.List<dev.llmo.provider.ToolDeclaration> all = new java.util.ArrayList<>(request.tools());
        all.add(new dev.llmo.provider.ToolDeclaration(request.schema().name(), "", request.schema().schemaJson()));
        return all;
    }

    @Override
    public Admission admit(ModelRef model, ChatRequest request) {
        ModelCaps caps = ModelCaps.of(model, request.options());
        if (!guard.active() && surelyFits(request, caps)) {
            // No budget to price and no chance of overflowing: loading a tokenizer (up to half a second) buys nothing.
            return Admission.unlimited(request);
        }
        TokenCounter counter = counters.forModel(model);
        ContextReport context = new ContextAssembler(counter).build(request.system(), countedDeclarations(request),
                request.messages(), caps, budget);
        ChatRequest fitted = new ChatRequest(request.model(), request.system(), context.messages(), request.options(),
                request.maxOutputTokens(), request.stream(), request.tools(), request.schema());
        CostGuard.Reservation reservation = guard.reserve(model.id(), model.spec().pricing(), context.inputTokens(),
                caps.outputBound(context.inputTokens()));
        return new Admission(fitted, usage -> {
            if (usage != null) {
                counter.observe(fitted, usage);
            }
            return guard.settle(reservation, usage);
        }, () -> guard.release(reservation), () -> guard.recorded(reservation));
    }

    /**
     * A token is at least one byte in every tokenizer llmo meets (byte-level BPE, byte fallback), so UTF-8 bytes
     * plus a generous framing allowance bound the count from above.
     */
    private boolean surelyFits(ChatRequest request, ModelCaps caps) {
        if (caps.contextWindow() == null) {
            return budget.maxTokensIn() == null;
        }
        if (!request.tools().isEmpty()) {
            return false; // schemas, calls and results are not in the bound below: a tool round is counted
        }
        long bound = 16 + bytes(request.system()) + (request.schema() == null ? 0 : bytes(request.schema().schemaJson()));
        for (var message : request.messages()) {
            bound += 16 + bytes(message.content());
        }
        long limit = caps.contextWindow() - caps.reservedOutputTokens();
        if (budget.maxTokensIn() != null) {
            limit = Math.min(limit, budget.maxTokensIn());
        }
        return bound <= limit;
    }

    private static long bytes(String text) {
        return text == null ? 0 : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** What this run has spent so far (settled calls and calls still holding their worst case). */
    public java.math.BigDecimal spent() {
        return guard.spent();
    }
}
