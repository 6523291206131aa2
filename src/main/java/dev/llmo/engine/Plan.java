package dev.llmo.engine;

import dev.llmo.config.ModelRef;
import dev.llmo.core.RunRequest;
import java.util.List;
import java.util.Objects;

/**
 * What one run does with its models, decided before anything is sent: the {@link Orchestrator} runs every kind the
 * same way (one scheduler, one listener, one cancel handle), so a new kind of run (a dataset batch, a tool loop) is
 * one more variant here, not one more runner.
 */
public sealed interface Plan permits Plan.Single, Plan.FanOut, Plan.Pipeline, Plan.ChainStep, Plan.Batch {

    /** The models of the plan, in the order their calls are numbered ({@link dev.llmo.core.CallId#index()}). */
    List<ModelRef> models();

    /** One call to one model. */
    record Single(RunRequest request) implements Plan {
        public Single {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public List<ModelRef> models() {
            return List.of(request.model());
        }
    }

    /**
     * The same request to every model, as many at once as the scheduler allows, started in this order. The answers
     * do not join the history: there is no one answer to continue from.
     */
    record FanOut(RunRequest request, List<ModelRef> models) implements Plan {
        public FanOut {
            Objects.requireNonNull(request, "request");
            models = nonEmpty(models);
        }
    }

    /**
     * Each model in turn: the first gets the request, each later one the previous answer alone as its user message;
     * the last answer is the run's. It stops at the first call that fails.
     */
    record Pipeline(RunRequest request, List<ModelRef> models) implements Plan {
        public Pipeline {
            Objects.requireNonNull(request, "request");
            models = nonEmpty(models);
        }
    }

    /**
     * One step of a chain: its prompt to each of its models at once (its calls name the step), each answer recorded in
     * the chain's conversation.
     */
    record ChainStep(String step, RunRequest request, List<ModelRef> models) implements Plan {
        public ChainStep {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(request, "request");
            models = nonEmpty(models);
        }
    }

    /**
     * A dataset batch: every row on every model, each one call, as many at once as the scheduler allows (it backs off a
     * provider that answers 429 and recovers: {@link ConcurrencyLimits}). The calls come from {@code calls} one at a
     * time as the scheduler has room for them, and their ends go back to it, so that a batch of any size runs in
     * bounded memory: the engine keeps no result.
     */
    record Batch(List<ModelRef> models, BatchCalls calls) implements Plan {
        public Batch {
            Objects.requireNonNull(calls, "calls");
            models = nonEmpty(models);
        }
    }

    /** What the flags of {@code run} ask for: one model is one call; several run at once unless in sequence. */
    static Plan of(RunRequest request, List<ModelRef> models, boolean sequential) {
        if (models.size() == 1) {
            return new Single(request.withModel(models.get(0)));
        }
        return sequential ? new Pipeline(request, models) : new FanOut(request, models);
    }

    private static List<ModelRef> nonEmpty(List<ModelRef> models) {
        List<ModelRef> copy = List.copyOf(models);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one model");
        }
        return copy;
    }
}
