package dev.llmo.config;

import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * URLs as messages show them: the one place that knows where a URL's credentials are. Users type passwords
 * unescaped, so a password may hold '@', '/', '?' or '#', and a parser that ends the authority at the first '/', '?'
 * or '#' shows the rest of the password. Here the user-info ends at the LAST '@' that is followed by something that
 * can be a host (up to the next '/', '?', '#' or the end): when in doubt, more is masked (even the host), never less.
 * One exception keeps ordinary links readable: when the text before the first '/', '?' or '#' ends in a plain
 * host[:port] (after the user-info's '@', if any), an '@' that begins a path segment ({@code /@user},
 * {@code /models/@cf/x}) is path: only a password that ends in '/' could be read wrong there.
 */
public final class Urls {
    private static final String MASK = "***@";

    /**
     * The patterns, compiled when a URL holds an '@' or is shown: every run checks its providers' base URLs, which
     * seldom do, and compiling them all was ~2 ms of its main thread (ADR-003, "Seventeenth round").
     */
    private static final class Patterns {
        static final Pattern PREFIX = Pattern.compile("^(?:[A-Za-z][A-Za-z0-9+.\\-]*:)?//");
        /** A registered name or an IPv6 literal, with an optional numeric port: an authority without user-info. */
        static final Pattern PLAIN_AUTHORITY = Pattern.compile(
                "(?:[A-Za-z0-9._~%!$&'()*+,;=\\-]*|\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._~%\\-]+)?])(?::[0-9]*)?");
        /** What may follow the user-info's '@': anything up to the path but another '@' or white space. */
        static final Pattern HOST_AFTER_AT = Pattern.compile("[^/?#@\\s]*");
        /** Where a URL begins in free text: a scheme and "//". */
        static final Pattern URL_START = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*://");
    }

    private Urls() {
    }

    /**
     * {@code url} with its user-info ({@code user:password@}, as a proxy's or a private server's base_url may
     * carry) replaced by {@code ***@}: a message, a log line or {@code --json} shows where, never the credentials.
     * Works on text that is not a valid URL too, since the messages that show one are often about that.
     */
    public static String shown(String url) {
        if (url == null) {
            return null;
        }
        int prefix = prefixLength(url);
        int at = userInfoEnd(url, prefix, false);
        return at < 0 ? url : url.substring(0, prefix) + MASK + url.substring(at + 1);
    }

    /**
     * {@code text} (a file a user wrote by hand) with the user-info of every URL in it masked as {@link #shown} masks
     * it. A hand-written password may hold white space or a quote, so a URL's user-info is not cut at them: it reaches
     * to the last '@' of the URL's line (before the next URL on it) that is followed by something that can be a host,
     * which ends there at white space or a quote as well. When in doubt more is masked, never less: a line with a link
     * and then an e-mail address shows {@code ***@} up to the address's host.
     */
    public static String shownIn(String text) {
        if (text.indexOf('@') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        java.util.regex.Matcher start = Patterns.URL_START.matcher(text);
        int copied = 0;
        int from = 0;
        while (from < text.length() && start.find(from)) {
            int lineEnd = lineEnd(text, start.end());
            java.util.regex.Matcher next = Patterns.URL_START.matcher(text).region(start.end(), lineEnd);
            int end = next.find() ? next.start() : lineEnd;
            String url = text.substring(start.start(), end);
            int prefix = start.end() - start.start();
            int at = userInfoEnd(url, prefix, true);
            if (at >= 0) {
                out.append(text, copied, start.end()).append(MASK);
                copied = start.start() + at + 1;
            }
            from = Math.max(start.end(), copied);
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static int lineEnd(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return text.length();
    }

    /**
     * Whether {@code url} carries user-info as {@link #shown} reads it: also where a URL parser that ends the
     * authority at the first '/', '?' or '#' sees none, and would send the request to a fragment of the password.
     */
    public static boolean hasUserInfo(String url) {
        return url != null && userInfoEnd(url, prefixLength(url), false) >= 0;
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
        int prefix = prefixLength(url);
        int at = userInfoEnd(url, prefix, false);
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed != null && readAlike(url, prefix, at, parsed)) {
            return withoutSecrets(parsed);
        }
        // not http(s), not valid, or read differently by a parser: the credentials masked, the query on dropped
        String shown = shown(url);
        int end = shown.length();
        for (char c : new char[] {'?', '#'}) {
            int cut = shown.indexOf(c);
            if (cut >= 0 && cut < end) {
                end = cut;
            }
        }
        return shown.substring(0, end);
    }

    /**
     * Whether an http(s) URL parser finds the user-info of {@code url} where {@link #shown} masks it, so that the
     * request goes to the host a message shows: true without user-info, false when an unescaped '/', '?', '#' or
     * '@' in a password makes a parser take part of it for the host or the path, or when a URL with user-info is
     * not an http(s) one.
     */
    public static boolean parsedAsShown(String url) {
        if (url.indexOf('@') < 0) {
            return true;
        }
        int prefix = prefixLength(url);
        int at = userInfoEnd(url, prefix, false);
        if (at < 0) {
            return true; // no user-info to misread; and OkHttp's parser costs a run's settings ~15 ms of CPU to set up
        }
        HttpUrl parsed = HttpUrl.parse(url);
        return parsed != null && readAlike(url, prefix, at, parsed);
    }

    // where the parser and the mask agree on scheme, host, port and path, the user-info is surely only that
    private static boolean readAlike(String url, int prefix, int at, HttpUrl parsed) {
        if (at < 0) {
            return true;
        }
        HttpUrl bare = HttpUrl.parse(url.substring(0, prefix) + url.substring(at + 1));
        return bare != null && withoutSecrets(bare).equals(withoutSecrets(parsed));
    }

    private static String withoutSecrets(HttpUrl url) {
        return url.newBuilder().username("").password("").query(null).fragment(null).build().toString();
    }

    private static int prefixLength(String url) {
        var prefix = Patterns.PREFIX.matcher(url);
        return prefix.find() ? prefix.end() : 0;
    }

    /**
     * The index of the '@' that ends the user-info of {@code url}, or -1 if it has none; {@code inText}: the URL is the
     * rest of a line of text, where the host after the '@' ends at white space or a quote too.
     */
    private static int userInfoEnd(String url, int start, boolean inText) {
        int authorityEnd = delimiter(url, start);
        int hostStart = url.lastIndexOf('@', authorityEnd - 1) >= start ? url.lastIndexOf('@', authorityEnd - 1) + 1
                : start;
        boolean plain = Patterns.PLAIN_AUTHORITY.matcher(url).region(hostStart, authorityEnd).matches();
        for (int at = url.lastIndexOf('@'); at >= start; at = url.lastIndexOf('@', at - 1)) {
            if (plain && at > start && url.charAt(at - 1) == '/') {
                continue; // a path segment that begins with '@', after an authority that holds no credentials
            }
            int hostEnd = inText ? hostEndInText(url, at + 1) : delimiter(url, at + 1);
            if (Patterns.HOST_AFTER_AT.matcher(url).region(at + 1, hostEnd).matches()) {
                return at;
            }
        }
        return -1;
    }

    /** Where a host that begins at {@code from} ends in text: at the path, white space or a quote. */
    private static int hostEndInText(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || Character.isWhitespace(c)) {
                return i;
            }
        }
        return url.length();
    }

    private static int delimiter(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }
}
