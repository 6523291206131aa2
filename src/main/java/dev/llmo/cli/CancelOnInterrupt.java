package dev.llmo.cli;

import dev.llmo.cli.terminal.Signals;
import dev.llmo.engine.Cancellation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a plan (or a chain) so that Ctrl-C cancels it. SIGINT starts the JVM's shutdown, which runs this
 * hook: it cancels every request in flight and waits (bounded) for the main thread to print the partial answers' end
 * and the error, after which the JVM exits with 130 (128 + SIGINT). SIGTERM and SIGHUP do the same and exit 143 and
 * 129; {@link Signals} tells which it was, so that the calls end (and are logged) as terminated or hung up.
 */
final class CancelOnInterrupt {
    /** How long the hook waits for the cancelled call to be reported, and then for the command to end. */
    private static final long REPORT_WAIT_MS = 3000;
    /**
     * Counted down when the command has ended: its error line printed by {@link ErrorReporter}, its resources closed,
     * stdout and stderr flushed ({@link LlmoCli#execute}). A process runs one command; in-process tests run many but
     * never signal, so the latch is the process's.
     */
    private static final CountDownLatch ENDED = new CountDownLatch(1);

    private CancelOnInterrupt() {
    }

    /**
     * Runs {@code body} on this thread so that Ctrl-C cancels {@code cancellation} (from the hook's thread), a signal
     * with an error saying {@code what} was stopped and how (null for Ctrl-C's own), then renders the outcome before
     * the JVM may exit. {@code body} must run its calls under {@code cancellation}: a cancelled call reports at once,
     * so {@code body} returns soon after, and nothing is left running.
     */
    static <T> T run(Cancellation cancellation, String what, Supplier<T> body, Consumer<T> render) {
        CountDownLatch rendered = new CountDownLatch(1);
        Thread hook = new Thread(new Runnable() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
            @Override
            public void run() {
                cancellation.cancel(Signals.stopReason(what));
                try {
                    // after the result is rendered, the error line still has to pass ErrorReporter: waited for, since
                    // a fixed grace (it was 150 ms) lost the line on a loaded machine (exit 130, nothing on stderr)
                    if (rendered.await(REPORT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                        ENDED.await(REPORT_WAIT_MS, TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "llmo-cancel-on-interrupt");
        boolean registered = register(hook);
        try {
            T result = body.get();
            render.accept(result);
            return result;
        } finally {
            rendered.countDown();
            if (registered) {
                unregister(hook);
            }
        }
    }

    /** The command has ended and its output is flushed: a hook waiting for its error line may let the JVM exit. */
    static void ended() {
        ENDED.countDown();
    }

    private static boolean register(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false; // already shutting down: nothing to protect
        }
    }

    private static void unregister(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down (Ctrl-C): the hook is running and ends by itself
        }
    }
}
