package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ModelRef;
import dev.llmo.core.RunResult;
import dev.llmo.cost.Usd;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers of several models one under the other, each under a header line naming its model: the text output of
 * a fan-out. A failed call's section holds what arrived of its answer and an {@code error:} line.
 */
final class AnswerSections {
    static final String BOLD = "\u001b[1m";
    static final String DIM = "\u001b[2m";
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String RESET = "\u001b[0m";

    private AnswerSections() {
    }

    /** One label per model in plan order: its id, with {@code #2}, {@code #3} when a model is given twice. */
    static List<String> labels(List<ModelRef> models) {
        Map<String, Integer> total = new HashMap<>();
        models.forEach(m -> total.merge(m.id(), 1, Integer::sum));
        Map<String, Integer> seen = new HashMap<>();
        List<String> labels = new ArrayList<>();
        for (ModelRef model : models) {
            int n = seen.merge(model.id(), 1, Integer::sum);
            labels.add(total.get(model.id()) > 1 && n > 1 ? model.id() + " #" + n : model.id());
        }
        return labels;
    }

    /** The header line of a section, e.g. {@code == openai/gpt-4o-mini ==}. */
    static String header(String label, boolean color) {
        String line = "== " + label + " ==";
        return color ? BOLD + line + RESET : line;
    }

    /** The header with what the call cost: tokens, length, latency and price (or that it failed). */
    static String headerWithStats(String label, RunResult result, boolean color) {
        String stats = stats(result);
        return header(label, color) + "  " + (color ? DIM + stats + RESET : stats);
    }

    /** e.g. {@code 412 tokens · 1,820 chars · 2.31 s · $0.0002}, or {@code failed after 0.12 s}. */
    static String stats(RunResult result) {
        List<String> parts = new ArrayList<>();
        if (!result.succeeded()) {
            parts.add("failed after " + RunRenderer.seconds(result.latencyMs()));
            if (!result.text().isEmpty()) {
                parts.add(Usd.count(result.text().length()) + " chars arrived");
            }
            return String.join(" · ", parts);
        }
        if (result.usage() != null) {
            parts.add(Usd.count(result.usage().outputTokens()) + " tokens");
        }
        parts.add(Usd.count(result.text().length()) + " chars");
        parts.add(RunRenderer.seconds(result.latencyMs()));
        parts.add(RunRenderer.cost(result.costUsd()));
        return String.join(" · ", parts);
    }

    /** The last line of a failed call's section. */
    static String errorLine(RunResult result, boolean color) {
        return errorLine(result, color, false);
    }

    /** {@link #errorLine(RunResult, boolean)}, the server's control characters made visible on a terminal. */
    static String errorLine(RunResult result, boolean color, boolean terminal) {
        String line = "error: " + TerminalText.forTerminal(result.error().getMessage().strip().replace('\n', ' '),
                terminal);
        return color ? RED + line + RESET : line;
    }

    /**
     * Every answer, in plan order, each under its header with its stats; a blank line between sections.
     *
     * @param terminal stdout is a terminal: the servers' control characters are shown, not obeyed
     */
    static void printAll(PrintWriter out, List<String> labels, List<RunResult> results, boolean color,
                         boolean terminal, AnswerExtras extras) {
        for (int i = 0; i < results.size(); i++) {
            RunResult result = results.get(i);
            if (i > 0) {
                out.println();
            }
            out.println(headerWithStats(labels.get(i), result, color));
            if (!result.text().isEmpty()) {
                out.print(TerminalText.forTerminal(result.text(), terminal));
                if (!result.text().endsWith("\n")) {
                    out.println();
                }
            }
            if (!result.succeeded()) {
                out.println(errorLine(result, color, terminal));
            }
            extras.sources(out, result.answer());
        }
        out.flush();
    }

    /** Each model's reasoning, refusal and tool calls on stderr, under its label, in plan order. */
    static void printExtras(AnswerExtras extras, List<String> labels, List<RunResult> results) {
        for (int i = 0; i < results.size(); i++) {
            extras.wholeReasoning(labels.get(i), results.get(i).answer());
            extras.afterAnswer(labels.get(i), results.get(i).answer(), !results.get(i).succeeded());
            extras.printStopNote(labels.get(i), results.get(i));
        }
    }
}
