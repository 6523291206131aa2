package dev.llmo.failure;

/**
 * The run was stopped from outside: Ctrl-C (exit 130), SIGTERM (143), SIGHUP (129), or its stdout closed by the
 * reader (141). See {@link ExitCode#stoppedFromOutside()}.
 */
public class InterruptedRunException extends LlmoException {
    public InterruptedRunException(String message, String fix) {
        this(message, fix, null);
    }

    public InterruptedRunException(String message, String fix, Throwable cause) {
        super(ExitCode.INTERRUPTED, message, fix, cause);
    }

    /** Stopped for another reason than Ctrl-C: {@code exitCode} must be one that {@link ExitCode#stoppedFromOutside}. */
    public InterruptedRunException(ExitCode exitCode, String message, String fix) {
        super(exitCode, message, fix, null);
        if (!exitCode.stoppedFromOutside()) {
            throw new IllegalArgumentException(exitCode + " is not a way of being stopped");
        }
    }

    /**
     * The run was stopped ({@code exitCode} one that {@link ExitCode#stoppedFromOutside}): the message starts with
     * how ({@code interrupted:}, {@code terminated (SIGTERM):}, {@code hung up (SIGHUP):}, {@code stdout closed:}).
     */
    public static InterruptedRunException of(ExitCode exitCode, String what) {
        String how = switch (exitCode) {
            case TERMINATED -> "terminated (SIGTERM)";
            case HANGUP -> "hung up (SIGHUP)";
            case STDOUT_CLOSED -> "stdout closed";
            default -> "interrupted";
        };
        return exitCode == ExitCode.INTERRUPTED ? new InterruptedRunException(how + ": " + what, null)
                : new InterruptedRunException(exitCode, how + ": " + what, null);
    }
}
