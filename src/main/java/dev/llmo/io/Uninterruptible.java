package dev.llmo.io;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Runs file I/O that an interrupt must not break. Java closes a {@link java.nio.channels.FileChannel} (and fails the
 * write with {@link java.nio.channels.ClosedByInterruptException}) when the thread using it is interrupted, and
 * llmo interrupts threads on purpose: Ctrl-C, SIGTERM and a closed stdout cancel a call by interrupting the thread
 * that runs it, and that very thread then writes the call's last events, the ledger entry and the release of its
 * budget hold. Clearing the interrupt flag before the write is not enough: the interrupt can come in the middle of
 * it. So the action runs on a thread of its own, which no other code knows and so nothing interrupts; the caller
 * waits for it without heeding interrupts and keeps its interrupt status for what it does next.
 *
 * <p>The action runs while its caller waits, on another thread: it must not need a monitor or lock that the caller
 * holds (it would wait for the caller, which waits for it). An action that starts another runs it in place (it is
 * already safe), so the locks an outer action takes stay on one thread.
 */
public final class Uninterruptible {
    private Uninterruptible() {
    }

    /** File I/O to run whole. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    /** How long a thread waits for the next action before it ends. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * The threads waiting for an action, the last one idle first. Starting a thread costs more than most writes (a
     * batch appends one line per call), so each is kept a while after its action; an action under way never waits
     * behind another (whose caller may hold what it needs): with none idle, it gets a new thread.
     */
    private static final ArrayDeque<Worker> IDLE = new ArrayDeque<>();

    /**
     * Runs {@code action} out of reach of interrupts and returns its result; what it throws is thrown here as it
     * is. The calling thread's interrupt status is the same afterwards (an interrupt that came meanwhile is kept).
     */
    public static <T> T call(Action<T> action) throws IOException {
        if (Thread.currentThread() instanceof Worker) {
            return action.run();
        }
        Job<T> job = new Job<>(action);
        Worker worker;
        synchronized (IDLE) {
            worker = IDLE.pollFirst();
        }
        if (worker == null) {
            new Worker(job).start();
        } else {
            worker.give(job);
        }
        return job.outcome();
    }

    /** One action, and what it came to once its worker has run it. */
    private static final class Job<T> {
        private final Action<T> action;
        private T result;
        private Throwable failure;
        private boolean done;

        Job(Action<T> action) {
            this.action = action;
        }

        /** On the worker: runs the action, keeping its result or what it threw. */
        void run() {
            try {
                T value = action.run();
                synchronized (this) {
                    result = value;
                }
            } catch (Throwable e) {
                synchronized (this) {
                    failure = e; // handed to the caller, which knows what it means
                }
            }
        }

        /** On the worker, once it is idle again: the caller may go on. */
        synchronized void finish() {
            done = true;
            notifyAll();
        }

        /** On the caller: waits for the end without heeding interrupts, then returns or throws what the action did. */
        synchronized T outcome() throws IOException {
            boolean interrupted = false;
            while (!done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the I/O goes on; the interrupt is the caller's to act on afterwards
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure); // an Action throws IOException at most
            }
            return result;
        }
    }

    /** A thread that runs one action after another, known to nobody else, so nothing interrupts it. */
    private static final class Worker extends Thread {
        private Job<?> next;

        Worker(Job<?> first) {
            super("llmo-file-io");
            setDaemon(true); // never what keeps the JVM alive; whoever waits for it does
            next = first;
        }

        synchronized void give(Job<?> job) {
            next = job;
            notifyAll();
        }

        @Override
        public void run() {
            for (Job<?> job = take(0); job != null; job = take(IDLE_NANOS)) {
                job.run();
                synchronized (IDLE) {
                    IDLE.addFirst(this); // idle before its caller goes on, so that the caller's next action finds it
                }
                job.finish();
            }
        }

        /** The next job, or null when none came within {@code nanos} and this thread leaves the idle ones. */
        private Job<?> take(long nanos) {
            synchronized (this) {
                waitFor(System.nanoTime() + nanos, false);
                if (next != null || nanos == 0) {
                    return handOut();
                }
            }
            synchronized (IDLE) {
                if (IDLE.remove(this)) {
                    return null;
                }
            }
            // a caller took this thread from the idle ones just now: its job is on the way
            synchronized (this) {
                waitFor(0, true);
                return handOut();
            }
        }

        /** Waits, holding this thread's monitor, until a job is given or (unless {@code ever}) {@code deadline}. */
        private void waitFor(long deadline, boolean ever) {
            while (next == null) {
                long left = deadline - System.nanoTime();
                if (!ever && left <= 0) {
                    return;
                }
                try {
                    if (ever) {
                        wait();
                    } else {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    // nothing interrupts this thread; were something to, it waits on all the same
                }
            }
        }

        private Job<?> handOut() {
            Job<?> job = next;
            next = null;
            return job;
        }
    }
}
