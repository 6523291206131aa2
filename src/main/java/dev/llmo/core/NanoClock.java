package dev.llmo.core;

import java.util.function.LongSupplier;

/** The monotonic clock that timings (latency, time to first token, the spinner's seconds) are read from. */
public final class NanoClock {
    /**
     * {@link System#nanoTime}: one class shared by a run's timings, where each {@code System::nanoTime} reference would
     * be linked on its own, ~0.3 ms of start-up CPU apiece (ADR-003, "Eighteenth round").
     */
    public static final LongSupplier SYSTEM = new LongSupplier() {
        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    };

    private NanoClock() {
    }
}
