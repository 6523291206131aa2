package dev.llmo.failure;

/** A command line that cannot be obeyed (exit 2). */
public class UsageException extends LlmoException {
    public UsageException(String message, String fix) {
        this(message, fix, null);
    }

    public UsageException(String message, String fix, Throwable cause) {
        super(ExitCode.USAGE, message, fix, cause);
    }
}
