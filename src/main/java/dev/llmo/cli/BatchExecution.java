package dev.llmo.cli;

import dev.llmo.batch.Assertion;
import dev.llmo.batch.AtomicOutput;
import dev.llmo.batch.BatchExport;
import dev.llmo.batch.BatchJudges;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.BatchRunner;
import dev.llmo.batch.BatchScan;
import dev.llmo.batch.BatchSummary;
import dev.llmo.batch.OutFile;
import dev.llmo.batch.ResultLines;
import dev.llmo.batch.RowRequests;
import dev.llmo.config.Budget;
import dev.llmo.config.ModelRef;
import dev.llmo.context.TokenCounters;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.NanoClock;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.cost.DailySpend;
import dev.llmo.cost.Usd;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/** What {@code batch run} and {@code batch resume} share: the budget check, the run with its progress, the results. */
final class BatchExecution {
    /** Concurrency when {@code --concurrency} is not given: a few calls at once, as a polite client makes. */
    static final int DEFAULT_CONCURRENCY = 4;

    private BatchExecution() {
    }

    /** {@code --concurrency}, checked. */
    static int concurrency(Integer given) {
        if (given == null) {
            return DEFAULT_CONCURRENCY;
        }
        if (given < 1 || given > 1024) {
            throw new UsageException("--concurrency must be from 1 to 1024, not " + given, "e.g. --concurrency 8");
        }
        return given;
    }

