package dev.llmo.core;

import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Some calls of a multi-model run failed. It carries the exit code of the first failure in plan order, so that a
 * script can tell a missing key (4) from a failed call (1), and a one-line summary naming each failed model.
 */
public final class MultiRunException extends LlmoException {
    private MultiRunException(ExitCode exitCode, String message, String fix, Throwable cause) {
        super(exitCode, message, fix, cause);
    }

    /**
     * The failures of a fan-out, e.g. {@code 1 of 3 models failed: mock/m2: mock answered HTTP 429 ...}.
     *
     * @param results every result of the run, in plan order; at least one failed
     */
    public static MultiRunException parallel(List<RunResult> results) {
        List<RunResult> failed = results.stream().filter(r -> !r.succeeded()).toList();
        if (failed.isEmpty()) {
            throw new IllegalArgumentException("no call failed");
        }
        LlmoException first = failed.get(0).error();
        String each = failed.stream().map(r -> r.model().id() + ": " + r.error().getMessage())
                .collect(Collectors.joining("; "));
        return new MultiRunException(first.exitCode(), failed.size() + " of " + results.size() + " models failed: "
                + each, failed.size() == 1 ? first.fix() : null, first);
    }

    /**
     * A pipeline stopped at a failed step, e.g. {@code step 2 of 3 (mock/m2) failed: ...; step 3 was not run}.
     *
     * @param step the failed step, counted from 1
     */
    public static MultiRunException pipeline(int step, int steps, RunResult failed) {
        LlmoException error = failed.error();
        String rest = step == steps ? "" : step + 1 == steps ? "; step " + steps + " was not run"
                : "; steps " + (step + 1) + " to " + steps + " were not run";
        return new MultiRunException(error.exitCode(), "step " + step + " of " + steps + " (" + failed.model().id()
                + ") failed: " + error.getMessage() + rest, error.fix(), error);
    }
}
