package dev.llmo.provider;

import java.util.List;
import java.util.Objects;

/**
 * A batch on a provider's service, as it last reported it.
 *
 * @param id        the provider's id ({@code batch_...}, {@code msgbatch_...}, {@code batches/...})
 * @param state     where it is
 * @param status    the provider's own word for it ({@code in_progress}, {@code ended}, {@code BATCH_STATE_RUNNING})
 * @param counts    its rows by outcome so far
 * @param results   where its results are, in the provider's terms (file ids, a results URL); empty before the end
 * @param failure   why the provider refused the batch as a whole, or null
 */
public record RemoteBatch(String id, BatchState state, String status, BatchCounts counts, List<String> results,
                          String failure) {
    public RemoteBatch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(counts, "counts");
        results = List.copyOf(results);
    }
}
