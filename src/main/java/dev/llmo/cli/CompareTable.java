package dev.llmo.cli;

import dev.llmo.core.Conversation;
import dev.llmo.core.RunResult;
import dev.llmo.cost.Usd;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The {@code --compare} summary: one row per model with status, output tokens, length, latency, time to first token
 * and cost, aligned in columns, then which model was fastest, cheapest and wordiest.
 */
final class CompareTable {
    private static final String[] HEADINGS = {"MODEL", "STATUS", "OUT TOKENS", "CHARS", "LATENCY", "FIRST TOKEN",
            "COST"};

    private CompareTable() {
    }

    /** The table's lines (no colour: it must line up everywhere). */
    static List<String> lines(List<String> labels, List<RunResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            rows.add(new String[] {labels.get(i), r.succeeded() ? "ok" : Conversation.errorKind(r.error()),
                    r.usage() == null ? "-" : Usd.count(r.usage().outputTokens()),
                    Usd.count(r.text().length()),
                    RunRenderer.seconds(r.latencyMs()),
                    r.ttftMs() == null ? "-" : RunRenderer.seconds(r.ttftMs()),
                    r.costUsd() == null ? "-" : RunRenderer.cost(r.costUsd())});
        }
        int[] widths = new int[HEADINGS.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                // names and status read left to right; numbers line up on the right
                String cell = c < 2 ? String.format("%-" + widths[c] + "s", row[c])
                        : String.format("%" + widths[c] + "s", row[c]);
                line.append(c == 0 ? "" : "  ").append(cell);
            }
            lines.add(line.toString().stripTrailing());
        }
        List<String> best = new ArrayList<>();
        best(labels, results, "fastest", r -> BigDecimal.valueOf(r.latencyMs()), false).ifPresent(best::add);
        best(labels, results, "cheapest", RunResult::costUsd, false).ifPresent(best::add);
        best(labels, results, "longest", r -> BigDecimal.valueOf(r.text().length()), true).ifPresent(best::add);
        if (!best.isEmpty()) {
            lines.add(String.join(" · ", best));
        }
        return lines;
    }

    /** e.g. {@code fastest: mock/m1}, among the calls that succeeded and know the value; empty with fewer than 2. */
    private static Optional<String> best(List<String> labels, List<RunResult> results, String what,
                                         Function<RunResult, BigDecimal> value, boolean highest) {
        List<Integer> known = IntStream.range(0, results.size())
                .filter(i -> results.get(i).succeeded() && value.apply(results.get(i)) != null).boxed().toList();
        if (known.size() < 2) {
            return Optional.empty();
        }
        Comparator<Integer> order = Comparator.comparing(i -> value.apply(results.get(i)));
        int winner = highest ? known.stream().max(order).orElseThrow() : known.stream().min(order).orElseThrow();
        return Optional.of(what + ": " + labels.get(winner));
    }
}
