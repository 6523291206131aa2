package dev.llmo.batch;

import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.RunMode;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LogVerificationException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The record of one batch: {@code batches/<id>.jsonl}, a hash-chained event log (the conversations' format, mode
 * {@code batch}) with one entry per finished call, however many rows the dataset has:
 *
 * <pre>
 * session.start  {command: "batch run", mode: "batch", models: [...]}
 * batch.spec     {dataset, dataset_sha256, rows, models, prompt, system, options, asserts, concurrency, via}
 * batch.row      {row, row_id, model_index, model, input_sha256, body_sha256, parts, usage, cost_micro_usd, ...}
 * batch.judge    {row, model_index, assertion, model, pass, parts, usage, cost_micro_usd, ...}
 * session.end    {status, exit_code, cost_micro_usd}
 * (session.start of "batch resume", more rows, session.end, ...)
 * </pre>
 *
 * <p>A call is finished when its {@code batch.row} is written: one {@code write} of a whole line, so a kill -9 or a
 * crash of llmo loses at most the calls in flight, which a resume sends again. What was written reaches the disk
 * within {@value #SYNC_EVERY_MS} ms (or before the call counts as ended, with {@code LLMO_LOG_SYNC=event}), and at
 * every {@code session.end}. A call whose answer came but whose entry was not written is sent again (and paid
 * again): llmo cannot know what it answered, and skipping it would leave a row without a result. A call stopped by
 * Ctrl-C or a signal is written with the error kind {@code interrupted} (so that what it cost counts), and is not
 * finished: a resume sends it again.
 *
 * <p>The daily budget reads the record like a conversation ({@code cost.SpendLog} counts {@code batch.row} and
 * {@code batch.judge} costs): one file per batch, never one per row.
 */
public final class BatchRecord implements AutoCloseable {
    /** The error kind of a call stopped from outside (Ctrl-C, a signal): not finished, a resume runs it again. */
    public static final String INTERRUPTED = "interrupted";

    private final EventLog log;
    private final BatchLock lock;
    private final BatchSpec spec;
    private final Map<Integer, BitSet> finished;
    private final Map<Long, Boolean> judged = new HashMap<>();
    private long costMicroUsd;

    private BatchRecord(EventLog log, BatchLock lock, BatchSpec spec, Map<Integer, BitSet> finished,
                        Map<Long, Boolean> judged) {
        this.log = log;
        this.lock = lock;
        this.spec = spec;
        this.finished = finished;
        this.judged.putAll(judged);
    }

    /** How often the entries written are synced to disk, unless each is ({@code LLMO_LOG_SYNC=event}). */
    static final long SYNC_EVERY_MS = 200;

    /** Written without a sync per event: {@link #durable} decides when entries reach the disk. */
    private static EventLog.Options unsynced(EventLog.Options options) {
        return new EventLog.Options(options.clock(), false, null, options.salts());
    }

    private final java.util.concurrent.locks.ReentrantLock syncing = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong(-1);
    private volatile long synced = -1;
    private boolean syncEach;
    private Thread syncer;
    private boolean discarded;

    /**
     * Makes the entry {@code seq} durable. It is in the file already (one {@code write}): a kill -9 or a crash of llmo
     * cannot lose it. Against a crash of the machine: with {@code LLMO_LOG_SYNC=event} it returns once the entry is
     * synced (the first caller syncs everything written so far, those that waited find theirs on disk: one fsync per
     * group of calls that end together); by default a background thread syncs what was written every
     * {@value #SYNC_EVERY_MS} ms, so that a slow disk does not hold up the calls.
     */
    private void durable(long seq) {
        written.accumulateAndGet(seq, Math::max);
        if (syncEach) {
            syncUpTo(seq);
        }
    }

    private void syncUpTo(long seq) {
        if (synced >= seq) {
            return;
        }
        syncing.lock();
        try {
            if (synced >= seq) {
                return;
            }
            long upTo = written.get();
            log.sync();
            synced = upTo;
        } finally {
            syncing.unlock();
        }
    }

    /** Starts the background sync (or not, when every entry is synced as it is written). */
    private BatchRecord syncing(EventLog.Options options) {
        syncEach = options.syncEachEvent();
        if (!syncEach) {
            syncer = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Thread.sleep(SYNC_EVERY_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        syncUpTo(written.get());
                    } catch (RuntimeException e) {
                        return; // the disk failed: the next write says so to the call that makes it
                    }
                }
            }, "llmo-batch-sync");
            syncer.setDaemon(true);
            syncer.start();
        }
        return this;
    }

    /** Starts the record of a new batch in {@code dir}, locked ({@link BatchLock}) until {@link #close}. */
    public static BatchRecord create(Path dir, BatchSpec spec, String configSha256, String llmoVersion,
                                     EventLog.Options options) {
        EventLog log = EventLog.create(dir, new EventData.SessionStart("batch run", RunMode.BATCH, spec.models(),
                configSha256, llmoVersion), unsynced(options));
        BatchLock lock;
        try {
            lock = BatchLock.take(log.file());
            log.append(new EventData.Custom(BatchSpec.TYPE, spec.toJson()));
            log.sync();
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        return new BatchRecord(log, lock, spec, new HashMap<>(), Map.of()).syncing(options);
    }

    /**
     * Opens a record to run what it is missing. A torn last line (a crash while writing it) is cut first, keeping every
     * whole entry; any other damage refuses (exit 6). The record's lock is this record's from now on: {@link #close}
     * releases it, and so does a failure to open.
     *
     * @param lock        the batch's lock, taken before anything was read of the record that this run relies on
     * @param retryFailed whether failed calls count as missing too
     * @param repaired    told when a torn last line was cut
     */
    public static BatchRecord resume(BatchLock lock, boolean retryFailed, String configSha256, String llmoVersion,
                                     EventLog.Options options, Consumer<String> repaired) {
        try {
            return open(lock, retryFailed, configSha256, llmoVersion, options, repaired);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static BatchRecord open(BatchLock lock, boolean retryFailed, String configSha256, String llmoVersion,
                                    EventLog.Options options, Consumer<String> repaired) {
        Path file = lock.record();
        VerifyReport report = ChainVerifier.verify(file);
        if (report.repairable()) {
            ChainVerifier.Repair repair = ChainVerifier.repair(file);
            repaired.accept("the record's last line was torn (a crash while writing it); "
                    + (repair.newlineAdded() ? "its newline was added" : repair.bytesRemoved() + " bytes were cut"));
            report = repair.after();
        }
        if (!report.ok()) {
            throw new LogVerificationException(file + " does not verify: " + report.problem().message(),
                    "run 'llmo batch verify " + EventLogId.of(file) + "' for details; a changed record cannot be resumed");
        }
        Contents contents = read(file, retryFailed);
        EventLog log = EventLog.open(file, unsynced(options));
        log.append(new EventData.SessionStart("batch resume", RunMode.BATCH, contents.spec().models(), configSha256,
                llmoVersion));
        return new BatchRecord(log, lock, contents.spec(), contents.finished(), contents.judged()).syncing(options);
    }

    /** What a record holds, read once. */
    public record Contents(BatchSpec spec, Map<Integer, BitSet> finished, Map<Long, Boolean> judged, boolean ended) {
    }

    /** Reads a record: its spec and which calls are finished. */
    public static Contents read(Path file, boolean failedAreMissing) {
        BatchSpec[] spec = {null};
        Map<Integer, BitSet> finished = new HashMap<>();
        Map<Long, Boolean> judged = new HashMap<>();
        boolean[] ended = {false};
        EventLog.forEach(file, event -> {
            ended[0] = "session.end".equals(event.type());
            if (BatchSpec.TYPE.equals(event.type()) && spec[0] == null) {
                spec[0] = BatchSpec.of(event.data());
            } else if ("batch.row".equals(event.type())) {
                EventData.BatchRow row = (EventData.BatchRow) EventCodec.decode(event);
                BitSet done = finished.computeIfAbsent(row.modelIndex(), m -> new BitSet());
                boolean counts = row.succeeded() || !failedAreMissing && !INTERRUPTED.equals(row.errorKind());
                done.set((int) row.row(), counts);
            } else if ("batch.judge".equals(event.type())) {
                EventData decoded = EventCodec.decode(event);
                if (decoded instanceof EventData.BatchJudge judge && judge.pass() != null) {
                    judged.put(judgeKey(judge.row(), judge.modelIndex(), judge.assertion()), judge.pass());
                }
            }
        });
        if (spec[0] == null) {
            throw new ConfigException(file + " is not a batch record (it has no batch.spec)",
                    "run 'llmo batch list' to see the batches");
        }
        return new Contents(spec[0], finished, judged, ended[0]);
    }

    /** Every {@code batch.row} and {@code batch.judge} of a record, in file order, one at a time. */
    public static void entries(Path file, Consumer<EventData> sink) {
        EventLog.forEach(file, event -> {
            if ("batch.row".equals(event.type()) || "batch.judge".equals(event.type())) {
                sink.accept(EventCodec.decode(event));
            }
        });
    }

    static long judgeKey(long row, int model, int assertion) {
        return (row << 20) | ((long) model << 10) | assertion;
    }

    public String id() {
        return log.id();
    }

    public Path file() {
        return log.file();
    }

    public BatchSpec spec() {
        return spec;
    }

    /** Whether the call of {@code row} on model {@code model} is finished (it is not sent again). */
    public synchronized boolean finished(long row, int model) {
        BitSet done = finished.get(model);
        return done != null && done.get((int) row);
    }

    /**
     * Which calls are not finished now, by position (row × {@code models} + model): a copy, which the calls that
     * finish later do not change.
     */
    public synchronized java.util.function.LongPredicate unfinished(int models) {
        Map<Integer, BitSet> copy = new HashMap<>();
        finished.forEach((model, done) -> copy.put(model, (BitSet) done.clone()));
        return position -> {
            BitSet done = copy.get((int) (position % models));
            return done == null || !done.get((int) (position / models));
        };
    }

    /** Whether the judge assertion {@code assertion} has given its verdict on that call. */
    public synchronized boolean judged(long row, int model, int assertion) {
        return judged.containsKey(judgeKey(row, model, assertion));
    }

    /** Records a finished (or failed, or interrupted) call; from any thread. */
    public void row(EventData.BatchRow row) {
        durable(log.append(row).seq());
        synchronized (this) {
            if (row.costMicroUsd() != null) {
                costMicroUsd += row.costMicroUsd();
            }
            if (row.succeeded() || !INTERRUPTED.equals(row.errorKind())) {
                finished.computeIfAbsent(row.modelIndex(), m -> new BitSet()).set((int) row.row());
            }
        }
    }

    /** Records a judge's verdict; from any thread. */
    public void judge(EventData.BatchJudge judge) {
        durable(log.append(judge).seq());
        synchronized (this) {
            if (judge.costMicroUsd() != null) {
                costMicroUsd += judge.costMicroUsd();
            }
            if (judge.pass() != null) {
                judged.put(judgeKey(judge.row(), judge.modelIndex(), judge.assertion()), judge.pass());
            }
        }
    }

    /**
     * Appends any other entry, synced before it returns: what a batch run on a provider's batch API records beside
     * the rows (its remote batch ids, their states), as a {@link EventData.Custom} of its own type ({@code batch.remote}).
     * The results it fetches go in with {@link #row}, exactly as a live batch's.
     */
    public void note(EventData entry) {
        durable(log.append(entry).seq());
    }

    /** Ends this part of the record ({@code session.end}, synced). */
    public void end(ExitCode exitCode) {
        long cost;
        synchronized (this) {
            cost = costMicroUsd;
        }
        String status = exitCode == ExitCode.OK ? "ok" : exitCode.stoppedFromOutside() ? "interrupted" : "failed";
        log.append(new EventData.SessionEnd(status, exitCode.code(), cost));
    }

    /** Stops the background sync, syncs and closes the file, and lets the batch go ({@link BatchLock}). */
    @Override
    public void close() {
        if (discarded) {
            return;
        }
        stopSyncing();
        try {
            log.close();
        } finally {
            lock.close();
        }
    }

    /**
     * Takes back a record that holds nothing worth keeping (a {@code --via provider} batch none of whose remote batches
     * was created): its file and its lock file are removed, so that no batch shows that cannot be resumed or waited for.
     * A record another process wrote to meanwhile stays.
     */
    public void discard() {
        stopSyncing();
        discarded = true;
        try {
            if (log.discard()) {
                java.nio.file.Files.deleteIfExists(BatchLock.of(log.file()));
            } else {
                log.close();
            }
        } catch (java.io.IOException e) {
            // an empty lock file left behind: it names no batch
        } finally {
            lock.close();
        }
    }

    private void stopSyncing() {
        if (syncer != null) {
            syncer.interrupt();
            try {
                syncer.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A record's id for messages. */
    static final class EventLogId {
        private EventLogId() {
        }

        static String of(Path file) {
            String name = file.getFileName().toString();
            return name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
        }
    }
}
