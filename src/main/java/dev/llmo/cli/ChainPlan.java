package dev.llmo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.chain.ChainDefinition;
import dev.llmo.chain.ChainParser;
import dev.llmo.chain.ChainRunner;
import dev.llmo.chain.ChainStep;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.context.DryRunEstimate;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounters;
import dev.llmo.cost.Usd;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.tool.Tool;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code llmo chain run --dry-run}: the plan of a chain with the tokens and the most each call could cost, sending
 * nothing. The answers of earlier steps are not known yet, so each is counted at its model's output limit: the
 * plan is a worst case (every step runs, every loop to its max, every step that offers tools through every round of
 * tool calls).
 */
final class ChainPlan {
    private ChainPlan() {
    }

    static void print(ChainDefinition chain, String input, Settings settings, boolean json, PrintWriter out) {
        print(chain, input, settings, json, out, step -> List.of(), dev.llmo.message.ContentSource.NONE,
                Tools.NONE);
    }

    /**
     * The tools a run offers its steps and how many rounds of tool calls one answer may take.
     *
     * @param offered   the tools a step's requests declare (its {@code tools:} and those of {@code -T}); none: the
     *                  step makes one request per run
     * @param maxRounds {@code --max-tool-rounds}: a step that offers tools may make this many requests more per run
     */
    record Tools(java.util.function.Function<ChainStep, List<Tool>> offered, int maxRounds) {
        static final Tools NONE = new Tools(step -> List.of(), 0);
    }

    /**
     * One call of the plan: a step's model, with the most it could cost over all of the step's runs.
     *
     * @param requests the requests of one run of it: 1, or for a step that offers tools one per round of tool calls
     *                 more; the estimate's input tokens are its first request's, its cost all of them
     */
    record Call(ChainStep step, int runs, int requests, DryRunEstimate estimate) {
    }

    /**
     * The plan's calls and their worst case.
     *
     * @param totalUsd the sum of the calls of known price
     * @param unpriced the first model whose price or answer limit is unknown, or null when every call is priced
     */
    record Estimate(List<Call> calls, BigDecimal totalUsd, String unpriced) {
    }

    /**
     * @param attachments each step's {@code attach:}, read
     * @param contents    their bytes, to count them
     * @return the estimate printed, for what the budgets would say to it
     */
    static Estimate print(ChainDefinition chain, String input, Settings settings, boolean json, PrintWriter out,
                      java.util.function.Function<ChainStep, List<dev.llmo.message.Part.Attachment>> attachments,
                      dev.llmo.message.ContentSource contents, Tools tools) {
        Estimate plan = estimate(chain, input, settings, attachments, contents, tools);
        StringBuilder human = new StringBuilder();
        ChainStep shown = null;
        for (Call call : plan.calls()) {
            ChainStep step = call.step();
            if (step != shown) {
                shown = step;
                human.append(chain.steps().indexOf(step) + 1).append(". ").append(step.name())
                        .append(call.runs() > 1 ? "  (up to " + call.runs() + " runs)" : "")
                        .append(call.requests() > 1 ? "  (tools: up to " + call.requests() + " requests per run, "
                                + (call.requests() - 1) + " rounds of tool calls)" : "")
                        .append(step.when() != null ? "  (when " + step.whenSource() + ")" : "").append('\n');
            }
            if (json) {
                ObjectNode line = call.estimate().toJson();
                ObjectNode withStep = line.objectNode().put("step", step.name()).put("runs", call.runs())
                        .put("requests", call.requests());
                withStep.setAll(line);
                out.println(withStep);
            } else {
                human.append("   ").append(call.estimate().human()).append('\n');
            }
        }
        if (!json) {
            out.println("chain " + chain.name() + ": " + chain.steps().size() + " steps; sends nothing (dry run)");
            out.print(human);
            out.println("at most " + Usd.format(plan.totalUsd()) + (plan.unpriced() != null ? " plus calls of unknown "
                    + "price" : "") + " (worst case: every step runs, loops to their max, earlier answers at their "
                    + "output limit" + (plan.calls().stream().anyMatch(call -> call.requests() > 1)
                    ? ", tool steps through every round, tool results not counted" : "") + ")");
        }
        out.flush();
        return plan;
    }

