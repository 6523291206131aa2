package dev.llmo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.batch.BatchLock;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.BatchSpec;
import dev.llmo.batch.BatchStore;
import dev.llmo.batch.BatchSummary;
import dev.llmo.batch.OutFile;
import dev.llmo.config.ModelRef;
import dev.llmo.core.Conversation;
import dev.llmo.core.RemoteBatches;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.RemoteBatch;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llmo batch status | wait | cancel ID}: a batch sent with {@code --via provider}, as its providers report it.
 * Each works from the record's {@code batch.remote} entries ({@link BatchVia}); {@code wait} merges the results into
 * the record as {@code batch.row} entries, so that they export as a live batch's do.
 */
final class BatchRemoteCommands {
    private BatchRemoteCommands() {
    }

    /** One remote batch of a record. */
    record Remote(int modelIndex, String model, String id, long firstRow, long rows, List<String> ids) {
        /** The dataset's id of the row at {@code index}: its own, or its number when it had none. */
        String rowId(long index) {
            long at = index - firstRow;
            return ids.isEmpty() || at < 0 || at >= ids.size() ? Long.toString(index + 1) : ids.get((int) at);
        }
    }

    /** What a record says of its remote batches: each, and those whose results are all in. */
    record Remotes(List<Remote> all, Set<String> fetched) {
    }

    static Remotes remotes(Path file) {
        List<Remote> all = new ArrayList<>();
        Set<String> fetched = new LinkedHashSet<>();
        EventLog.forEach(file, event -> {
            JsonNode data = event.data();
            if (BatchVia.REMOTE.equals(event.type())) {
                List<String> ids = new ArrayList<>();
                data.path("ids").forEach(id -> ids.add(id.asText()));
                all.add(new Remote(data.path("model_index").asInt(), data.path("model").asText(),
                        data.path("remote_id").asText(), data.path("first_row").asLong(), data.path("rows").asLong(),
                        ids));
            } else if (BatchVia.FETCHED.equals(event.type())) {
                fetched.add(data.path("remote_id").asText());
            }
        });
        return new Remotes(all, fetched);
    }

    /** The record of {@code id}, which must have been sent with {@code --via provider} and have a remote batch. */
    static Path remoteRecord(CliContext context, String id) {
        Path file = new BatchStore(context.dirs().batchesDir()).resolve(id);
        String batchId = BatchStore.id(file);
        if (!BatchVia.PROVIDER.equals(BatchSummary.of(file).spec().via())) {
            throw new UsageException("batch " + batchId + " ran live, not on the providers' batch services",
                    "'llmo batch show " + batchId + "' shows it; status, wait and cancel are for 'llmo batch run "
                            + "--via provider'");
        }
        if (remotes(file).all().isEmpty()) {
            throw new FailureException("batch " + batchId + " has no remote batch: its submission to the providers "
                    + "stopped before one was created", "send the dataset again with 'llmo batch run … --via provider'");
        }
        return file;
    }

    static ModelRef model(CliContext context, String id) {
        return context.settings().catalog().resolve(id);
    }

    private static String counts(RemoteBatch batch) {
        var c = batch.counts();
        return c.done() + "/" + c.total() + " done" + (c.failed() > 0 ? ", " + c.failed() + " failed" : "")
                + (c.expired() > 0 ? ", " + c.expired() + " expired" : "")
                + (c.cancelled() > 0 ? ", " + c.cancelled() + " cancelled" : "");
    }

