package dev.llmo.failure;

/** A runtime failure: a model call that failed after retries, an I/O error (exit 1). */
public class FailureException extends LlmoException {
    public FailureException(String message, String fix) {
        this(message, fix, null);
    }

    public FailureException(String message, String fix, Throwable cause) {
        super(ExitCode.FAILURE, message, fix, cause);
    }
}
