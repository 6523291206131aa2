package dev.llmo.cli.terminal;

import dev.llmo.failure.LlmoException;

/** The one shape of an error line: {@code llmo: error: what; how to fix it}. */
public final class ErrorLine {
    private ErrorLine() {
    }

    /** The line, "llmo: error:" in red when {@code color}. */
    public static String of(String message, String fix, boolean color) {
        String prefix = color ? "\u001b[1;31mllmo: error:\u001b[0m " : "llmo: error: ";
        String line = prefix + String.valueOf(message).strip().replace('\n', ' ');
        return fix == null || fix.isBlank() ? line : line + "; " + fix;
    }

    /** The error line of {@code error}. */
    public static String of(LlmoException error, boolean color) {
        return of(error.getMessage(), error.fix(), color);
    }
}
