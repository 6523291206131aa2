package dev.llmo.failure;

/**
 * A prompt that does not fit the model's context window, found before anything was sent (exit 5, as any budget's
 * refusal). Its own type because it belongs to one prompt, not to the run: a batch records it as that row's failure
 * ({@code context_length}) and goes on, where a spending budget's refusal stops the whole batch.
 */
public final class ContextWindowException extends BudgetException {
    public ContextWindowException(String message, String fix) {
        super(message, fix);
    }
}
