package dev.llmo.context;

/**
 * A limit on the input tokens of one request, on top of the model's window.
 *
 * @param maxTokensIn the most input tokens to send; null for no limit beyond the window
 */
public record ContextBudget(Long maxTokensIn) {
    /** No limit beyond the model's window. */
    public static final ContextBudget NONE = new ContextBudget(null);

    public ContextBudget {
        if (maxTokensIn != null && maxTokensIn <= 0) {
            throw new IllegalArgumentException("maxTokensIn must be positive, not " + maxTokensIn);
        }
    }
}
