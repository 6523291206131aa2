package dev.llmo.tool.mcp;

import dev.llmo.config.Urls;
import dev.llmo.failure.ConfigException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.Headers;

/**
 * Where an MCP server listens for Streamable HTTP: its MCP endpoint ({@code https://host/mcp}) and the headers llmo
 * sends with every request (typically {@code Authorization}, so their values are secrets: neither
 * {@link #toString()} nor any error shows them). Only http and https; plain http only to this machine
 * ({@code localhost}, 127.0.0.0/8, {@code ::1}), because elsewhere it would hand the headers and every tool call
 * to whoever is on the path. Violations are {@link ConfigException}s (exit 3).
 */
public record McpHttpEndpoint(String name, URI url, Map<String, String> headers) {
    /** Headers llmo sets itself: a configured one would break the transport or the session. */
    private static final Set<String> RESERVED = Set.of("accept", "content-type", "content-length", "host",
            "mcp-session-id", "mcp-protocol-version", "last-event-id", "transfer-encoding", "connection");

    public McpHttpEndpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        // an unescaped '/', '?' or '#' in a password hides the user-info from URI, which would then take a fragment
        // of the password for the host: Urls reads the user-info as messages mask it
        if (url.getRawUserInfo() != null || Urls.hasUserInfo(url.toString())) {
            throw new ConfigException("MCP server " + name + " has a user name or password in its url",
                    "send credentials as a header instead, for example Authorization");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
            throw new ConfigException("MCP server " + name + " has url " + redacted(url)
                    + ", which is not an http or https address", "set its url to the server's MCP endpoint, "
                    + "for example https://example.com/mcp");
        }
        if (scheme.equals("http") && !isLoopback(url.getHost())) {
            throw new ConfigException("MCP server " + name + " has url " + redacted(url) + ": plain http to "
                    + "another machine would expose its headers and every tool call on the network",
                    "use https, or reach the server through a tunnel to localhost");
        }
        Headers.Builder check = new Headers.Builder();
        for (Map.Entry<String, String> header : new TreeMap<>(headers).entrySet()) {
            if (RESERVED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                throw new ConfigException("MCP server " + name + " sets header " + header.getKey()
                        + ", which llmo sets itself", "remove it from the server's headers");
            }
            try {
                check.add(header.getKey(), header.getValue());
            } catch (IllegalArgumentException | NullPointerException e) {
                // OkHttp's message may quote the value, which may be a secret: say which header only
                throw new ConfigException("MCP server " + name + " has a header '" + McpClient.oneLine(
                        header.getKey()) + "' whose name or value HTTP does not allow (a control character, "
                        + "a line break or a non-ASCII character in the name)",
                        "check that header's name and value");
            }
        }
    }

    /** The url without its query, fragment or user info, which may carry tokens: what errors and logs show. */
    String redactedUrl() {
        return redacted(url);
    }

    private static String redacted(URI url) {
        return McpClient.oneLine(Urls.named(url.toString()));
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        // only literal addresses: a name that resolves to 127.0.0.1 today may resolve elsewhere tomorrow
        if (!h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "McpHttpEndpoint[name=" + name + ", url=" + redacted(url) + ", headers=" + new TreeMap<>(headers)
                .keySet() + "]";
    }
}
