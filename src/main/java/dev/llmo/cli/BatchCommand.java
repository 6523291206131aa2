package dev.llmo.cli;

import dev.llmo.batch.BatchReport;
import dev.llmo.batch.BatchStore;
import dev.llmo.batch.BatchSummary;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.failure.LogVerificationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo batch}: a prompt over a dataset, on one or more models; resumable; with assertions and reports. */
@Command(name = "batch", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run a prompt over every row of a dataset (JSON Lines or CSV) on one or more models.",
                "Each batch is one record in batches/; 'resume' runs only what is missing."},
        subcommands = {BatchRunCommand.class, BatchResumeCommand.class, BatchRemoteCommands.Status.class,
                BatchRemoteCommands.Wait.class, BatchRemoteCommands.Cancel.class},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo batch run questions.jsonl --prompt 'In brief: {{question}}' -m openai",
                "  llmo batch list", "  llmo batch show last", "  llmo batch resume last",
                "  llmo batch export last > results.jsonl", "  llmo batch report last --min-pass-rate 0.9",
                "  llmo batch verify last"})
final class BatchCommand implements Runnable {
    private final CliContext context;

    BatchCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        list(false);
    }

    private BatchStore store() {
        return new BatchStore(context.dirs().batchesDir());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "List the batches, newest last: id, start, calls done of all, failures, cost, status.",
            footerHeading = "%nExamples:%n", footer = {"  llmo batch list", "  llmo batch list --json | jq -r .id"})
    void list(@Option(names = "--json", description = "JSON Lines on stdout: one object per batch.") boolean json) {
        BatchStore store = store();
        List<String> ids = store.ids();
        PrintWriter out = context.out();
        if (ids.isEmpty()) {
            context.err().println("llmo: no batches yet in " + store.dir());
            return;
        }
        for (String id : ids) {
            BatchSummary summary = BatchSummary.of(store.file(id));
            if (json) {
                var line = dev.llmo.provider.http.Json.object();
                line.put("id", id);
                line.put("started", String.valueOf(summary.started()));
                line.put("dataset", summary.spec().dataset());
                line.put("rows", summary.spec().rows());
                var models = line.putArray("models");
                summary.spec().models().forEach(models::add);
                line.put("calls", summary.calls());
                line.put("finished", summary.finished());
                line.put("failed", summary.failedCalls());
                line.put("cost_usd", java.math.BigDecimal.valueOf(summary.costMicroUsd(), 6));
                line.put("unknown_price_calls", summary.unknownPriceCalls());
                line.put("status", summary.status());
                out.println(line);
            } else {
                out.println(id + "  " + summary.started() + "  " + summary.finished() + "/" + summary.calls()
                        + " calls  " + summary.failedCalls() + " failed  "
                        + summary.costText() + "  "
                        + summary.status() + "  " + String.join(",", summary.spec().models()));
            }
        }
        out.flush();
    }

    @Command(name = "show", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Show one batch: its dataset, prompt, models, and per model the calls done and failed.",
            footerHeading = "%nExamples:%n", footer = {"  llmo batch show last", "  llmo batch show 01JD"})
    void show(@Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.") String id) {
        Path file = store().resolve(id);
        BatchSummary summary = BatchSummary.of(file);
        PrintWriter out = context.out();
        out.println("batch " + summary.id() + " (" + summary.status() + ")");
        out.println("started:  " + summary.started());
        out.println("dataset:  " + summary.spec().dataset() + " (" + summary.spec().datasetFormat() + ", "
                + summary.spec().rows() + " rows, " + summary.spec().datasetSha256() + ")");
        out.println("prompt:   " + dev.llmo.cli.terminal.TerminalText.visible(summary.spec().prompt()));
        if (summary.spec().system() != null) {
            out.println("system:   " + dev.llmo.cli.terminal.TerminalText.visible(summary.spec().system()));
        }
        for (String check : summary.spec().asserts()) {
            out.println("assert:   " + check);
        }
        for (int m = 0; m < summary.spec().models().size(); m++) {
            out.println("model:    " + summary.spec().models().get(m) + ": " + summary.succeeded().get(m) + " ok, "
                    + summary.failed().get(m) + " failed, "
                    + (summary.spec().rows() - summary.succeeded().get(m) - summary.failed().get(m)) + " missing");
        }
        out.println("cost:     " + summary.costText());
        out.println("record:   " + file);
        out.flush();
    }

    @Command(name = "export", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Print a batch's results as JSON Lines in dataset order: row, id, model, text, usage, "
                    + "cost, latency, error.", "A call sent again by a resume shows its last result."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch export last > results.jsonl",
                    "  llmo batch export 01JD --out results.jsonl"})
    void export(@Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.") String id,
                @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE (whole or not at all) "
                        + "instead of stdout.") Path outFile) {
        Path file = store().resolve(id);
        int models = BatchSummary.of(file).spec().models().size();
        BatchExecution.export(context, file, models, outFile);
    }

    @Command(name = "report", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"An eval's outcome per model: calls, passed (every assertion), pass rate, failed calls, "
                    + "p50/p95 latency, tokens, cost; the judges' cost apart.",
                    "Without assertions a call passes when it succeeded. Exit 1 when a model's pass rate is below "
                            + "--min-pass-rate."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch report last",
                    "  llmo batch report last --json | jq '.models[] | {model, pass_rate}'",
                    "  llmo batch report 01JD --min-pass-rate 0.95"})
    void report(@Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.") String id,
                @Option(names = "--json", description = "One JSON object on stdout.") boolean json,
                @Option(names = "--min-pass-rate", paramLabel = "RATE", description = "Fail (exit 1) when a model "
                        + "passes fewer: 0.9 or 90%%.") String minPassRate) {
        java.math.BigDecimal minimum = minPassRate == null ? null : passRate(minPassRate);
        BatchReport report = BatchReport.of(store().resolve(id));
        PrintWriter out = context.out();
        if (json) {
            out.println(report.toJson());
        } else {
            // the latencies, then the token counts, are spared first on a narrow terminal: the pass rate is the point
            dev.llmo.cli.terminal.TextTable.Layout table = dev.llmo.cli.terminal.TextTable.layout(report.cells(),
                    new boolean[] {false, true, true, true, true, true, true, true, true, true},
                    TerminalColumns.of(context.environment()), 6, 5, 7, 8);
            table.lines().forEach(out::println);
            if (report.judges() != null) {
                out.println(report.judges());
            }
            out.flush();
            dev.llmo.cli.terminal.TextTable.omitted(context.err(), table, "llmo batch report --json");
        }
        out.flush();
        if (report.missing() > 0) {
            context.err().println("llmo: note: " + report.missing() + " of " + (report.missing() + report.models()
                    .stream().mapToLong(BatchReport.ModelLine::calls).sum()) + " calls of batch " + report.id()
                    + " are not finished; the table counts the finished ones ('llmo batch resume " + report.id()
                    + "' runs the rest)");
            context.err().flush();
        }
        if (minimum != null && report.missing() > 0) {
            throw new dev.llmo.failure.FailureException("batch " + report.id() + " is not finished (" + report.missing()
                    + " calls missing), so its pass rate is not known", "'llmo batch resume " + report.id()
                    + "' runs the rest; then report again");
        }
        if (minimum != null && report.lowestPassRate().compareTo(minimum) < 0) {
            throw new dev.llmo.failure.FailureException("a model's pass rate ("
                    + report.lowestPassRate().movePointRight(2).stripTrailingZeros().toPlainString()
                    + "%) is below --min-pass-rate " + minimum.movePointRight(2).stripTrailingZeros().toPlainString()
                    + "%", "see the table for which model and which assertions");
        }
    }

    /** {@code 0.9} or {@code 90%}, as a fraction from 0 to 1. */
    static java.math.BigDecimal passRate(String text) {
        try {
            String value = text.strip();
            java.math.BigDecimal rate = value.endsWith("%")
                    ? new java.math.BigDecimal(value.substring(0, value.length() - 1).strip()).movePointLeft(2)
                    : new java.math.BigDecimal(value);
            if (rate.signum() < 0 || rate.compareTo(java.math.BigDecimal.ONE) > 0) {
                throw new NumberFormatException();
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new dev.llmo.failure.UsageException("--min-pass-rate must be from 0 to 1 (or 0% to 100%), not '"
                    + text + "'", "e.g. --min-pass-rate 0.9");
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Check a batch record's hash chain (as 'llmo log verify' does a conversation's).",
                    "Exit 6 naming the first bad line."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch verify last"})
    void verify(@Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.")
                String id) {
        Path file = store().resolve(id);
        VerifyReport report = ChainVerifier.verify(file);
        if (!report.ok()) {
            throw new LogVerificationException(file + ": " + report.problem().message(),
                    report.repairable() ? "'llmo batch resume " + id + "' cuts a torn last line and goes on"
                            : "the record was changed after it was written");
        }
        context.out().println(file.getFileName() + ": ok (" + report.events() + " events"
                + (report.ended() ? "" : ", not ended: running, or stopped; 'llmo batch resume' finishes it") + ")");
        context.out().flush();
    }
}
