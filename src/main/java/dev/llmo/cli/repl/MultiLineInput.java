package dev.llmo.cli.repl;

/**
 * The two ways to type more than one line into chat: a line ending in {@code \} continues on the next, and an input
 * that starts with {@code """} runs until a line ending in {@code """}. Pure string logic, shared by the terminal
 * (through {@link ChatParser}) and by scripted input, so both read the same text the same way.
 */
public final class MultiLineInput {
    /** Opens and closes a block. */
    public static final String FENCE = "\"\"\"";

    private MultiLineInput() {
    }

    /** True when {@code raw} (lines joined by {@code \n}) is not a whole input yet. */
    public static boolean incomplete(String raw) {
        String start = raw.stripLeading();
        if (start.startsWith(FENCE)) {
            // The block is closed by a later """ at the end of a line (or of the opening line itself).
            String rest = start.substring(FENCE.length());
            return !rest.stripTrailing().endsWith(FENCE);
        }
        return endsWithContinuation(raw);
    }

    /**
     * The text to send: continuation backslashes and the block's fences taken out; also the last line's, when the
     * input ended (a script's last line) before the line it announced.
     */
    public static String text(String raw) {
        String start = raw.stripLeading();
        if (start.startsWith(FENCE)) {
            String body = start.substring(FENCE.length());
            String end = body.stripTrailing();
            if (end.endsWith(FENCE)) {
                body = end.substring(0, end.length() - FENCE.length());
            }
            // A fence alone on its line leaves no empty first or last line behind.
            if (body.startsWith("\n")) {
                body = body.substring(1);
            } else if (body.startsWith("\r\n")) {
                body = body.substring(2);
            }
            if (body.endsWith("\n")) {
                body = body.substring(0, body.length() - 1);
            }
            return body;
        }
        StringBuilder text = new StringBuilder(raw.length());
        String[] lines = raw.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean continued = endsWithContinuation(line);
            text.append(continued ? line.substring(0, line.length() - 1) : line);
            if (i < lines.length - 1) {
                text.append('\n');
            }
        }
        return text.toString();
    }

    // One backslash continues; two are a literal backslash at the end of the line (as in a shell).
    private static boolean endsWithContinuation(String text) {
        int backslashes = 0;
        for (int i = text.length() - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }
}
