package dev.llmo.failure;

/**
 * A failed model call as the {@code --json} error object describes it: a kind, and the HTTP status when the
 * provider answered one. Implemented by the exceptions of provider failures.
 */
public interface CallError {
    ErrorKind kind();

    /** The HTTP status, or null when there was none (connection errors, errors inside a 200 stream). */
    Integer status();
}
