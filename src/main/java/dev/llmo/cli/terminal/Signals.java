package dev.llmo.cli.terminal;

import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;

/**
 * Which signal is ending the process. SIGINT, SIGTERM and SIGHUP all start the JVM's shutdown, and a shutdown
 * hook cannot tell them apart; the exit code can (130, 143, 129), so the log must too. A handler of each records
 * the signal, then passes it on to the JVM's own handler, which starts the shutdown with exit 128 + the signal's
 * number as before. Without {@code sun.misc.Signal} (or with a signal the JVM does not let us have) nothing is
 * installed and every stop counts as an interrupt, as it did.
 */
public final class Signals {
    private static volatile ExitCode received;

    private Signals() {
    }

    /** Installs the handlers; called once by the launcher's entry point, never in process tests. */
    public static void install() {
        watch("INT", ExitCode.INTERRUPTED);
        watch("TERM", ExitCode.TERMINATED);
        watch("HUP", ExitCode.HANGUP);
    }

    @SuppressWarnings("restriction")
    private static void watch(String name, ExitCode code) {
        try {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            Handler handler = new Handler(code);
            handler.previous = sun.misc.Signal.handle(signal, handler);
            if (handler.previous == sun.misc.SignalHandler.SIG_IGN) {
                // ignored on purpose (nohup): keep it ignored
                sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
            }
        } catch (RuntimeException | LinkageError e) {
            // not available here: the stop is reported as an interrupt, as before
        }
    }

    /** A class, not a lambda: each lambda linked costs a run's start-up ~0.3 ms of CPU (ADR-003). */
    @SuppressWarnings("restriction")
    private static final class Handler implements sun.misc.SignalHandler {
        private final ExitCode code;
        private volatile sun.misc.SignalHandler previous;

        Handler(ExitCode code) {
            this.code = code;
        }

        @Override
        public void handle(sun.misc.Signal s) {
            received = code;
            sun.misc.SignalHandler jvm = previous;
            if (jvm != null && jvm != sun.misc.SignalHandler.SIG_DFL && jvm != sun.misc.SignalHandler.SIG_IGN) {
                jvm.handle(s);
            } else {
                System.exit(code.code());
            }
        }
    }

    /** The exit code of the signal ending the process: Ctrl-C's when none was seen (or none could be watched). */
    public static ExitCode stopping() {
        ExitCode code = received;
        return code == null ? ExitCode.INTERRUPTED : code;
    }

    /**
     * The error a call stopped by the signal ends with, saying {@code what} happened to it; null for Ctrl-C, whose
     * error the provider client words itself.
     */
    public static LlmoException stopReason(String what) {
        ExitCode code = stopping();
        return code == ExitCode.INTERRUPTED ? null : InterruptedRunException.of(code, what);
    }
}
