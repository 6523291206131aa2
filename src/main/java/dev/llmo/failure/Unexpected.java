package dev.llmo.failure;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exception nobody expected, as text for an error line or a debug trace. OkHttp quotes a header's whole value
 * when it refuses one ("Unexpected char 0x2026 at 26 in x-api-key value: sk-…"), and the headers llmo sends hold
 * API keys: that value is never shown.
 */
public final class Unexpected {
    // the value runs to the end of the message, line breaks included (a '\n' is one of the refused characters)
    private static final Pattern HEADER_VALUE =
            Pattern.compile("(Unexpected char 0x\\p{XDigit}+ at \\d+ in \\S+ value): .*", Pattern.DOTALL);

    private Unexpected() {
    }

    /** {@code error} as {@link Throwable#toString()} shows it, with any header value left out. */
    public static String describe(Throwable error) {
        String message = error.getLocalizedMessage();
        return message == null ? error.getClass().getName() : error.getClass().getName() + ": " + redact(message);
    }

    /** {@code error}'s stack trace, with any header value of it or its causes left out. */
    public static String trace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        String trace = out.toString();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable cause = error; cause != null && seen.put(cause, true) == null; cause = cause.getCause()) {
            String message = cause.getLocalizedMessage();
            if (message != null) {
                trace = trace.replace(message, redact(message));
            }
        }
        return trace;
    }

    private static String redact(String message) {
        Matcher header = HEADER_VALUE.matcher(message);
        return header.matches() ? header.group(1) + " (not shown)" : message;
    }
}
