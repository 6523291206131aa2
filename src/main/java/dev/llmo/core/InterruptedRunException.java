package dev.llmo.core;

/** The user pressed Ctrl-C (exit 130). */
public class InterruptedRunException extends LlmoException {
    public InterruptedRunException(String message, String fix) {
        this(message, fix, null);
    }

    public InterruptedRunException(String message, String fix, Throwable cause) {
        super(ExitCode.INTERRUPTED, message, fix, cause);
    }
}
