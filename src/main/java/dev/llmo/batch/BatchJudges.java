package dev.llmo.batch;

import dev.llmo.config.ModelRef;
import dev.llmo.core.CallId;
import dev.llmo.core.CallRecorder;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.engine.Plan;
import dev.llmo.engine.Recording;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.provider.ChatRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The second phase of an eval: each {@code judge} assertion asks its model to grade every successful answer the
 * record holds and has no verdict for yet, one call each through the one engine (budgets, limits, cancel), each
 * verdict written to the record as a {@code batch.judge} as it comes. The answers are read from the record and the
 * rows from the dataset, both in dataset order, by a reader thread that stays a few calls ahead of the engine.
 */
public final class BatchJudges {
    /** What a judge is told, before the rubric, the prompt and the answer. */
    static final String INSTRUCTIONS = "You grade an answer by a rubric. Reply with PASS or FAIL as your first word, "
            + "then one sentence saying why.";

    private final Orchestrator engine;
    private final RowRequests requests;
    private final int models;
    private final List<Assertion> asserts;
    private final Map<Integer, ModelRef> judges;

    /** What the judging did. */
    public record Outcome(long judged, long failed, LlmoException stopped) {
    }

    /** @param judges the model of each judge assertion, by its position among the assertions */
    public BatchJudges(Orchestrator engine, RowRequests requests, int models, List<Assertion> asserts,
                       Map<Integer, ModelRef> judges) {
        this.engine = engine;
        this.requests = requests;
        this.models = models;
        this.asserts = List.copyOf(asserts);
        this.judges = Map.copyOf(judges);
    }

    public Outcome run(BatchRecord record, Path dataset, String shown, RunListener listener,
                       Cancellation cancellation) {
        if (judges.isEmpty()) {
            return new Outcome(0, 0, null);
        }
        Calls calls = new Calls(record, dataset, shown, cancellation);
        List<ModelRef> judgeModels = judges.values().stream().distinct().toList();
        try {
            engine.run(new Plan.Batch(judgeModels, calls), listener, Recording.NONE, cancellation);
        } finally {
            calls.reader.interrupt();
        }
        if (calls.failure != null) {
            throw calls.failure;
        }
        return new Outcome(calls.succeeded(), calls.failed(), calls.stopped());
    }

    /** The judge's prompt for one answer. */
    static String prompt(String rubric, String prompt, String answer) {
        return INSTRUCTIONS + "\n\nRubric: " + rubric + "\n\nPrompt: " + prompt + "\n\nAnswer: " + answer;
    }

    /** The verdict in a judge's answer: its first word, PASS or FAIL; null when it is neither. */
    static Boolean verdict(String text) {
        String first = text.strip().split("[\\s.,:;!]+", 2)[0].replace("*", "").toUpperCase(Locale.ROOT);
        return first.equals("PASS") ? Boolean.TRUE : first.equals("FAIL") ? Boolean.FALSE : null;
    }

    private final class Calls extends CallSource {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(64);
        private final Thread reader;
        private volatile RuntimeException failure;
        private boolean ended;

        Calls(BatchRecord record, Path dataset, String shown, Cancellation cancellation) {
            super(cancellation);
            this.reader = new Thread(() -> read(record, dataset, shown), "llmo-batch-judges");
            reader.setDaemon(true);
            reader.start();
        }

        /** On the reader thread: every answer to judge, with its row, in dataset order, into the queue. */
        private void read(BatchRecord record, Path dataset, String shown) {
            try (Dataset rows = Dataset.open(dataset, shown)) {
                DatasetRow[] current = {rows.next()};
                BatchExport.each(record.file(), models, entry -> {
                    if (!entry.succeeded()) {
                        return;
                    }
                    while (current[0] != null && current[0].index() < entry.row()) {
                        current[0] = rows.next();
                    }
                    if (current[0] == null || current[0].index() != entry.row()) {
                        return;
                    }
                    for (Map.Entry<Integer, ModelRef> judge : judges.entrySet()) {
                        int a = judge.getKey();
                        if (record.judged(entry.row(), entry.modelIndex(), a)) {
                            continue;
                        }
                        Assertion.Judge assertion = (Assertion.Judge) asserts.get(a);
                        String text = prompt(Assertion.fill(assertion.rubric(), current[0].values()),
                                requests.prompt(current[0]), entry.text());
                        RunRequest request = RunRequest.of(judge.getValue(), null, text, Map.of(), false);
                        put(new Call(new CallId(judge.getValue(), "judge", 0, entry.row()), request,
                                new JudgeRecorder(record, entry.row(), entry.modelIndex(), a)));
                    }
                });
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                put(Boolean.FALSE);
            }
        }

        private void put(Object item) {
            try {
                queue.put(item);
            } catch (InterruptedException e) {
                throw new IllegalStateException("judging was stopped", e);
            }
        }

        @Override
        public Call next() {
            if (ended) {
                return null;
            }
            try {
                Object item = queue.take();
                if (item instanceof Call call) {
                    return call;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancellation().cancel();
            }
            ended = true;
            return null;
        }
    }

    /** Writes one verdict as a {@code batch.judge}. */
    static final class JudgeRecorder implements CallRecorder {
        private final BatchRecord record;
        private final long row;
        private final int model;
        private final int assertion;
        private volatile boolean sent;

        JudgeRecorder(BatchRecord record, long row, int model, int assertion) {
            this.record = record;
            this.row = row;
            this.model = model;
            this.assertion = assertion;
        }

        @Override
        public long requestSent(ModelRef judge, ChatRequest request, byte[] body) {
            sent = true;
            return 0;
        }

        @Override
        public void retried(long request, int attempt, Duration delay, LlmoException reason) {
        }

        @Override
        public void answered(long request, RunResult result) {
            boolean interrupted = result.error() instanceof InterruptedRunException;
            if (!sent || interrupted && result.usage() == null && result.costUsd() == null
                    || result.error() instanceof ModelAuthException) {
                return; // nothing was sent, or nothing it cost (a refused key stops the batch): judged again later
            }
            // a call Ctrl-C ended gave no verdict, nor did it fail the check: recorded for its cost with neither pass
            // nor error, which the report counts as missing and a resume judges again
            Boolean pass = result.succeeded() ? verdict(result.text()) : null;
            String error = interrupted ? null : !result.succeeded() ? result.error().getMessage()
                    : pass == null ? "the judge's answer starts with neither PASS nor FAIL" : null;
            record.judge(new EventData.BatchJudge(row, model, assertion, result.model().id(), pass,
                    result.answer().parts(), result.usage(), BatchRunner.micro(result.costUsd()), result.latencyMs(),
                    error));
        }
    }
}
