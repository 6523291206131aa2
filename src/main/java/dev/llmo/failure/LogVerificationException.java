package dev.llmo.failure;

/** An event log that fails verification (exit 6). */
public class LogVerificationException extends LlmoException {
    public LogVerificationException(String message, String fix) {
        this(message, fix, null);
    }

    public LogVerificationException(String message, String fix, Throwable cause) {
        super(ExitCode.LOG_INVALID, message, fix, cause);
    }
}
