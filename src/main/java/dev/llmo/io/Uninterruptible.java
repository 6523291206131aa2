package dev.llmo.io;

import java.io.IOException;

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

    /**
     * Runs {@code action} out of reach of interrupts and returns its result; what it throws is thrown here as it
     * is. The calling thread's interrupt status is the same afterwards (an interrupt that came meanwhile is kept).
     */
    public static <T> T call(Action<T> action) throws IOException {
        if (Thread.currentThread() instanceof Worker) {
            return action.run();
        }
        Worker<T> worker = new Worker<>(action);
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the I/O goes on; the interrupt is the caller's to act on afterwards
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return worker.outcome();
    }

    private static final class Worker<T> extends Thread {
        private final Action<T> action;
        private T result;
        private Throwable failure;

        Worker(Action<T> action) {
            super("llmo-file-io");
            setDaemon(true); // never what keeps the JVM alive; whoever waits for it does
            this.action = action;
        }

        @Override
        public void run() {
            try {
                result = action.run();
            } catch (Throwable e) {
                failure = e; // handed to the caller, which knows what it means
            }
        }

        /** After {@link #join()}: the result, or what the action threw. */
        T outcome() throws IOException {
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
}
