package dev.llmo.engine;

import dev.llmo.core.CallId;
import dev.llmo.core.CallRecorder;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import java.util.Objects;

/**
 * Where a {@link Plan.Batch} takes its calls from and gives their ends back to. Both methods are called on the thread
 * running the plan, so an implementation needs no locking of its own.
 */
public interface BatchCalls {
    /** The next call to make (calls come in dataset order), or null when there is none left. */
    Call next();

    /** {@code call} ended and its recorder has recorded {@code result}; in the order the calls end. */
    void ended(Call call, RunResult result);

    /**
     * Whether no more calls should be taken until one of those handed out ends (the results that came ahead of
     * their turn fill the source's buffer). Asked only while a call runs or waits, so that holding never stalls
     * the batch.
     */
    default boolean holding() {
        return false;
    }

    /**
     * One call of a batch: its identity ({@link CallId#row()} the dataset row), its request, and the recorder that
     * records it (a batch records each call in its own way, not through the plan's {@link Recording}).
     */
    record Call(CallId id, RunRequest request, CallRecorder recorder) {
        public Call {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(recorder, "recorder");
        }
    }
}
