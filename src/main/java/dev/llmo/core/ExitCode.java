package dev.llmo.core;

/** The process exit codes of the contract (design.md "Exit codes"). */
public enum ExitCode {
    OK(0),
    FAILURE(1),
    USAGE(2),
    CONFIG(3),
    CREDENTIALS(4),
    BUDGET(5),
    LOG_INVALID(6),
    INTERRUPTED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
