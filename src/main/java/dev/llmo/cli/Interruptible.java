package dev.llmo.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs work so that Ctrl-C cancels it cleanly: SIGINT starts the JVM's shutdown, whose hook calls {@code cancel}
 * and then waits (a few seconds at most) for the work to end, so that its last words (the partial answer, the
 * log's session.end) are written before the JVM exits with 130.
 */
final class Interruptible {
    private static final long WAIT_MS = 3000;

    private Interruptible() {
    }

    static <T> T run(Runnable cancel, Supplier<T> work) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.run();
            try {
                done.await(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "llmo-cancel-on-interrupt");
        boolean registered;
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            registered = true;
        } catch (IllegalStateException e) {
            registered = false; // already shutting down
        }
        try {
            return work.get();
        } finally {
            done.countDown();
            if (registered) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down: the hook is running and ends by itself
                }
            }
        }
    }
}
