package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.BudgetException;
import dev.llmo.provider.ChatRequest;
import dev.llmo.message.Usage;

/**
 * What the {@link CallExecutor} does to every call before it is sent: fit the history into the model's window and
 * check the budgets. Refusing is throwing a {@link BudgetException} (exit 5): nothing is sent.
 */
public interface Preflight {
    /** Sends every request as it is, with no limit. */
    Preflight NONE = (model, request) -> Admission.unlimited(request);

    Admission admit(ModelRef model, ChatRequest request);

    /**
     * A request allowed through, and what to do when it ends.
     *
     * @param request the request to send (its history fitted)
     * @param settle  called with the reported usage (possibly null) once the call reached the model; returns what the
     *                call is counted at against the budgets (its worst case when no usage came), or null when no
     *                budget counts it
     * @param release called instead when nothing reached the model
     * @param recorded called once the call's end (and cost) is in the event log: what the budgets held for it
     *                 until then, for other processes to see, can go
     */
    record Admission(ChatRequest request, java.util.function.Function<Usage, java.math.BigDecimal> settle,
                     Runnable release, Runnable recorded) {
        /** An admission with nothing to do once recorded. */
        public Admission(ChatRequest request, java.util.function.Function<Usage, java.math.BigDecimal> settle,
                         Runnable release) {
            this(request, settle, release, NoBudget.INSTANCE);
        }

        /** The request as it is: no budget counts it, nothing is held for it. */
        public static Admission unlimited(ChatRequest request) {
            return new Admission(request, NoBudget.INSTANCE, NoBudget.INSTANCE, NoBudget.INSTANCE);
        }

        /**
         * Nothing to settle, release or let go: a class rather than lambdas, as every call without a budget comes
         * here and a lambda's linkage costs more at start-up than a class (ADR-003, "Seventh round").
         */
        private static final class NoBudget implements java.util.function.Function<Usage, java.math.BigDecimal>,
                Runnable {
            static final NoBudget INSTANCE = new NoBudget();

            @Override
            public java.math.BigDecimal apply(Usage usage) {
                return null;
            }

            @Override
            public void run() {
                // nothing held
            }
        }
    }
}