    @Command(name = "status", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Poll the remote batches of a batch sent with --via provider: per remote batch its model, "
                    + "provider id, state and rows done.", "Changes nothing; 'llmo batch wait' fetches the results."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch status last", "  llmo batch status 01JD --json"})
    static final class Status implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.")
        String id;

        @Option(names = "--json", description = "JSON Lines on stdout: one object per remote batch.")
        boolean json;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path file = remoteRecord(context, id);
            Remotes remotes = remotes(file);
            RemoteBatches service = CoreServices.remoteBatches(context);
            PrintWriter out = context.out();
            for (Remote remote : remotes.all()) {
                RemoteBatch batch = service.status(model(context, remote.model()).provider(), remote.id());
                if (json) {
                    var line = dev.llmo.provider.http.Json.object();
                    line.put("model", remote.model());
                    line.put("remote_id", remote.id());
                    line.put("state", batch.state().id());
                    line.put("status", batch.status());
                    line.put("rows", remote.rows());
                    line.put("succeeded", batch.counts().succeeded());
                    line.put("failed", batch.counts().failed());
                    line.put("expired", batch.counts().expired());
                    line.put("cancelled", batch.counts().cancelled());
                    line.put("fetched", remotes.fetched().contains(remote.id()));
                    out.println(line);
                } else {
                    // the id and a failure are the provider's words
                    out.println(context.stdoutText(remote.model() + "  " + remote.id() + "  " + batch.state().id()
                            + "  " + counts(batch) + (remotes.fetched().contains(remote.id())
                            ? "  (results in the record)" : batch.failure() == null ? "" : "  " + batch.failure())));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Ask the providers to stop the remote batches of a batch sent with --via provider.",
                    "Rows already answered keep their results: 'llmo batch wait' fetches them."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch cancel last && llmo batch wait last"})
    static final class Cancel implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.")
        String id;

        Cancel(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Path file = remoteRecord(context, id);
            Remotes remotes = remotes(file);
            RemoteBatches service = CoreServices.remoteBatches(context);
            for (Remote remote : remotes.all()) {
                if (remotes.fetched().contains(remote.id())) {
                    continue;
                }
                RemoteBatch batch = service.cancel(model(context, remote.model()).provider(), remote.id());
                context.out().println(context.stdoutText(remote.model() + "  " + remote.id() + "  "
                        + batch.state().id()));
            }
            context.out().flush();
            return 0;
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Wait for the remote batches of a batch sent with --via provider, then print its results "
                    + "as JSON Lines in dataset order, as a live batch's.",
                    "Progress goes to stderr at each poll. Exit 1 when a row failed, expired or was cancelled; "
                            + "Ctrl-C stops waiting (the batches run on, 'wait' again later)."},
            footerHeading = "%nExamples:%n", footer = {"  llmo batch wait last > results.jsonl",
                    "  llmo batch wait 01JD --interval 300 --out results.jsonl"})
    static final class Wait implements Callable<Integer> {
        private final CliContext context;

        @Parameters(paramLabel = "ID", description = "Batch id, a unique prefix of one, or 'last'.")
        String id;

        @Option(names = "--interval", paramLabel = "SECONDS", description = "Seconds between polls (default 60, "
                + "at least 1).")
        double interval = 60;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the results to FILE (whole or not at "
                + "all) instead of stdout.")
        Path out;

        Wait(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!(interval >= 1 && interval <= 86_400)) {
                throw new UsageException("--interval must be from 1 to 86400 seconds", "e.g. --interval 60");
            }
            Path file = remoteRecord(context, id);
            BatchSpec spec = BatchSummary.of(file).spec();
            if (out != null) {
                OutFile.check(out, spec.dataset().equals("-") ? null : Path.of(spec.dataset()), file);
            }
            List<String> models = spec.models();
            RemoteBatches service = CoreServices.remoteBatches(context);
            long failed = 0;
            try (BatchRecord record = BatchRecord.resume(BatchLock.take(file), false, context.settings().digest(),
                    BuildInfo.version(), context.logOptions(), repaired -> context.err().println("llmo: " + repaired))) {
                try {
                    failed = waitAndFetch(record, service);
                } catch (InterruptedException e) {
                    record.end(ExitCode.INTERRUPTED);
                    throw InterruptedRunException.of(ExitCode.INTERRUPTED, "stopped waiting; the batches run on at "
                            + "the providers, 'llmo batch wait " + record.id() + "' goes on");
                } catch (LlmoException e) {
                    record.end(e.exitCode());
                    throw e;
                }
                record.end(failed > 0 ? ExitCode.FAILURE : ExitCode.OK);
            }
            BatchExecution.export(context, file, models.size(), out);
            if (failed > 0) {
                throw new FailureException(failed + " rows failed, expired or were cancelled (their errors are in the "
                        + "results)", "to run them again, send those rows in a new batch");
            }
            return 0;
        }

        /** Polls until every remote batch has ended and its results are in the record; the rows that failed. */
        private long waitAndFetch(BatchRecord record, RemoteBatches service) throws InterruptedException {
            long failed = 0;
            while (true) {
                Remotes remotes = remotes(record.file());
                long pending = 0;
                long done = 0;
                long total = 0;
                for (Remote remote : remotes.all()) {
                    total += remote.rows();
                    if (remotes.fetched().contains(remote.id())) {
                        done += remote.rows();
                        continue;
                    }
                    ModelRef model = model(context, remote.model());
                    RemoteBatch batch = service.status(model.provider(), remote.id());
                    if (!batch.state().ended()) {
                        pending++;
                        done += batch.counts().done();
                        continue;
                    }
                    failed += fetch(record, service, model, remote, batch);
                    done += remote.rows();
                }
                context.err().println("llmo: batch " + record.id() + ": " + done + "/" + total + " rows done"
                        + (pending == 0 ? "" : ", " + pending + " remote batch" + (pending == 1 ? "" : "es")
                        + " running; next poll in " + RunRenderer.seconds((long) (interval * 1000))));
                context.err().flush();
                if (pending == 0) {
                    return failedRows(record.file());
                }
                Thread.sleep((long) (interval * 1000));
            }
        }

        /** The rows whose last result in the record is a failure: each wait's exit code tells of the whole batch. */
        private static long failedRows(Path file) {
            return BatchSummary.of(file).failedCalls();
        }

        /** Merges one ended remote batch's results into the record; the rows that failed. */
        private long fetch(BatchRecord record, RemoteBatches service, ModelRef model, Remote remote,
                           RemoteBatch batch) {
            long[] failed = {0};
            service.results(model.provider(), batch, result -> {
                long[] at = BatchVia.parse(result.customId());
                if (at == null || at[1] != remote.modelIndex() || at[0] < remote.firstRow()
                        || at[0] >= remote.firstRow() + remote.rows() || record.finished(at[0], (int) at[1])) {
                    return; // not a row of this remote batch, or one already in the record
                }
                if (result.outcome() != BatchResult.Outcome.SUCCEEDED) {
                    failed[0]++;
                }
                record.row(row(model, remote, at[0], result));
            });
            // a row the provider returned nothing for is a failure of its own, not a hole in the results
            for (long index = remote.firstRow(); index < remote.firstRow() + remote.rows(); index++) {
                if (!record.finished(index, remote.modelIndex())) {
                    failed[0]++;
                    LlmoException missing = new ModelCallException(batch.state() == dev.llmo.provider.BatchState.EXPIRED
                            ? ErrorKind.EXPIRED : batch.state() == dev.llmo.provider.BatchState.CANCELLED
                            ? ErrorKind.CANCELLED : ErrorKind.BAD_RESPONSE, null, model.provider().name()
                            + "'s batch " + remote.id() + " ended " + batch.status() + " without a result for this row"
                            + (batch.failure() == null ? "" : ": " + batch.failure()), null);
                    record.row(row(model, remote, index, BatchResult.failed(BatchVia.customId(index,
                            remote.modelIndex()), BatchResult.Outcome.FAILED, missing)));
                }
            }
            var data = dev.llmo.provider.http.Json.object();
            data.put("remote_id", remote.id());
            data.put("status", batch.status());
            record.note(new EventData.Custom(BatchVia.FETCHED, data));
            return failed[0];
        }

        /**
         * The row's stop reason as a live call's is recorded: a failed row has one only when the model or a filter
         * ended it (refused, blocked), not what was read of an answer cut by another failure.
         */
        private static String stopReason(BatchResult result) {
            if (result.error() == null) {
                return result.response().stopReason().id();
            }
            dev.llmo.provider.StopReason stop = dev.llmo.provider.StopReason.ofFailure(result.error());
            return stop == null ? null : stop.id();
        }

        private static EventData.BatchRow row(ModelRef model, Remote remote, long index, BatchResult result) {
            LlmoException error = result.error();
            var response = result.response();
            BigDecimal cost = response == null ? null : RemoteBatches.cost(model, response.usage());
            return new EventData.BatchRow(index, remote.rowId(index), remote.modelIndex(), model.id(), null, null,
                    response == null ? List.of() : response.message().parts(),
                    stopReason(result), response == null ? null : response.usage(),
                    cost == null ? null : cost.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact(),
                    0, null, error == null ? null : Conversation.errorKind(error),
                    error instanceof CallError call ? call.status() : null, error == null ? null : error.getMessage(),
                    List.of());
        }
    }
}
