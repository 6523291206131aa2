package dev.llmo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.batch.Assertion;
import dev.llmo.batch.BatchLock;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.BatchScan;
import dev.llmo.batch.BatchSpec;
import dev.llmo.batch.BatchStore;
import dev.llmo.batch.OutFile;
import dev.llmo.batch.RowRequests;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Settings;
import dev.llmo.core.CallExecutor;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo batch resume}: runs only what a batch's record is missing, then prints all its results. */
@Command(name = "resume", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run what a batch is missing (after Ctrl-C, kill -9 or a crash), then print all its results.",
                "A call whose result is in the record is never sent again; a failed one only with --retry-failed."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo batch resume last", "  llmo batch resume 01JD --retry-failed",
                "  llmo batch resume 01JD --dataset moved/questions.jsonl"})
final class BatchResumeCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.")
    String id;

    @Option(names = "--retry-failed", description = "Send the calls that failed again too.")
    boolean retryFailed;

    @Option(names = "--dataset", paramLabel = "FILE", description = "The dataset, when it came on stdin or moved "
            + "(it must be the same bytes).")
    String dataset;

    @Mixin
    BatchOptions batch = new BatchOptions();

    BatchResumeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Settings settings = context.settings();
        Path recordFile = new BatchStore(context.dirs().batchesDir()).resolve(id);
        String batchId = BatchStore.id(recordFile);
        // taken before the record is read: what another run is still writing must not be sent again
        BatchLock lock = BatchLock.take(recordFile);
        BatchRecord record;
        RunPlan plan;
        try {
            plan = plan(settings, recordFile, batchId);
            record = BatchRecord.resume(lock, retryFailed, settings.digest(), BuildInfo.version(),
                    context.logOptions(), note -> context.err().println("llmo: note: " + note));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        OutFile out;
        try {
            out = batch.out == null ? null : OutFile.open(batch.out);
        } catch (RuntimeException e) {
            record.close();
            throw e;
        }
        context.err().println("llmo: batch " + record.id() + ": " + plan.scan().todo() + " of "
                + plan.scan().rows() * plan.models().size() + " calls to run");
        return BatchExecution.run(context, plan.executor(), plan.limit(), record, plan.file(), plan.shown(),
                plan.requests(), plan.models(), plan.asserts(), plan.judges(), plan.scan(), out);
    }

    /** What the resume runs, read from the record and checked against the dataset, before the record is opened. */
    private record RunPlan(Path file, String shown, List<ModelRef> models, RowRequests requests, List<Assertion> asserts,
                           Map<Integer, ModelRef> judges, BatchScan scan, CallExecutor executor, int limit) {
    }

    private RunPlan plan(Settings settings, Path recordFile, String batchId) {
        BatchRecord.Contents contents = BatchRecord.read(recordFile, retryFailed);
        BatchSpec spec = contents.spec();
        if (!"live".equals(spec.via())) {
            throw new UsageException("batch " + batchId + " was sent to the providers' batch services (--via "
                    + spec.via() + "), so it is not resumed live", "'llmo batch status " + batchId + "' polls it, "
                    + "'llmo batch wait " + batchId + "' fetches its results");
        }
        String given = dataset != null ? dataset : spec.dataset();
        if (given.equals("-") && dataset == null) {
            throw new UsageException("batch " + batchId + " read its dataset from stdin or a pipe, which is gone",
                    "pass the same dataset again: --dataset FILE (or --dataset - with it on stdin)");
        }
        Path file = BatchExecution.datasetFile(context, given);
        String shown = given.equals("-") ? "stdin" : given;
        if (batch.out != null) {
            OutFile.check(batch.out, given.equals("-") ? null : file, recordFile);
        }
        CallExecutor executor = CoreServices.executor(context, batch.maxCost, batch.timeout);
        int limit = batch.concurrency != null ? BatchExecution.concurrency(batch.concurrency)
                : Math.max(1, spec.concurrency());
        List<ModelRef> models = spec.models().stream().map(settings.catalog()::resolve).toList();
        RowRequests requests = new RowRequests(spec.prompt(), spec.system(), options(spec.optionsJson()), shown);
        List<Assertion> parsed = Assertion.parseAll(spec.asserts(), context.environment().workingDir());
        Map<Integer, ModelRef> judges = BatchExecution.judges(settings, parsed);
        CoreServices.requireKeys(context, java.util.stream.Stream.concat(models.stream(), judges.values().stream())
                .toList());
        BatchScan scan = BatchExecution.scan(context, file, shown, requests, models, (row, model) -> {
            var done = contents.finished().get(model);
            return done != null && done.get((int) (long) row);
        }, batch.maxCost, judges, parsed);
        if (!scan.sha256().equals(spec.datasetSha256())) {
            throw new ConfigException("the dataset " + shown + " is not the one batch " + batchId + " started with "
                    + "(its SHA-256 differs)", "pass the original with --dataset FILE; a changed dataset is a new batch");
        }
        return new RunPlan(file, shown, models, requests, parsed, judges, scan, executor, limit);
    }

    /** The options a spec recorded as JSON text. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> options(String json) {
        JsonNode node = dev.llmo.provider.http.Json.parse(json).orElse(null);
        if (node == null || !node.isObject()) {
            return Map.of();
        }
        return dev.llmo.provider.http.Json.mapper().convertValue(node, Map.class);
    }
}
