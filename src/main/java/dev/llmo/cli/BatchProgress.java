package dev.llmo.cli;

import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ContextWindowException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.ModelAuthException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.function.LongSupplier;

/**
 * The progress of a batch on stderr: on a terminal one line redrawn in place (a bar, calls done of all, failures, cost
 * so far, rate, time left), at most ten times a second; otherwise a plain line every {@link #PLAIN_EVERY_NANOS} and
 * one at the end, so that a log file gets a few lines, not one per call. stdout is left to the results.
 */
final class BatchProgress implements RunListener {
    static final long PLAIN_EVERY_NANOS = 10_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final boolean color;
    private final long total;
    private final long before;
    private final LongSupplier nanoTime;
    private final long started;
    private long done;
    private long failed;
    private BigDecimal cost;
    private long unknownPrice;
    private long billable;
    private long lastShown;
    private boolean drawn;

    /**
     * @param total  the calls of the whole batch
     * @param before those finished before this run (a resume)
     * @param failedBefore of those, the ones that failed
     * @param costBefore what the batch cost before this run: the line shows the batch's cost so far, not the run's
     * @param unknownBefore of the calls before this run that were (or may have been) billed, those of unknown price
     * @param billableBefore the calls before this run that were (or may have been) billed
     */
    BatchProgress(PrintWriter err, boolean terminal, boolean color, long total, long before, long failedBefore,
                  BigDecimal costBefore, long unknownBefore, long billableBefore, LongSupplier nanoTime) {
        this.err = err;
        this.terminal = terminal;
        this.color = color;
        this.total = total;
        this.before = before;
        this.failed = failedBefore;
        this.cost = costBefore;
        this.unknownPrice = unknownBefore;
        this.billable = billableBefore;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
        this.lastShown = started;
    }

    @Override
    public void onEvent(RunEvent event) {
        if (!(event instanceof RunEvent.CallEnded ended)) {
            return;
        }
        RunResult result = ended.result();
        if (result.error() instanceof InterruptedRunException) {
            stopped(result); // not done: a resume runs it
            return;
        }
        if (result.error() instanceof BudgetException && !(result.error() instanceof ContextWindowException)
                || result.error() instanceof ModelAuthException) {
            return; // refused (before it was sent, or its key): not done nor failed, a resume runs it
        }
        done++;
        if (!result.succeeded()) {
            failed++;
        }
        spent(result);
        long now = nanoTime.getAsLong();
        if (now - lastShown >= (terminal ? REDRAW_NANOS : PLAIN_EVERY_NANOS)) {
            lastShown = now;
            show(now);
        }
    }

    /**
     * A call the batch's stop ended: not done (a resume runs it again), but what it cost counts, as the record counts
     * it (an interrupted entry keeps its cost), so that the last line and {@code batch list} say the same.
     */
    void stopped(RunResult result) {
        spent(result);
    }

    private void spent(RunResult result) {
        if (result.costUsd() != null) {
            cost = cost.add(result.costUsd());
            billable++;
        } else if (result.succeeded() || result.usage() != null) {
            // billed at a price llmo does not know: "$0" would claim it was free
            unknownPrice++;
            billable++;
        }
    }

    /** The last state, on its own line. */
    void finish() {
        show(nanoTime.getAsLong());
        if (terminal && drawn) {
            err.println();
        }
        err.flush();
    }

    private void show(long now) {
        long all = before + done;
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        double rate = done / seconds;
        long left = total - all;
        String eta = rate > 0 ? duration((long) Math.ceil(left / rate)) : "?";
        String failures = failed == 0 ? "0 failed" : color ? "\u001b[31m" + failed + " failed\u001b[0m" : failed + " failed";
        String spent = unknownPrice == 0 ? RunRenderer.cost(cost) : unknownPrice >= billable ? "cost unknown"
                : RunRenderer.cost(cost) + " + " + unknownPrice + " unknown";
        String text = all + "/" + total + " calls · " + failures + " · " + spent + " · "
                + String.format(java.util.Locale.ROOT, "%.1f/s", rate) + " · ETA " + eta;
        if (terminal) {
            int filled = total == 0 ? BAR : (int) (BAR * all / total);
            err.print("\r\u001b[2K[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + text);
            drawn = true;
        } else {
            err.println("llmo: batch: " + text);
        }
        err.flush();
    }

    private static String duration(long seconds) {
        return seconds >= 3600 ? seconds / 3600 + "h" + (seconds % 3600) / 60 + "m"
                : seconds >= 60 ? seconds / 60 + "m" + seconds % 60 + "s" : seconds + "s";
    }
}
