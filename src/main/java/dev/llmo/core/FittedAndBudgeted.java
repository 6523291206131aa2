package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.context.ContextAssembler;
import dev.llmo.context.ContextBudget;
import dev.llmo.context.ContextReport;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounter;
import dev.llmo.context.TokenCounters;
import dev.llmo.cost.CostGuard;
import dev.llmo.failure.BudgetException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;

/**
 * The preflight of every real call: the {@link ContextAssembler} keeps the system prompt, the newest message and
 * as many recent whole turns as fit; the {@link CostGuard} prices the fitted request at its worst case against the
 * run's and the day's budgets; the provider's reported usage then settles the cost and calibrates the estimates.
 */
public final class FittedAndBudgeted implements Preflight {
    /** The largest byte bound a budgeted request is held at without counting it ({@link #admitAtBound}). */
    static final long SMALL_REQUEST_TOKENS = 4096;

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
        guard.checkPriced(model.id(), model.spec().pricing());
        ModelCaps caps = ModelCaps.of(model, request.options());
        long bound = tokenBound(request);
        boolean surelyFits = bound >= 0 && surelyFits(bound, caps);
        if (surelyFits && !guard.active()) {
            // No budget to price and no chance of overflowing: loading a tokenizer (up to half a second) buys nothing.
            return Admission.unlimited(request);
        }
        if (surelyFits && bound <= SMALL_REQUEST_TOKENS) {
            Admission held = admitAtBound(model, request, caps, bound);
            if (held != null) {
                return held;
            }
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
     * A small request under a budget is held at its byte bound instead of its count: a tokenizer costs a budgeted
     * run more than the rest of it (ADR-003, "Fourteenth round"), and for a few KB the bound holds little more. When
     * the bound does not pass the budget, the exact count decides (null), so a refusal always gives the count. With
     * the answer's limit unknown, the output is bounded by the whole window: a larger input must not make the bound
     * smaller. A call that reports no usage is charged its exact worst case, counted then.
     */
    private Admission admitAtBound(ModelRef model, ChatRequest request, ModelCaps caps, long bound) {
        CostGuard.Reservation reservation;
        try {
            reservation = guard.reserve(model.id(), model.spec().pricing(), bound, caps.outputBound(0));
        } catch (BudgetException refused) {
            return null;
        }
        return new Admission(request, usage -> {
            if (usage != null) {
                return guard.settle(reservation, usage);
            }
            TokenCounter counter = counters.forModel(model);
            long exact = counter.count(request.system(), request.messages())
                    + counter.toolTokens(countedDeclarations(request));
            return guard.settleUnreported(reservation, exact, caps.outputBound(exact));
        }, () -> guard.release(reservation), () -> guard.recorded(reservation));
    }

    /**
     * A token is at least one byte in every tokenizer llmo meets (byte-level BPE, byte fallback), so UTF-8 bytes
     * plus a generous framing allowance bound the count from above. -1 when the request holds what bytes do not
     * bound: tools (schemas, calls and results are counted), attachments but text ones (a text file or a fragment
     * is sent as a text part: {@link TokenCounters#textAttachmentBound}).
     */
    private long tokenBound(ChatRequest request) {
        if (!request.tools().isEmpty()) {
            return -1;
        }
        long bound = 16 + bytes(request.system()) + (request.schema() == null ? 0 : bytes(request.schema().schemaJson()));
        for (ChatMessage message : request.messages()) {
            bound += 16;
            for (Part part : message.parts()) {
                if (part instanceof Part.Text text) {
                    bound += bytes(text.text());
                } else if (part instanceof Part.Reasoning reasoning) {
                    bound += bytes(reasoning.text()) + bytes(reasoning.signature());
                } else if (part instanceof Part.Refusal refusal) {
                    bound += bytes(refusal.text());
                } else if (part instanceof Part.Attachment attachment) {
                    long text = counters.textAttachmentBound(attachment);
                    if (text < 0) {
                        return -1;
                    }
                    bound += 16 + text;
                } else {
                    return -1;
                }
            }
        }
        return bound;
    }

    private boolean surelyFits(long bound, ModelCaps caps) {
        if (caps.contextWindow() == null) {
            return budget.maxTokensIn() == null;
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
