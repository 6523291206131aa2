package dev.llmo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.Dataset;
import dev.llmo.batch.DatasetRow;
import dev.llmo.batch.RowRequests;
import dev.llmo.config.ModelRef;
import dev.llmo.core.RemoteBatches;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.http.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code llmo batch run --via provider}: the rows go to each model's provider's batch service (OpenAI Batch, Anthropic
 * Message Batches, Gemini Batch Mode) instead of being called live. The record keeps one {@code batch.remote} entry per
 * remote batch (its provider's id, its model, which rows it holds); {@code batch status}, {@code wait} and
 * {@code cancel} ({@link BatchRemoteCommands}) work from those.
 */
final class BatchVia {
    /** The value of {@code --via} that sends the rows to the providers' batch services. */
    static final String PROVIDER = "provider";
    /** A remote batch submitted: {@code {model_index, model, remote_id, status, first_row, rows, ids?}}. */
    static final String REMOTE = "batch.remote";
    /** A remote batch whose results are all in the record: {@code {remote_id, status}}. */
    static final String FETCHED = "batch.remote.fetched";
    private static final Pattern CUSTOM_ID = Pattern.compile("r(\\d{1,18})-m(\\d{1,4})");

    private BatchVia() {
    }

    /** {@code --via}: {@code live} (the default) or {@code provider}; null stays live. */
    static String via(String given) {
        if (given == null || given.equals("live")) {
            return "live";
        }
        if (given.toLowerCase(Locale.ROOT).equals(PROVIDER)) {
            return PROVIDER;
        }
        throw new UsageException("--via takes 'live' or 'provider', not '" + given + "'",
                "e.g. --via provider (the providers' batch services, about half price, answered within 24 hours)");
    }

    /** The id the provider's result names a row by: its index and its model's. */
    static String customId(long row, int model) {
        return "r" + row + "-m" + model;
    }

    /** {row, model} of a custom id llmo made, or null for one it did not. */
    static long[] parse(String customId) {
        Matcher matcher = CUSTOM_ID.matcher(customId);
        return matcher.matches() ? new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))}
                : null;
    }

    /**
     * Submits every row on every model, each model's rows to its provider's batch service (split to its limits),
     * recording each remote batch as soon as the provider has it; says on stderr what was submitted and how to go on.
     */
    static int submit(CliContext context, BatchRecord record, Path dataset, String shown, RowRequests requests,
                      List<ModelRef> models) {
        try (record) {
            int[] submitted = {0};
            try {
                send(context, record, dataset, shown, requests, models, submitted);
            } catch (RuntimeException e) {
                if (submitted[0] == 0) {
                    // nothing reached a provider: a record without a remote batch could be neither waited for nor
                    // resumed, so none is kept
                    record.discard();
                } else if (e instanceof dev.llmo.failure.LlmoException failure) {
                    // what was submitted stays recorded: 'batch status' and 'wait' see it
                    record.end(failure.exitCode());
                }
                throw e;
            }
            record.end(dev.llmo.failure.ExitCode.OK);
        }
        context.err().println("llmo: batch " + record.id() + " runs at the providers (within 24 hours); 'llmo batch "
                + "status " + record.id() + "' polls it, 'llmo batch wait " + record.id() + "' waits for the "
                + "results");
        context.err().flush();
        return 0;
    }

    /** {@code --via provider} refuses what only a live batch does. */
    static void check(java.util.List<String> asserts, Path out) {
        if (!asserts.isEmpty()) {
            throw new UsageException("--assert and --eval asserts are not checked on a batch sent with --via provider "
                    + "yet", "run it live, or without asserts");
        }
        if (out != null) {
            throw new UsageException("--out goes with 'llmo batch wait' for a batch sent with --via provider",
                    "e.g. llmo batch wait last --out results.jsonl");
        }
    }

    /** Submits the rows; counts in {@code remotes} the remote batches recorded. */
    private static void send(CliContext context, BatchRecord record, Path dataset, String shown, RowRequests requests,
                             List<ModelRef> models, int[] remotes) {
        RemoteBatches remote = CoreServices.remoteBatches(context);
        for (int m = 0; m < models.size(); m++) {
            ModelRef model = models.get(m);
            List<RemoteBatches.Row> rows = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            boolean ownIds = false;
            try (Dataset data = Dataset.open(dataset, shown)) {
                DatasetRow row;
                // the rows counted and priced before: not those appended to the file since
                while ((row = data.next()) != null && row.index() < record.spec().rows()) {
                    rows.add(new RemoteBatches.Row(customId(row.index(), m), requests.request(row, model)));
                    ids.add(row.id());
                    ownIds |= !row.id().equals(Long.toString(row.index() + 1));
                }
            }
            int index = m;
            boolean keepIds = ownIds;
            long[] first = {0};
            remote.submit(model, rows, submitted -> {
                ObjectNode data = Json.object();
                data.put("model_index", index);
                data.put("model", model.id());
                data.put("remote_id", submitted.batch().id());
                data.put("status", submitted.batch().status());
                data.put("first_row", first[0]);
                data.put("rows", submitted.customIds().size());
                if (keepIds) {
                    // the dataset's own ids, for the results: the dataset may be gone (stdin) when they come
                    var list = data.putArray("ids");
                    ids.subList((int) first[0], (int) first[0] + submitted.customIds().size()).forEach(list::add);
                }
                first[0] += submitted.customIds().size();
                record.note(new dev.llmo.eventlog.EventData.Custom(REMOTE, data));
                remotes[0]++;
                context.err().println("llmo: " + submitted.customIds().size() + " rows of " + model.id() + " sent to "
                        + model.provider().name() + "'s batch service as " + submitted.batch().id());
            });
        }
    }
}
