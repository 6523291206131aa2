package dev.llmo.io;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work on a thread that another thread keeps interrupting, as Ctrl-C, SIGTERM or a closed stdout interrupt a
 * call's thread while it writes the call's last events: an interrupt may come before, between or in the middle of
 * file writes.
 */
public final class InterruptStorm {
    /** Work that may throw anything. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private InterruptStorm() {
    }

    /**
     * Runs {@code work} {@code times} times on one thread, interrupted all the while, and returns whether that thread
     * was still interrupted at the end (its status must survive the writes). What the work throws is thrown here.
     */
    public static boolean run(int times, Work work) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        boolean[] interruptedAtEnd = new boolean[1];
        Thread worker = new Thread(() -> {
            // the storm has begun before the first write: on a loaded machine the work could otherwise end before the
            // interrupter ever ran, and the status checked at the end would say nothing
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
            try {
                for (int i = 0; i < times; i++) {
                    work.run();
                }
            } catch (Exception e) {
                failure.set(e);
            }
            interruptedAtEnd[0] = Thread.currentThread().isInterrupted();
        }, "interrupted-writer");
        Thread interrupter = new Thread(() -> {
            while (worker.isAlive()) {
                worker.interrupt();
                Thread.yield();
            }
        }, "interrupter");
        worker.start();
        interrupter.start();
        worker.join();
        interrupter.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return interruptedAtEnd[0];
    }
}
