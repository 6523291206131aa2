package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.UsageException;
import java.util.List;

/**
 * What a run does with its models: one call, the same request to every model at once, or a pipeline in which each
 * model gets the previous model's answer.
 *
 * @param models      the models in the order the command line gave them (the order of the output)
 * @param concurrency at most this many calls at once, or null for no bound beyond the providers' own
 *                    {@code max_concurrency}
 */
public record RunPlan(Mode mode, List<ModelRef> models, Integer concurrency) {
    /** How the models of a plan are called. */
    public enum Mode {
        /** One model, one call. */
        SINGLE,
        /** Every model gets the same request, at once. */
        PARALLEL,
        /** Each model gets the previous model's answer; the last answer is the output. */
        SEQUENTIAL
    }

    public RunPlan {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one model");
        }
        if (mode == Mode.SINGLE && models.size() != 1) {
            throw new IllegalArgumentException("a single run has exactly one model");
        }
        if (concurrency != null && concurrency < 1) {
            throw new UsageException("--concurrency must be at least 1, not " + concurrency,
                    "e.g. --concurrency 2, or leave it out for no limit");
        }
    }

    /**
     * The plan the flags ask for: several models without a mode run in parallel; one model is a single call
     * whatever the mode.
     */
    public static RunPlan of(List<ModelRef> models, boolean sequential, Integer concurrency) {
        Mode mode = models.size() == 1 ? Mode.SINGLE : sequential ? Mode.SEQUENTIAL : Mode.PARALLEL;
        return new RunPlan(mode, models, concurrency);
    }

    public boolean single() {
        return mode == Mode.SINGLE;
    }

    public int size() {
        return models.size();
    }
}
