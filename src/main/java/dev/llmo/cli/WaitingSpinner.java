package dev.llmo.cli;

import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.core.NanoClock;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * While one call waits for its first output on a terminal (seconds, with a slow or reasoning model or
 * {@code --no-stream}): a spinner and the time waited on one stderr line, redrawn every frame and erased before
 * anything else is printed. It writes to stderr only, and only when stderr is a terminal: stdout's bytes are the
 * answer's. A question asked on the terminal meanwhile (the vault's password) holds it still: {@link #pause}.
 */
final class WaitingSpinner {
    /** The frames the multi-model {@link LiveView} turns too. */
    static final String[] FRAMES = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    static final long FRAME_MS = 100;
    /** Draws nothing. */
    static final WaitingSpinner NONE = new WaitingSpinner(null, "", NanoClock.SYSTEM, FRAME_MS);

    private final PrintWriter err;
    private final String label;
    private final LongSupplier nanoTime;
    private final long frameMs;
    private long startedNanos;
    private long pausedNanos;
    private int frame;
    private boolean drawn;
    private boolean paused;
    private boolean stopped;
    private Thread ticker;

    /**
     * @param err   stderr, a terminal
     * @param label what is waited for, e.g. the model's name (shown, not obeyed: it comes from configuration)
     */
    WaitingSpinner(PrintWriter err, String label, LongSupplier nanoTime, long frameMs) {
        this.err = err;
        String shown = TerminalText.visible(label);
        // one line however narrow the terminal: a wrapped line would not be overwritten by the next frame
        this.label = dev.llmo.cli.terminal.Columns.cut(shown, 40);
        this.nanoTime = nanoTime;
        this.frameMs = frameMs;
    }

    /**
     * Draws the first frame after one frame's time and the next ones every frame: an answer (or a question, the vault's
     * password) that comes sooner has the line to itself, with no spinner flashing before it.
     */
    synchronized WaitingSpinner start() {
        if (err == null) {
            return this;
        }
        startedNanos = nanoTime.getAsLong();
        ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(frameMs);
                    tick();
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }, "llmo-waiting");
        ticker.setDaemon(true);
        ticker.start();
        return this;
    }

    /** {@code next} behind the spinner: any output of the call but an idle moment erases it first, for good. */
    RunListener before(RunListener next) {
        if (this == NONE) {
            return next; // nothing drawn: no lambda linked for it either, on a run's start-up path (ADR-003)
        }
        return event -> {
            if (!(event instanceof RunEvent.Idle) && !(event instanceof RunEvent.CallStarted)) {
                stop();
            }
            next.onEvent(event);
        };
    }

    /** Erases the line; nothing is drawn any more. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        erase();
        if (ticker != null) {
            ticker.interrupt();
        }
    }

    /** Draws the next frame (none while a question is asked: the animation goes on where it stopped). */
    synchronized void tick() {
        if (draw()) {
            frame++;
        }
    }

    /**
     * Erases the line and draws nothing until {@link #resume}: a question is being asked on the terminal. The time it
     * takes to answer is not time spent waiting for the model, so the shown time does not count it.
     */
    synchronized void pause() {
        if (!paused) {
            paused = true;
            pausedNanos = nanoTime.getAsLong();
        }
        erase();
    }

    synchronized void resume() {
        if (paused) {
            paused = false;
            startedNanos += nanoTime.getAsLong() - pausedNanos;
        }
    }

    private boolean draw() {
        if (err == null || stopped || paused) {
            return false;
        }
        long ms = (nanoTime.getAsLong() - startedNanos) / 1_000_000;
        // \r and "clear to the end of the line": each frame overwrites the last, however wide it was
        err.print("\r" + FRAMES[frame % FRAMES.length] + " waiting for " + label + "  "
                + String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0) + "\u001b[K");
        err.flush();
        drawn = true;
        return true;
    }

    private void erase() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
            drawn = false;
        }
    }
}
