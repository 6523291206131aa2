package dev.llmo.provider;

import java.util.List;
import java.util.function.Consumer;

/**
 * A provider's own batch service (OpenAI Batch, Anthropic Message Batches, Gemini Batch Mode): rows are submitted
 * at once and answered within a day, at the provider's batch price. One implementation per wire format, beside its
 * {@link ProviderClient}, whose request bodies it sends unchanged. Every call blocks, retries like a chat call and
 * fails with a typed {@link dev.llmo.failure.LlmoException}; nothing here prints.
 */
public interface BatchService {

    /** The most one remote batch takes, as the provider documents it. */
    BatchLimits limits();

    /** The bytes {@code row} adds to a submission: what {@link #split} counts against {@link BatchLimits#maxBytes()}. */
    long sizeOf(BatchRow row);

    /**
     * Submits rows of one model as one remote batch. The rows must fit {@link #limits()} ({@link #split} makes them
     * so) and their custom ids must be unique.
     */
    RemoteBatch submit(String model, List<BatchRow> rows);

    /** The state and counts of a remote batch now. */
    RemoteBatch status(String id);

    /** Asks the provider to stop a remote batch; finished rows keep their results. */
    RemoteBatch cancel(String id);

    /**
     * The results of a remote batch that has {@link BatchState#ended() ended}, one per row the provider answered, in
     * no particular order, each as soon as it is read: a results file may be large and is never held whole. A line that
     * cannot be read is a failed result of its row, not a failure of the whole fetch.
     */
    void results(RemoteBatch batch, Consumer<BatchResult> each);

    /**
     * {@code rows} in submissions that each fit {@link #limits()}, in order: at most {@link BatchLimits#maxRequests()}
     * rows and {@link BatchLimits#maxBytes()} bytes each.
     *
     * @throws dev.llmo.failure.ModelCallException when one row alone is larger than a whole submission may be
     */
    default List<List<BatchRow>> split(List<BatchRow> rows) {
        return BatchSplit.of(rows, limits(), this::sizeOf);
    }
}
