package dev.llmo.context;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.Pricing;
import dev.llmo.cost.CostEstimate;
import dev.llmo.cost.Usd;
import java.math.BigDecimal;

/**
 * What {@code llmo run --dry-run} shows for one model: the assembled context's size, what was dropped to fit, and
 * the most the request could cost. Nothing is sent to build it.
 *
 * @param model             {@code provider/model}
 * @param inputTokens       the assembled request's input tokens
 * @param exact             true when {@code inputTokens} is exact, false for an estimate
 * @param contextWindow     the model's window; null when unknown
 * @param maxOutputTokens   the answer's limit used for the cost; null when unknown
 * @param droppedMessages   the oldest messages left out to fit
 * @param estimatedCostUsd  the upper bound of the cost; null when the price (or the answer's limit) is unknown
 */
public record DryRunEstimate(String model, long inputTokens, boolean exact, Long contextWindow, Long maxOutputTokens,
                             int droppedMessages, BigDecimal estimatedCostUsd) {

    /**
     * The estimate for a request assembled as {@code context} for a model with {@code caps} and {@code pricing}
     * (null: unknown). A pure function.
     */
    public static DryRunEstimate of(ModelCaps caps, Pricing pricing, ContextReport context) {
        Long output = caps.outputBound(context.inputTokens());
        CostEstimate cost = CostEstimate.of(pricing, context.inputTokens(), output);
        return new DryRunEstimate(caps.model(), context.inputTokens(), context.exact(), caps.contextWindow(), output,
                context.droppedMessages(), cost.usd());
    }

    /**
     * {@code {"model","input_tokens","input_tokens_exact","context_window","max_output_tokens","dropped_messages",
     * "estimated_cost_usd"}}; unknown values are null, the cost is a plain decimal number of at most six places
     * (rounded up).
     */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("model", model);
        json.put("input_tokens", inputTokens);
        json.put("input_tokens_exact", exact);
        json.put("context_window", contextWindow);
        json.put("max_output_tokens", maxOutputTokens);
        json.put("dropped_messages", droppedMessages);
        json.put("estimated_cost_usd", Usd.forJson(estimatedCostUsd));
        return json;
    }

    /**
     * One line for people, e.g. {@code openai/gpt-4o-mini: 1,234 input tokens (exact) of a 128,000-token window,
     * up to 16,384 output tokens; nothing dropped; at most $0.0100}.
     */
    public String human() {
        StringBuilder line = new StringBuilder(model).append(": ").append(Usd.count(inputTokens))
                .append(inputTokens == 1 ? " input token" : " input tokens").append(exact ? " (exact)" : " (estimated)");
        line.append(contextWindow == null ? " of an unknown window"
                : " of a " + Usd.count(contextWindow) + "-token window");
        line.append(maxOutputTokens == null ? ", output limit unknown"
                : ", up to " + Usd.count(maxOutputTokens) + " output tokens");
        line.append(droppedMessages == 0 ? "; nothing dropped"
                : "; " + Usd.count(droppedMessages) + (droppedMessages == 1 ? " old message" : " old messages")
                        + " dropped to fit");
        line.append(estimatedCostUsd == null ? "; cost unknown (no price or output limit in models.yaml)"
                : "; at most " + Usd.format(estimatedCostUsd));
        return line.toString();
    }
}
