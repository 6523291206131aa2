package dev.llmo.context;

import dev.llmo.config.Pricing;
import dev.llmo.cost.CostEstimate;
import java.math.BigDecimal;

/**
 * The worst case of an answer that offers tools: its first request, then a request per round of tool calls, each
 * resending what came before with the last answer (its tool calls) at the output limit. What the tools return cannot
 * be known and is not counted. {@code run --dry-run -T} and a chain's worst case both count it so.
 *
 * @param costUsd        every request's upper bound together; null when a price or an output limit is unknown
 * @param answeredTokens the output of every round together (a chain step's value is every round's text)
 */
public record ToolRoundsBound(BigDecimal costUsd, long answeredTokens) {

    /**
     * @param requests the first request and one per round of tool calls ({@code --max-tool-rounds} + 1; 1 without
     *                 tools)
     */
    public static ToolRoundsBound of(ModelCaps caps, Pricing pricing, long inputTokens, int requests) {
        Long output = caps.outputBound(inputTokens);
        BigDecimal cost = CostEstimate.of(pricing, inputTokens, output).usd();
        long roundInput = inputTokens;
        Long roundOutput = output;
        long answered = output == null ? 0 : output;
        for (int round = 1; round < requests && roundOutput != null; round++) {
            roundInput += roundOutput;
            roundOutput = caps.outputBound(roundInput);
            answered += roundOutput == null ? 0 : roundOutput;
            BigDecimal more = CostEstimate.of(pricing, roundInput, roundOutput).usd();
            cost = cost == null || more == null ? null : cost.add(more);
        }
        return new ToolRoundsBound(cost, answered);
    }
}
