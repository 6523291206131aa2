package dev.llmo.cli;

import dev.llmo.core.FailureException;

/** The answer of a command whose issue has not landed yet: listed in --help, exit 1 when used. */
final class Unreleased {
    private Unreleased() {
    }

    static FailureException command(String command) {
        return new FailureException("'llmo " + command + "' is not available yet in llmo " + BuildInfo.version(),
                "ROADMAP.md in the llmo sources says when it lands");
    }
}
