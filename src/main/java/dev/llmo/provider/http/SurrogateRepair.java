package dev.llmo.provider.http;

/**
 * Keeps answer text valid UTF-16, whatever the server sent: a JSON string may hold a lone surrogate
 * ({@code "\ud800"}), which no encoder can write as UTF-8 and which would break the event log's hash. A high
 * surrogate at the end of a delta is held back until the next delta shows whether its low half follows (a server may
 * split a pair between events); a surrogate without its other half becomes U+FFFD.
 */
final class SurrogateRepair {
    private static final char REPLACEMENT = '\uFFFD';
    private char pendingHigh;

    /** The text to deliver for {@code delta}; may be empty when only a high surrogate is held back. */
    String next(String delta) {
        if (pendingHigh == 0 && !hasSurrogate(delta)) {
            return delta;
        }
        StringBuilder out = new StringBuilder(delta.length() + 1);
        for (int i = 0; i < delta.length(); i++) {
            char c = delta.charAt(i);
            if (pendingHigh != 0) {
                if (Character.isLowSurrogate(c)) {
                    out.append(pendingHigh).append(c);
                    pendingHigh = 0;
                    continue;
                }
                out.append(REPLACEMENT);
                pendingHigh = 0;
            }
            if (Character.isHighSurrogate(c)) {
                pendingHigh = c;
            } else if (Character.isLowSurrogate(c)) {
                out.append(REPLACEMENT);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The end of the text: a held-back high surrogate never got its low half. */
    String finish() {
        if (pendingHigh == 0) {
            return "";
        }
        pendingHigh = 0;
        return String.valueOf(REPLACEMENT);
    }

    /** {@code text} given whole (an id, a name, a signature): each lone surrogate becomes U+FFFD. */
    static String whole(String text) {
        if (!hasSurrogate(text)) {
            return text;
        }
        SurrogateRepair repair = new SurrogateRepair();
        return repair.next(text) + repair.finish();
    }

    private static boolean hasSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
