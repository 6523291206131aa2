package dev.llmo.config;

import java.util.regex.Pattern;
import okhttp3.HttpUrl;

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

    /**
     * {@code url} as it may name an input sent to a provider or written to a log: scheme, host, port and path, without
     * its user-info, query or fragment. Credentials travel in the user-info, and tokens (signed links, {@code
     * ?token=}) in the query; the path is enough for a model and a reader to tell which document it was.
     */
    public static String named(String url) {
        if (url == null) {
            return null;
        }
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed != null) {
            return parsed.newBuilder().username("").password("").query(null).fragment(null).build().toString();
        }
        // not http(s) or not valid: the credentials masked, then everything from the query on dropped
        String shown = shown(url);
        int end = shown.length();
        for (char c : new char[] {'?', '#'}) {
            int at = shown.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return shown.substring(0, end);
    }
}
