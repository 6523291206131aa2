package dev.llmo.failure;

/**
 * The root of every error llmo reports to a user. Each subclass stands for one exit code of the contract; the
 * message is one line saying what is wrong, the optional fix one sentence saying what to do about it.
 */
public abstract class LlmoException extends RuntimeException {
    private final ExitCode exitCode;
    private final String fix;

    protected LlmoException(ExitCode exitCode, String message, String fix, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.fix = fix;
    }

    /** The exit code the process ends with when this error reaches the top. */
    public final ExitCode exitCode() {
        return exitCode;
    }

    /** What the user can do about it, or null when there is nothing useful to say. */
    public final String fix() {
        return fix;
    }
}
