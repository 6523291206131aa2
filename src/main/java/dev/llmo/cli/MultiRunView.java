package dev.llmo.cli;

import dev.llmo.core.MultiRun;
import dev.llmo.core.RunResult;
import java.util.List;

/** How the command line shows a run of several models: it hears the run as it goes, then shows the outcome. */
interface MultiRunView extends MultiRun.Listener {
    /** The run starts (a live view draws its first frame). */
    default void begin() {
    }

    /** Every call has ended: show what is left to show, in plan order. */
    void done(List<RunResult> results);

    /** Stops anything still drawing; called in any case, after {@link #done} or after a failure. */
    default void close() {
    }
}
