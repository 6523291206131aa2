package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ProviderConfig;
import dev.llmo.cost.UsageCost;
import dev.llmo.message.Usage;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchRow;
import dev.llmo.provider.BatchService;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.RemoteBatch;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs rows on a provider's batch service instead of live ({@code llmo batch run --via provider}): each row's request
 * is built as the live call builds it ({@link CallExecutor#chatRequest}: the model's defaults, its default answer
 * limit, the options sorted) and prepared by the provider's live client, so the body in the batch is the body the live
 * call would send; keys come from the same {@link ProviderKeys}. An answer costs the model's batch prices.
 */
public final class RemoteBatches {
    private final ProviderKeys keys;
    private final ProviderClients clients;

    public RemoteBatches(ProviderKeys keys, ProviderClients clients) {
        this.keys = keys;
        this.clients = clients;
    }

    /**
     * One row bound for a remote batch.
     *
     * @param customId what the provider's result names it by ({@link BatchRow}'s rules)
     * @param request  the row's call, as a live batch would make it
     */
    public record Row(String customId, RunRequest request) {
        public Row {
            Objects.requireNonNull(customId, "customId");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * One remote batch as submitted.
     *
     * @param customIds the rows it holds
     */
    public record Submitted(ModelRef model, RemoteBatch batch, List<String> customIds) {
        public Submitted {
            customIds = List.copyOf(customIds);
        }
    }

    /**
     * Submits {@code rows}, all for {@code model}, split into as many remote batches as the provider's limits ask;
     * {@code each} hears each one as soon as the provider has it, so that its id is kept even when a later submission
     * fails.
     */
    public void submit(ModelRef model, List<Row> rows, Consumer<Submitted> each) {
        ProviderConfig provider = model.provider();
        ProviderClient client = clients.create(provider, keys.keyFor(provider).orElse(null));
        BatchService service = service(provider);
        List<BatchRow> prepared = new ArrayList<>(rows.size());
        for (Row row : rows) {
            if (!row.request().model().equals(model)) {
                throw new IllegalArgumentException("a remote batch holds the rows of one model");
            }
            RunRequest request = row.request();
            // answered whole: nobody watches a batch's answers arrive
            RunRequest whole = new RunRequest(model, request.system(), request.messages(), request.options(), false,
                    request.tools());
            prepared.add(new BatchRow(row.customId(), client.prepare(CallExecutor.chatRequest(whole))));
        }
        for (List<BatchRow> part : service.split(prepared)) {
            RemoteBatch batch = service.submit(model.modelName(), part);
            each.accept(new Submitted(model, batch, part.stream().map(BatchRow::customId).toList()));
        }
    }

    public RemoteBatch status(ProviderConfig provider, String id) {
        return service(provider).status(id);
    }

    public RemoteBatch cancel(ProviderConfig provider, String id) {
        return service(provider).cancel(id);
    }

    /** The results of an ended remote batch, each as it is read ({@link BatchService#results}). */
    public void results(ProviderConfig provider, RemoteBatch batch, Consumer<BatchResult> each) {
        service(provider).results(batch, each);
    }

    /** What an answer of the batch service costs: the model's batch prices, else its live ones; null when unknown. */
    public static BigDecimal cost(ModelRef model, Usage usage) {
        return UsageCost.batchUsd(model.spec().pricing(), usage);
    }

    private BatchService service(ProviderConfig provider) {
        return clients.batches(provider, keys.keyFor(provider).orElse(null));
    }
}
