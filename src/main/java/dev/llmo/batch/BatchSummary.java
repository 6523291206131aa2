package dev.llmo.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.cost.Usd;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What {@code batch list} and {@code batch show} say of a record, read in one pass.
 *
 * @param id         the batch id
 * @param started    when it started
 * @param spec       what it runs
 * @param succeeded  per model, the calls whose last entry succeeded
 * @param failed     per model, the calls whose last entry failed (interrupted ones are missing, not failed)
 * @param costMicroUsd what every entry of known price cost (judges included; calls sent again counted each time)
 * @param unknownPriceCalls entries billed (or maybe billed) at a price llmo does not know; a call that failed before
 *                   the provider reported usage is not one
 * @param billableCalls entries in all that may have cost something: {@link #unknownPriceCalls} and the priced ones
 * @param status     the last session's end ({@code ok}, {@code failed}, {@code interrupted}), or {@code running}
 *                   when it has none (running now, or killed)
 */
public record BatchSummary(String id, Instant started, BatchSpec spec, List<Long> succeeded, List<Long> failed,
                           long costMicroUsd, long unknownPriceCalls, long billableCalls, String status) {

    /** The cost for people: {@code $0.0123}, {@code $0.0123 + 2 unknown} or {@code unknown}. */
    public String costText() {
        return Usd.formatTotal(costMicroUsd, unknownPriceCalls, billableCalls);
    }

    /** Calls finished (succeeded or failed). */
    public long finished() {
        return succeeded.stream().mapToLong(Long::longValue).sum() + failed.stream().mapToLong(Long::longValue).sum();
    }

    /** Calls of the whole batch: rows × models. */
    public long calls() {
        return spec.rows() * spec.models().size();
    }

    public long failedCalls() {
        return failed.stream().mapToLong(Long::longValue).sum();
    }

    public static BatchSummary of(Path file) {
        BatchSpec[] spec = {null};
        Instant[] started = {null};
        String[] status = {"running"};
        long[] cost = {0};
        long[] unknown = {0};
        long[] billable = {0};
        List<BitSet> ok = new ArrayList<>();
        List<BitSet> bad = new ArrayList<>();
        EventLog.forEach(file, event -> {
            if (started[0] == null) {
                started[0] = Instant.parse(event.ts());
            }
            switch (event.type()) {
                case BatchSpec.TYPE -> {
                    if (spec[0] == null) {
                        spec[0] = BatchSpec.of(event.data());
                    }
                }
                case "session.start" -> status[0] = "running";
                case "session.end" -> status[0] = event.data().path("status").asText("ok");
                case "batch.row" -> {
                    EventData.BatchRow row = (EventData.BatchRow) EventCodec.decode(event);
                    while (ok.size() <= row.modelIndex()) {
                        ok.add(new BitSet());
                        bad.add(new BitSet());
                    }
                    int at = (int) row.row();
                    boolean interrupted = BatchRecord.INTERRUPTED.equals(row.errorKind());
                    ok.get(row.modelIndex()).set(at, row.succeeded());
                    bad.get(row.modelIndex()).set(at, !row.succeeded() && !interrupted);
                    if (row.costMicroUsd() != null) {
                        cost[0] += row.costMicroUsd();
                        billable[0]++;
                    } else if (row.succeeded() || row.usage() != null) {
                        unknown[0]++;
                        billable[0]++;
                    }
                }
                case "batch.judge" -> {
                    billable[0]++;
                    JsonNode judgeCost = event.data().path("cost_micro_usd");
                    if (judgeCost.isNumber()) {
                        cost[0] += judgeCost.asLong();
                    } else {
                        unknown[0]++;
                    }
                }
                default -> { }
            }
        });
        if (spec[0] == null) {
            throw new dev.llmo.failure.ConfigException(file + " is not a batch record (it has no batch.spec)",
                    "run 'llmo batch list' to see the batches");
        }
        List<Long> succeeded = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        for (int m = 0; m < spec[0].models().size(); m++) {
            succeeded.add(m < ok.size() ? (long) ok.get(m).cardinality() : 0L);
            failed.add(m < bad.size() ? (long) bad.get(m).cardinality() : 0L);
        }
        return new BatchSummary(BatchRecord.EventLogId.of(file), started[0], spec[0], succeeded, failed, cost[0],
                unknown[0], billable[0], status[0]);
    }
}