    /**
     * The worst case of a chain run, as {@code --dry-run} shows it and as {@code chain run} checks it against the
     * budget before sending anything: every step runs, every loop to its max, each earlier answer at its model's
     * output limit. A step that offers tools declares them in every request, and may make a request per round of
     * tool calls more, each carrying the answers of the rounds before it (at the output limit); what the tools
     * return cannot be known, and is not counted.
     */
    static Estimate estimate(ChainDefinition chain, String input, Settings settings,
                             java.util.function.Function<ChainStep, List<dev.llmo.message.Part.Attachment>> attachments,
                             dev.llmo.message.ContentSource contents, Tools tools) {
        TokenCounters counters = TokenCounters.create(contents);
        Map<String, Long> outputBound = new HashMap<>();
        outputBound.put(ChainParser.INPUT, 0L);
        BigDecimal total = BigDecimal.ZERO;
        String unpriced = null;
        long previousBound = 0;
        List<Call> calls = new java.util.ArrayList<>();
        for (ChainStep step : chain.steps()) {
            Role role = step.role() == null ? null : settings.role(step.role());
            List<ModelRef> models = ChainRunner.defaults(step, settings).models();
            Map<String, String> known = new HashMap<>();
            known.put(ChainParser.INPUT, input);
            long unknownTokens = 0;
            for (String variable : step.prompt().variables()) {
                if (!variable.equals(ChainParser.INPUT)) {
                    known.put(variable, "");
                    unknownTokens += variable.equals(ChainParser.PREVIOUS) ? previousBound
                            : outputBound.getOrDefault(variable, previousBound);
                }
            }
            String prompt = step.prompt().render(known);
            int runs = step.repeat() == null ? 1 : step.repeat().max();
            List<dev.llmo.provider.ToolDeclaration> declared = dev.llmo.core.ToolNames.declarations(
                    tools.offered().apply(step));
            int requests = declared.isEmpty() ? 1 : tools.maxRounds() + 1;
            long stepBound = 0;
            for (ModelRef model : models) {
                Map<String, Object> options = role == null ? Map.of() : role.options();
                List<dev.llmo.message.Part> parts = new java.util.ArrayList<>();
                parts.add(new dev.llmo.message.Part.Text(prompt));
                parts.addAll(attachments.apply(step));
                ChatRequest request = new ChatRequest(model.modelName(), role == null ? null : role.system(),
                        List.of(new ChatMessage(ChatMessage.Role.USER, parts)), options, model.spec().maxOutputTokens(),
                        true, declared, null);
                long tokens = counters.forModel(model).count(request) + unknownTokens;
                ModelCaps caps = ModelCaps.of(model, options);
                Long output = caps.outputBound(tokens);
                dev.llmo.context.ToolRoundsBound bound = dev.llmo.context.ToolRoundsBound.of(caps,
                        model.spec().pricing(), tokens, requests);
                BigDecimal cost = bound.costUsd();
                long answered = bound.answeredTokens(); // every round's text is the step's value
                DryRunEstimate estimate = new DryRunEstimate(model.id(), tokens, false, caps.contextWindow(), output,
                        0, cost == null ? null : cost.multiply(BigDecimal.valueOf(runs)));
                if (estimate.estimatedCostUsd() == null) {
                    unpriced = unpriced == null ? model.id() : unpriced;
                } else {
                    total = total.add(estimate.estimatedCostUsd());
                }
                stepBound += answered;
                calls.add(new Call(step, runs, requests, estimate));
            }
            outputBound.put(step.name(), stepBound);
            previousBound = stepBound;
        }
        return new Estimate(List.copyOf(calls), total, unpriced);
    }
}
