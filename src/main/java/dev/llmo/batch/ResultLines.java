package dev.llmo.batch;

import dev.llmo.eventlog.EventData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongPredicate;

/**
 * A live run's result lines, printed as they become due: a call's line goes out as soon as it and every call before
 * it (dataset order, each row's models in order) is done, so that a reader of stdout sees the first rows while the
 * batch runs. The lines of the calls finished before this run (a resume) come from the record, read ahead by a thread
 * of their own; those of this run as the run hands them in, the ones ahead of their turn held back in a bounded
 * buffer: when it is full, {@link #holding()} asks for no more calls until the one that is due ends.
 *
 * <p>A call of this run that ends without a line (the budget refused it, Ctrl-C stopped it) leaves a gap nothing after
 * it can pass: the lines held beyond it are dropped, those before it still go out as their turn comes (a batch that
 * stops still writes every call done before its first gap), and what follows the gap is printed from the record at a
 * normal end ({@link #rest}), so that the lines are always the record's results in dataset order, whole, never one
 * twice. Not thread-safe: one
 * thread hands in the ends (the engine's, in {@link BatchCalls#ended}) and finishes.
 */
public final class ResultLines implements AutoCloseable {
    /** At most this many lines wait for their turn... */
    static final int HELD_LINES = 1024;
    /** ...and at most this many characters of them. */
    static final long HELD_CHARS = 16L << 20;

    private final PrintWriter out;
    private final int models;
    private final long calls;
    private final LongPredicate runNow;
    private final TreeMap<Long, String> held = new TreeMap<>();
    private long heldChars;
    private long due;
    /** The first position of this run that ended without a line: nothing from it on is printed until {@link #rest}. */
    private long gap = Long.MAX_VALUE;
    private final Thread reader;
    private final BlockingQueue<Object> earlier;

    /** A line of a call finished before this run, as the reader hands it over. */
    private record Earlier(long position, String line) {
    }

    /** Where the reader's lines end (a failed read ends them too). */
    private static final Object END = new Object();

    /**
     * @param calls  the batch's calls: rows × models
     * @param runNow whether this run makes the call at a position; the others are finished, their lines in
     *               {@code record}
     */
    public ResultLines(PrintWriter out, Path record, int models, long calls, LongPredicate runNow) {
        this.out = out;
        this.models = models;
        this.calls = calls;
        this.runNow = runNow;
        boolean resumed = false;
        for (long position = 0; position < calls && !resumed; position++) {
            resumed = !runNow.test(position);
        }
        if (resumed) {
            earlier = new ArrayBlockingQueue<>(256);
            reader = new Thread(() -> readEarlier(record), "llmo-batch-lines");
            reader.setDaemon(true);
            reader.start();
        } else {
            earlier = null;
            reader = null;
        }
        advance();
        out.flush();
    }

    /** The position of a call: its row × the models + its model. */
    public long position(long row, int model) {
        return row * models + model;
    }

    /** A call of this run ended with {@code row} recorded: its line goes out when it is due. */
    public void done(EventData.BatchRow row) {
        long position = position(row.row(), row.modelIndex());
        if (position >= gap) {
            return;
        }
        String line = BatchExport.line(row);
        if (position != due) {
            held.put(position, line);
            heldChars += line.length();
            return;
        }
        out.println(line);
        due++;
        advance();
        out.flush();
    }

    /**
     * The call at {@code position} (see {@link #position}) ended without a line for this run to print: nothing from it
     * on is printed until {@link #rest}; the lines before it still go out when they are due.
     */
    public void missing(long position) {
        if (position >= gap) {
            return;
        }
        gap = position;
        var beyond = held.tailMap(position, true);
        for (String line : beyond.values()) {
            heldChars -= line.length();
        }
        beyond.clear();
    }

    /** Whether the buffer is full and the line that is due still to come: no more calls should start for now. */
    public boolean holding() {
        return due < gap && (held.size() >= HELD_LINES || heldChars >= HELD_CHARS);
    }

    /** Every line not printed yet, from the record: at the end of a run that was not stopped. */
    public void rest(Path record) {
        close();
        if (due < calls) {
            long from = due;
            BatchExport.each(record, models, position -> position >= from, row -> out.println(BatchExport.line(row)));
        }
        out.flush();
    }

    /** Stops the reader of the earlier lines. */
    @Override
    public void close() {
        if (reader != null) {
            reader.interrupt();
        }
    }

    /** Prints the lines that are due and at hand, held back or finished earlier. */
    private void advance() {
        while (due < gap && due < calls) {
            String line = held.remove(due);
            if (line != null) {
                heldChars -= line.length();
            } else if (!runNow.test(due)) {
                line = earlier(due);
                if (line == null) {
                    missing(due); // the record no longer reads as it did: the rest comes from it at the end
                    return;
                }
            } else {
                return; // still running
            }
            out.println(line);
            due++;
        }
    }

    /** The line of the call at {@code position}, finished before this run; null when the reader has none. */
    private String earlier(long position) {
        try {
            while (true) {
                Object item = earlier.take();
                if (!(item instanceof Earlier line) || line.position() > position) {
                    return null;
                }
                if (line.position() == position) {
                    return line.line();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** On the reader: the lines of the calls finished before this run, in dataset order. */
    private void readEarlier(Path record) {
        try {
            BatchExport.each(record, models, position -> position < calls && !runNow.test(position), row -> {
                try {
                    earlier.put(new Earlier(position(row.row(), row.modelIndex()), BatchExport.line(row)));
                } catch (InterruptedException e) {
                    throw new Stopped();
                }
            });
        } catch (RuntimeException e) {
            // stopped, or the record did not read: the lines not handed over come from it at the end
        } finally {
            try {
                earlier.put(END);
            } catch (InterruptedException e) {
                // the run is over: nobody waits for the end
            }
        }
    }

    /** Ends the reader's pass over the record when the run is over. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
