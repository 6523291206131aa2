package dev.llmo.failure;

/** The process exit codes of the contract (design.md "Exit codes"). */
public enum ExitCode {
    OK(0),
    FAILURE(1),
    USAGE(2),
    CONFIG(3),
    CREDENTIALS(4),
    BUDGET(5),
    LOG_INVALID(6),
    /** Interrupted: SIGINT (Ctrl-C), 128 + 2. */
    INTERRUPTED(130),
    /** Hung up: SIGHUP (the terminal closed), 128 + 1. */
    HANGUP(129),
    /** Stopped: SIGTERM (kill, a service manager), 128 + 15. */
    TERMINATED(143),
    /** Stdout was closed by its reader (a broken pipe): what a Unix tool killed by SIGPIPE exits with, 128 + 13. */
    STDOUT_CLOSED(141);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * Whether this code means the run was stopped from outside (a signal, a closed stdout) rather than failed: its
     * calls were cancelled, and the log says so.
     */
    public boolean stoppedFromOutside() {
        return this == INTERRUPTED || this == HANGUP || this == TERMINATED || this == STDOUT_CLOSED;
    }
}
