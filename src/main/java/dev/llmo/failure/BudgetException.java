package dev.llmo.failure;

/** A request refused or stopped by a token or cost budget (exit 5). */
public class BudgetException extends LlmoException {
    public BudgetException(String message, String fix) {
        this(message, fix, null);
    }

    public BudgetException(String message, String fix, Throwable cause) {
        super(ExitCode.BUDGET, message, fix, cause);
    }
}