    /** Whether {@code dataset} can be read only once: stdin ({@code -}), or a pipe such as {@code <(jq -c . x.json)}. */
    static boolean readOnce(String dataset) {
        if (dataset.equals("-")) {
            return true;
        }
        Path path = Path.of(dataset);
        return Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path);
    }

    /**
     * The dataset as a file read twice (checked and priced, then run): a file as given, or what can be read only once
     * ({@link #readOnce}) copied to a private temporary file; a pipe read twice gave no row the second time, and the
     * batch ended 'ok' with nothing sent.
     */
    static Path datasetFile(CliContext context, String dataset) {
        if (!readOnce(dataset)) {
            return Path.of(dataset);
        }
        String shown = dataset.equals("-") ? "stdin" : dataset;
        try {
            Path temp = Files.createTempFile("llmo-batch-", ".dataset");
            temp.toFile().deleteOnExit();
            try (InputStream in = dataset.equals("-") ? context.environment().in() : Files.newInputStream(Path.of(dataset))) {
                Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return temp;
        } catch (IOException e) {
            throw new FailureException("cannot read the dataset from " + shown + ": " + e.getMessage(),
                    "give the dataset as a file instead", e);
        }
    }

    /**
     * The first pass over the dataset (every row checked), priced when a budget is set, and the whole batch's worst case
     * checked against {@code --max-cost} (or budget.per_run_usd) and what is left of the daily budget: refused with
     * exit 5 before anything is sent.
     */
    static BatchScan scan(CliContext context, Path file, String shown, RowRequests requests, List<ModelRef> models,
                          BiPredicate<Long, Integer> finished, BigDecimal maxCost, Map<Integer, ModelRef> judges,
                          List<Assertion> asserts) {
        boolean priced = WorstCase.budgeted(context, maxCost);
        BatchScan scan = BatchScan.of(file, shown, requests, models, finished, priced ? TokenCounters.create() : null,
                judges, asserts);
        if (!priced || scan.todo() == 0) {
            return scan;
        }
        if (scan.unpriced() != null) {
            throw WorstCase.unpriced(scan.unpriced(), "the batch's worst case", ", or pass -o max_tokens=N");
        }
        WorstCase.require(context, maxCost, "the batch's " + scan.todo() + " calls could cost up to "
                + Usd.formatExact(scan.worstCaseUsd()), scan.worstCaseUsd(),
                "lower the answers' limit with -o max_tokens=N, or use fewer rows or models");
        return scan;
    }

    /**
     * Runs what {@code record} is missing, with a progress view on stderr, and ends and closes the record. The results
     * go to stdout, or to {@code out}, as they become due (a call's line once it and every earlier one is done).
     * Returns 0, or throws what the batch ends with: exit 5 when the budget stopped it, 4 when the provider refused a
     * key, 130 (or the signal's code) when it was interrupted (the lines written so far stand), 1 when a call failed or
     * the results could not be written.
     */
    static int run(CliContext context, CallExecutor executor, int concurrency, BatchRecord record, Path dataset,
                   String shown, RowRequests requests, List<ModelRef> models, List<Assertion> asserts,
                   Map<Integer, ModelRef> judges, BatchScan scan, OutFile out) {
        long total = scan.rows() * models.size();
        long before = total - scan.todo();
        // a resume's line goes on from the batch's own figures: the record's cost and the failures not run again
        BatchSummary earlier = before == 0 ? null : BatchSummary.of(record.file());
        long failedBefore = earlier == null ? 0 : Math.max(0, before - earlier.succeeded().stream()
                .mapToLong(Long::longValue).sum());
        BatchProgress progress = new BatchProgress(context.err(), context.environment().stderrIsTerminal(),
                context.colorErr(), total, before, failedBefore,
                earlier == null ? BigDecimal.ZERO : Usd.ofMicro(earlier.costMicroUsd()),
                earlier == null ? 0 : earlier.unknownPriceCalls(), earlier == null ? 0 : earlier.billableCalls(),
                NanoClock.SYSTEM);
        Orchestrator engine = new Orchestrator(executor, concurrency);
        Cancellation cancellation = new Cancellation();
        String rest = resume(record, "") + " runs the rest";
        BatchJudges.Outcome[] judged = {new BatchJudges.Outcome(0, 0, null)};
        context.err().flush(); // what the command said of the batch comes before its first result
        PrintWriter sink = out == null ? context.jsonOut() : out.writer();
        ResultLines lines = new ResultLines(sink, record.file(), models.size(), total, record.unfinished(models.size()));
        // a reader of stdout that went away (| head), or a full disk under --out, stops the batch: the rest could not
        // be written
        RunListener listener = event -> {
            // a call the batch's stop ended is not done (the record says interrupted): no failure on the line, but
            // what it cost counts
            if (event instanceof RunEvent.CallEnded ended && ended.result().error() != null
                    && ended.result().error() == cancellation.reason()) {
                progress.stopped(ended.result());
            } else {
                progress.onEvent(event);
            }
            LlmoException lost = event instanceof RunEvent.CallEnded ? lost(context, out, record) : null;
            if (lost != null) {
                throw lost;
            }
        };
        BatchRunner.Outcome outcome;
        try {
            outcome = CancelOnInterrupt.run(cancellation, "the batch was stopped", () -> {
                BatchRunner.Outcome answers = new BatchRunner(engine, requests, models, asserts).run(record, dataset,
                        shown, listener, cancellation, lines);
                if (!judges.isEmpty() && !cancellation.cancelled()) {
                    progress.finish();
                    context.err().println("llmo: batch " + record.id() + ": judging the answers");
                    judged[0] = new BatchJudges(engine, requests, models.size(), asserts, judges).run(record, dataset,
                            shown, RunListener.NONE, cancellation);
                }
                LlmoException stop = answers.stopped() != null ? answers.stopped() : judged[0].stopped();
                return new BatchRunner.Outcome(answers.succeeded(), answers.failed() + judged[0].failed(), stop);
            }, done -> {
                progress.finish();
                record.end(exitCode(done, cancellation));
            });
        } catch (RuntimeException e) {
            // the record stays without its end ('running' until resumed); the lines written so far stand
            if (out != null) {
                out.close();
            }
            throw e;
        } finally {
            try {
                record.close();
            } finally {
                lines.close();
            }
        }
        try {
            LlmoException reason = cancellation.reason();
            if (outcome.stopped() instanceof BudgetException) {
                throw new BudgetException(outcome.stopped().getMessage() + "; the batch stopped",
                        "raise the budget, then " + rest);
            }
            if (outcome.stopped() instanceof ModelAuthException auth) {
                throw new ModelAuthException(auth.kind(), auth.status(), auth.getMessage() + "; the batch stopped",
                        (auth.fix() == null ? "fix the key" : auth.fix()) + "; then " + rest);
            }
            if (cancellation.cancelled() && (reason == null || reason.exitCode().stoppedFromOutside())) {
                throw InterruptedRunException.of(reason == null ? ExitCode.INTERRUPTED : reason.exitCode(),
                        "the batch was stopped; " + rest);
            }
            if (reason != null) {
                throw reason;
            }
            lines.rest(record.file());
        } finally {
            if (out != null) {
                out.close();
            }
        }
        LlmoException lost = lost(context, out, record);
        if (lost != null) {
            throw lost;
        }
        // the exit code speaks of the batch's results, also those a resume printed from the record
        long failed = failedBefore + outcome.failed();
        if (failed > 0) {
            throw new FailureException(failed + " of " + (before + outcome.failed() + outcome.succeeded())
                    + " calls failed (their errors are in the results)",
                    resume(record, " --retry-failed") + " sends them again; 'llmo batch show " + record.id() + "' sums up");
        }
        return 0;
    }

    /** Why the results could not be written so far (stdout, or {@code out}), or null. */
    private static LlmoException lost(CliContext context, OutFile out, BatchRecord record) {
        if (out == null) {
            return StdoutWriter.failure(context.out());
        }
        java.io.IOException failure = out.failure();
        return failure == null ? null : new FailureException("cannot write --out " + out.path() + ": "
                + failure.getMessage() + "; the batch stopped, the file holds whole lines up to the failure",
                "check the disk and the file, then " + resume(record, " --out FILE") + " runs the rest and "
                        + "writes all the results", failure);
    }

    /**
     * The quoted {@code batch resume} command line with {@code options}. A dataset read from stdin or a pipe is gone
     * when the batch ends, and a resume without it refuses: the line asks for it again.
     */
    private static String resume(BatchRecord record, String options) {
        boolean stdin = record.spec().dataset().equals("-");
        return "'llmo batch resume " + record.id() + (stdin ? " --dataset FILE" : "") + options + "'"
                + (stdin ? " (--dataset: the rows this batch read from stdin or a pipe, again, as a file)" : "");
    }

    private static ExitCode exitCode(BatchRunner.Outcome outcome, Cancellation cancellation) {
        if (outcome.stopped() != null) {
            return outcome.stopped().exitCode();
        }
        if (cancellation.cancelled()) {
            LlmoException reason = cancellation.reason();
            return reason == null ? ExitCode.INTERRUPTED : reason.exitCode();
        }
        return outcome.failed() > 0 ? ExitCode.FAILURE : ExitCode.OK;
    }

    /** The model of each judge assertion, by its position among the assertions (exit 3 for an unknown model). */
    static Map<Integer, ModelRef> judges(dev.llmo.config.Settings settings, List<Assertion> asserts) {
        Map<Integer, ModelRef> judges = new java.util.LinkedHashMap<>();
        for (int a = 0; a < asserts.size(); a++) {
            if (asserts.get(a) instanceof Assertion.Judge judge) {
                judges.put(a, settings.catalog().resolve(judge.model()));
            }
        }
        return judges;
    }

    /**
     * The results in dataset order, on stdout or (whole or not at all) in {@code outFile}, which must not be the batch's
     * dataset or record.
     */
    static void export(CliContext context, Path record, int models, Path outFile) {
        if (outFile == null) {
            PrintWriter out = context.jsonOut();
            BatchExport.write(record, models, out, BatchExport::line);
            LlmoException lost = StdoutWriter.failure(out);
            if (lost != null) {
                throw lost;
            }
            return;
        }
        String dataset = BatchSummary.of(record).spec().dataset();
        OutFile.check(outFile, dataset.equals("-") ? null : Path.of(dataset), record);
        AtomicOutput.write(outFile, writer -> BatchExport.write(record, models, writer, BatchExport::line));
    }
}
