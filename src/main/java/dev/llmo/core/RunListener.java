package dev.llmo.core;

/**
 * What the core reports while calls go on, so that the command line can show them: the core never prints. One
 * listener hears every call of a run (each event names its call); the events of one call come from that call's
 * thread, in order. A listener that throws stops the call (a closed stdout: nobody reads what is still paid for).
 */
@FunctionalInterface
public interface RunListener {
    /** Hears nothing. */
    RunListener NONE = event -> { };

    void onEvent(RunEvent event);
}
