package dev.llmo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.batch.Assertion;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.BatchScan;
import dev.llmo.batch.BatchSpec;
import dev.llmo.batch.BatchStore;
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
        BatchRecord.Contents contents = BatchRecord.read(recordFile, retryFailed);
        BatchSpec spec = contents.spec();
        if (!"live".equals(spec.via())) {
            throw new UsageException("batch " + id + " runs on " + spec.via() + "'s batch API, not live",
                    "use 'llmo batch status' and 'llmo batch wait' for it");
        }
        String given = dataset != null ? dataset : spec.dataset();
        if (given.equals("-") && dataset == null) {
            throw new UsageException("batch " + id + " read its dataset from stdin, which is gone",
                    "pass the same dataset again: --dataset FILE (or --dataset - with it on stdin)");
        }
        Path file = BatchExecution.datasetFile(context, given);
        String shown = given.equals("-") ? "stdin" : given;
        List<ModelRef> models = spec.models().stream().map(settings.catalog()::resolve).toList();
        RowRequests requests = new RowRequests(spec.prompt(), spec.system(), options(spec.optionsJson()), shown);
        List<Assertion> parsed = Assertion.parseAll(spec.asserts(), context.environment().workingDir());
        Map<Integer, ModelRef> judges = BatchExecution.judges(settings, parsed);
        BatchScan scan = BatchExecution.scan(context, file, shown, requests, models, (row, model) -> {
            var done = contents.finished().get(model);
            return done != null && done.get((int) (long) row);
        }, batch.maxCost, judges, parsed);
        if (!scan.sha256().equals(spec.datasetSha256())) {
            throw new ConfigException("the dataset " + shown + " is not the one batch " + id + " started with (its "
                    + "SHA-256 differs)", "pass the original with --dataset FILE; a changed dataset is a new batch");
        }
        CallExecutor executor = CoreServices.executor(context, batch.maxCost, batch.timeout);
        int limit = batch.concurrency != null ? BatchExecution.concurrency(batch.concurrency)
                : Math.max(1, spec.concurrency());
        BatchRecord record = BatchRecord.resume(recordFile, retryFailed, settings.digest(), BuildInfo.version(),
                context.logOptions(), note -> context.err().println("llmo: note: " + note));
        context.err().println("llmo: batch " + record.id() + ": " + scan.todo() + " of " + scan.rows() * models.size()
                + " calls to run");
        return BatchExecution.run(context, executor, limit, record, file, shown, requests, models, parsed, judges,
                scan, batch.out);
    }

    /** The options a spec recorded as JSON text. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> options(String json) {
        JsonNode node = dev.llmo.provider.http.Json.parse(json).orElse(null);
        if (node == null || !node.isObject()) {
            return Map.of();
        }
        return dev.llmo.provider.http.Json.MAPPER.convertValue(node, Map.class);
    }
}
