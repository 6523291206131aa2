package dev.llmo.core;

import dev.llmo.config.ModelRef;
import java.util.Objects;

/**
 * Which call a {@link RunEvent} belongs to, so that one listener can hear several calls at once (a fan-out, a chain
 * step on several models) and still tell them apart.
 *
 * @param model the model called
 * @param step  the chain step's name, or null outside a chain
 * @param index the call's position in its plan (a fan-out's or pipeline's model, a chain step's model), from 0
 * @param row   a batch call's dataset row (from 0), or -1 outside a batch
 */
public record CallId(ModelRef model, String step, int index, long row) {
    public CallId {
        Objects.requireNonNull(model, "model");
        if (index < 0) {
            throw new IllegalArgumentException("a call's index starts at 0");
        }
        if (row < -1) {
            throw new IllegalArgumentException("a call's row starts at 0 (-1: not a batch)");
        }
    }

    /** A call outside a batch. */
    public CallId(ModelRef model, String step, int index) {
        this(model, step, index, -1);
    }

    /** The one call of a run of one model. */
    public static CallId of(ModelRef model) {
        return new CallId(model, null, 0);
    }
}
