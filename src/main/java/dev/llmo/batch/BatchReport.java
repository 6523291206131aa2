package dev.llmo.batch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cost.Usd;
import dev.llmo.eventlog.EventData;
import dev.llmo.provider.http.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An eval's outcome per model, from a batch record: the finished calls, how many passed every assertion (a call that
 * failed, or whose judge gave no verdict, did not), the pass rate, failures, latency percentiles, tokens and cost (the
 * judges' cost apart), and the calls not finished yet (never sent, or stopped by Ctrl-C). Without assertions a call
 * passes when it succeeded.
 */
public record BatchReport(String id, List<String> asserts, List<ModelLine> models, BigDecimal judgeCostUsd,
                          long judgeUnknownPriceCalls, long judgeCalls) {

    /**
     * One model's line.
     *
     * @param calls             the finished calls (succeeded or failed)
     * @param missing           the calls not finished: never sent, stopped by Ctrl-C, or answered but not judged yet
     * @param p50Ms             the median latency of the successful calls, null when there is none
     * @param costUsd           the cost of the calls whose price is known
     * @param unknownPriceCalls calls that were (or may have been) billed at a price llmo does not know; a call that
     *                          failed before the provider reported any usage is not one of them
     * @param passedBy          per assertion, how many calls passed it
     */
    public record ModelLine(String model, long calls, long missing, long passed, long failed, Long p50Ms, Long p95Ms,
                            long inputTokens, long outputTokens, BigDecimal costUsd, long unknownPriceCalls,
                            List<Long> passedBy) {
        /** Passed of the finished calls, 0 to 1; null when none is finished (no rate to speak of). */
        public BigDecimal passRate() {
            return calls == 0 ? null : BigDecimal.valueOf(passed).divide(BigDecimal.valueOf(calls), 4,
                    RoundingMode.HALF_EVEN);
        }
    }

    public static BatchReport of(Path record) {
        BatchSpec spec = BatchRecord.read(record, false).spec();
        int models = spec.models().size();
        int asserts = spec.asserts().size();
        Map<Long, Boolean> verdicts = new HashMap<>();
        long[] judgeMicro = {0};
        long[] judgeCounts = {0, 0};
        BatchRecord.entries(record, entry -> {
            if (entry instanceof EventData.BatchJudge judge) {
                // a judge call Ctrl-C stopped has neither pass nor error: its verdict is missing, its cost counts
                if (judge.pass() != null || judge.errorMessage() != null) {
                    verdicts.put(BatchRecord.judgeKey(judge.row(), judge.modelIndex(), judge.assertion()),
                            judge.pass());
                }
                judgeCounts[0]++;
                if (judge.costMicroUsd() == null) {
                    judgeCounts[1]++;
                } else {
                    judgeMicro[0] += judge.costMicroUsd();
                }
            }
        });
        long[] calls = new long[models];
        long[] passed = new long[models];
        long[] failed = new long[models];
        long[] input = new long[models];
        long[] output = new long[models];
        long[] cost = new long[models];
        long[] unknownCost = new long[models];
        long[][] passedBy = new long[models][asserts];
        List<List<Long>> latencies = new ArrayList<>();
        for (int m = 0; m < models; m++) {
            latencies.add(new ArrayList<>());
        }
        BatchExport.each(record, models, row -> {
            int m = row.modelIndex();
            calls[m]++;
            if (row.costMicroUsd() != null) {
                cost[m] += row.costMicroUsd();
            } else if (row.succeeded() || row.usage() != null) {
                unknownCost[m]++;
            }
            if (row.usage() != null) {
                input[m] += row.usage().inputTokens();
                output[m] += row.usage().outputTokens();
            }
            if (!row.succeeded()) {
                failed[m]++;
                return;
            }
            latencies.get(m).add(row.latencyMs());
            for (int a = 0; a < asserts; a++) {
                boolean judged = a < row.asserts().size() && row.asserts().get(a) != null
                        || verdicts.containsKey(BatchRecord.judgeKey(row.row(), m, a));
                if (!judged) {
                    // a judge not asked yet (Ctrl-C while judging): the call's outcome is not known, so it is missing,
                    // not failed; a resume judges it. A judge asked without a verdict did answer: that fails the check
                    calls[m]--;
                    return;
                }
            }
            boolean all = true;
            for (int a = 0; a < asserts; a++) {
                Boolean pass = a < row.asserts().size() ? row.asserts().get(a) : null;
                if (pass == null) {
                    pass = verdicts.get(BatchRecord.judgeKey(row.row(), m, a));
                }
                if (Boolean.TRUE.equals(pass)) {
                    passedBy[m][a]++;
                } else {
                    all = false;
                }
            }
            if (all) {
                passed[m]++;
            }
        });
        List<ModelLine> lines = new ArrayList<>();
        for (int m = 0; m < models; m++) {
            long[] sorted = latencies.get(m).stream().mapToLong(Long::longValue).sorted().toArray();
            lines.add(new ModelLine(spec.models().get(m), calls[m], spec.rows() - calls[m], passed[m], failed[m],
                    percentile(sorted, 50), percentile(sorted, 95), input[m], output[m], BigDecimal.valueOf(cost[m], 6),
                    unknownCost[m], Arrays.stream(passedBy[m]).boxed().toList()));
        }
        return new BatchReport(BatchRecord.EventLogId.of(record), spec.asserts(), lines,
                BigDecimal.valueOf(judgeMicro[0], 6), judgeCounts[1], judgeCounts[0]);
    }

    /** The nearest-rank percentile; null when there is no value. */
    static Long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** The lowest pass rate of any model; 0 when no call is finished. */
    public BigDecimal lowestPassRate() {
        return models.stream().map(line -> line.passRate() == null ? BigDecimal.ZERO : line.passRate())
                .min(BigDecimal::compareTo).orElse(BigDecimal.ZERO);
    }

    /** The calls of the batch not finished yet, all models together. */
    public long missing() {
        return models.stream().mapToLong(ModelLine::missing).sum();
    }

    /** {@code --json}: one object. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        ArrayNode checks = json.putArray("asserts");
        asserts.forEach(checks::add);
        ArrayNode rows = json.putArray("models");
        for (ModelLine line : models) {
            ObjectNode row = rows.addObject();
            row.put("model", line.model());
            row.put("calls", line.calls());
            row.put("missing", line.missing());
            row.put("passed", line.passed());
            row.put("pass_rate", line.passRate());
            row.put("failed", line.failed());
            row.put("p50_latency_ms", line.p50Ms());
            row.put("p95_latency_ms", line.p95Ms());
            row.put("input_tokens", line.inputTokens());
            row.put("output_tokens", line.outputTokens());
            row.put("cost_usd", line.costUsd());
            row.put("unknown_price_calls", line.unknownPriceCalls());
            ArrayNode by = row.putArray("passed_by_assert");
            line.passedBy().forEach(by::add);
        }
        json.put("judge_cost_usd", judgeCostUsd);
        json.put("judge_unknown_price_calls", judgeUnknownPriceCalls);
        return json;
    }

    private static String millis(Long ms) {
        return ms == null ? "-" : ms + "ms";
    }

    /** The table for a person: a heading, then one line per model; the first column text, the others numbers. */
    public List<String[]> cells() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"MODEL", "CALLS", "PASSED", "RATE", "FAILED", "P50", "P95", "TOKENS IN", "TOKENS OUT",
            "USD"});
        for (ModelLine line : models) {
            cells.add(new String[] {line.model(), Usd.count(line.calls()), Usd.count(line.passed()),
                line.passRate() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%",
                        line.passRate().doubleValue() * 100), Usd.count(line.failed()), millis(line.p50Ms()),
                millis(line.p95Ms()), Usd.count(line.inputTokens()), Usd.count(line.outputTokens()),
                Usd.formatTotal(Usd.toMicro(line.costUsd()), line.unknownPriceCalls(), line.calls())});
        }
        return cells;
    }

    /** The judges' cost, for the line after the table; null when no judge was called. */
    public String judges() {
        return judgeCalls > 0 ? "judges: " + Usd.formatTotal(Usd.toMicro(judgeCostUsd), judgeUnknownPriceCalls,
                judgeCalls) : null;
    }
}
