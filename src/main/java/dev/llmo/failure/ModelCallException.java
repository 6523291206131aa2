package dev.llmo.failure;

/** A model call that failed after retries, with the kind of failure and the provider's HTTP status (exit 1). */
public class ModelCallException extends FailureException implements CallError {
    private final ErrorKind kind;
    private final Integer status;

    public ModelCallException(ErrorKind kind, Integer status, String message, String fix) {
        this(kind, status, message, fix, null);
    }

    public ModelCallException(ErrorKind kind, Integer status, String message, String fix, Throwable cause) {
        super(message, fix, cause);
        this.kind = kind;
        this.status = status;
    }

    @Override
    public ErrorKind kind() {
        return kind;
    }

    @Override
    public Integer status() {
        return status;
    }
}
