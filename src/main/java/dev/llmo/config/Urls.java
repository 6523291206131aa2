package dev.llmo.config;

import java.util.regex.Pattern;

/** URLs as messages show them. */
public final class Urls {
    // the authority ends at the first '/', '?' or '#'; the user-info at its last '@' (an unescaped '@' in a password
    // is wrong, and common)
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*://)[^/?#]*@");

    private Urls() {
    }

    /**
     * {@code url} with its user-info ({@code user:password@}, as a proxy's or a private server's base_url may
     * carry) replaced by {@code ***@}: a message, a log line or {@code --json} shows where, never the credentials.
     * Works on text that is not a valid URL too, since the messages that show one are often about that.
     */
    public static String shown(String url) {
        return url == null ? null : USER_INFO.matcher(url).replaceFirst("$1***@");
    }
}
