package dev.llmo.batch;

import dev.llmo.config.ModelRef;
import dev.llmo.core.CallId;
import dev.llmo.core.CallRecorder;
import dev.llmo.core.Conversation;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.engine.Plan;
import dev.llmo.engine.Recording;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ContextWindowException;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.provider.ChatRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Runs what a batch record is missing: every row of the dataset on every model, but those the record has finished,
 * each one call through the one engine (a {@link Plan.Batch}: the same limits, budgets, retries and cancel handle as
 * every run), each finished call written to the record as it ends. The dataset is read as the calls go, so memory does
 * not grow with it. A call the budget refuses stops the batch (the rest stays missing, for a resume); a row too large
 * for a model's context window is a failed call of that row (no budget would let it through, so a stop would block every
 * resume at the same row).
 */
public final class BatchRunner {
    private final Orchestrator engine;
    private final RowRequests requests;
    private final List<ModelRef> models;
    private final List<Assertion> asserts;

    /** What a run did. */
    public record Outcome(long succeeded, long failed, LlmoException stopped) {
    }

    /** @param asserts the batch's assertions: each call's result is checked against them as it is recorded */
    public BatchRunner(Orchestrator engine, RowRequests requests, List<ModelRef> models, List<Assertion> asserts) {
        this.engine = engine;
        this.requests = requests;
        this.models = List.copyOf(models);
        this.asserts = List.copyOf(asserts);
    }

    /**
     * Runs the missing calls of {@code record} over {@code dataset} (read again from its start).
     *
     * @param listener hears every call's events ({@link dev.llmo.core.RunEvent.CallEnded} once each is recorded)
     * @param lines    where each call's result line goes as it ends, or null
     */
    public Outcome run(BatchRecord record, Path dataset, String shown, RunListener listener,
                       Cancellation cancellation, ResultLines lines) {
        try (Dataset rows = Dataset.open(dataset, shown)) {
            Calls calls = new Calls(record, rows, shown, cancellation, lines);
            engine.run(new Plan.Batch(models, calls), listener, Recording.NONE, cancellation);
            return new Outcome(calls.succeeded(), calls.failed(), calls.stopped());
        }
    }

    /** The calls of the rows as the engine asks for them; on the engine's thread. */
    private final class Calls extends CallSource {
        private final BatchRecord record;
        private final Dataset rows;
        private final String shown;
        private final ResultLines lines;
        private final Deque<Call> ready = new ArrayDeque<>();

        Calls(BatchRecord record, Dataset rows, String shown, Cancellation cancellation, ResultLines lines) {
            super(cancellation);
            this.record = record;
            this.rows = rows;
            this.shown = shown;
            this.lines = lines;
        }

        @Override
        public boolean holding() {
            return lines != null && lines.holding();
        }

        @Override
        public Call next() {
            while (ready.isEmpty()) {
                DatasetRow row = rows.next();
                if (row == null && rows.rowsRead() < record.spec().rows()) {
                    // the rows that are gone would be neither sent nor printed, and the batch would end 'ok'
                    throw new FailureException("the dataset " + shown + " has " + rows.rowsRead() + " rows now, "
                            + record.spec().rows() + " when the batch started: it changed while the batch ran",
                            "put the rows back as they were, then 'llmo batch resume " + record.id() + "'");
                }
                if (row == null || row.index() >= record.spec().rows()) {
                    // rows written to the dataset after it was read and priced are not this batch's
                    return null;
                }
                String input = null;
                for (int m = 0; m < models.size(); m++) {
                    if (record.finished(row.index(), m)) {
                        continue;
                    }
                    if (input == null) {
                        input = requests.inputSha256(row);
                    }
                    ModelRef model = models.get(m);
                    ready.add(new Call(new CallId(model, null, m, row.index()), requests.request(row, model),
                            new RowRecorder(record, row, m, input, asserts, cancellation())));
                }
            }
            return ready.poll();
        }

        @Override
        public void ended(Call call, RunResult result) {
            super.ended(call, result);
            if (lines != null) {
                EventData.BatchRow row = ((RowRecorder) call.recorder()).recorded;
                if (row != null && !BatchRecord.INTERRUPTED.equals(row.errorKind())) {
                    lines.done(row);
                } else {
                    // not done: a resume runs it, and no line after it can go out before it
                    lines.missing(lines.position(call.id().row(), call.id().index()));
                }
            }
        }
    }

    /** USD to whole micro-USD, rounded half up as a conversation's log does; null (unknown) stays null. */
    static Long micro(java.math.BigDecimal usd) {
        return usd == null ? null : usd.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    /** Writes one call's end as its {@code batch.row}, before anyone else hears of it. */
    private static final class RowRecorder implements CallRecorder {
        private final BatchRecord record;
        private final DatasetRow row;
        private final int model;
        private final String inputSha256;
        private final List<Assertion> asserts;
        private final Cancellation cancellation;
        private volatile String bodySha256;
        /** What {@link #answered} recorded, or null. */
        private volatile EventData.BatchRow recorded;

        RowRecorder(BatchRecord record, DatasetRow row, int model, String inputSha256, List<Assertion> asserts,
                    Cancellation cancellation) {
            this.record = record;
            this.row = row;
            this.model = model;
            this.inputSha256 = inputSha256;
            this.asserts = asserts;
            this.cancellation = cancellation;
        }

        @Override
        public long requestSent(ModelRef modelRef, ChatRequest request, byte[] body) {
            bodySha256 = dev.llmo.eventlog.Sha256.of(body);
            return 0;
        }

        @Override
        public void retried(long request, int attempt, Duration delay, LlmoException reason) {
        }

        @Override
        public void answered(long request, RunResult result) {
            LlmoException error = result.error();
            if (error instanceof BudgetException && !(error instanceof ContextWindowException) && bodySha256 == null
                    || error instanceof ModelAuthException) {
                // refused before sending, or the key was: nothing was answered or paid, the call stays missing and a
                // plain resume (after the budget or key is fixed) sends it
                return;
            }
            List<Boolean> checks = new java.util.ArrayList<>();
            for (Assertion assertion : asserts) {
                checks.add(Assertion.check(assertion, row.values(), result.text(), result.succeeded(),
                        result.latencyMs(), result.costUsd()));
            }
            // a call the batch's stop ended did not fail: recorded (what it cost counts) but not finished
            String kind = error == null ? null
                    : CallSource.stopped(cancellation, error) ? BatchRecord.INTERRUPTED
                    : error instanceof ContextWindowException ? ErrorKind.CONTEXT_LENGTH.id() : Conversation.errorKind(error);
            // the row is what the user can change here: its message says so, where llmo run's speaks of the prompt
            String message = error == null ? null : error instanceof ContextWindowException
                    ? error.getMessage() + "; shorten the row, lower the answer's reserve with -o max_tokens=N, or pick "
                            + "a model with a larger window ('llmo models')"
                    : error.getMessage();
            EventData.BatchRow entry = new EventData.BatchRow(row.index(), row.id(), model, result.model().id(),
                    inputSha256, bodySha256, result.answer().parts(), result.stopReason() == null ? null
                    : result.stopReason().id(), result.usage(), micro(result.costUsd()), result.latencyMs(), result.ttftMs(), kind,
                    error instanceof CallError call ? call.status() : null, message, checks);
            record.row(entry);
            recorded = entry;
        }
    }
}
