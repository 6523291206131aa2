package dev.llmo.cli;

import dev.llmo.config.ModelRef;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import java.util.List;

/**
 * How the command line shows a run of several models: it hears the run as it goes (each call's start, content and
 * end, told apart by {@link dev.llmo.core.CallId#index()}, the call's plan position), then shows the outcome.
 */
interface MultiRunView extends RunListener {
    @Override
    default void onEvent(RunEvent event) {
        if (event instanceof RunEvent.CallStarted started) {
            started(started.call().index(), started.call().model());
        } else if (event instanceof RunEvent.CallEnded ended) {
            finished(ended.call().index(), ended.result());
        } else if (event instanceof RunEvent.OfCall content) {
            content(content);
        }
    }

    /** The call of plan position {@code index} was sent (it may have waited for a slot). */
    default void started(int index, ModelRef model) {
    }

    /** What a call streams, from that call's thread. */
    default void content(RunEvent.OfCall event) {
    }

    /** Call {@code index} ended (recorded already); from the thread running the plan, in end order. */
    default void finished(int index, RunResult result) {
    }

    /** The run starts (a live view draws its first frame). */
    default void begin() {
    }

    /** Every call has ended: show what is left to show, in plan order. */
    void done(List<RunResult> results);

    /** Stops anything still drawing; called in any case, after {@link #done} or after a failure. */
    default void close() {
    }
}
