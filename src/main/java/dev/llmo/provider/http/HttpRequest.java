package dev.llmo.provider.http;

import java.util.Objects;
import okhttp3.Headers;

/**
 * A request of a provider's API as llmo builds it, whole in memory: method, URL, headers and body. A call sends it
 * over a connection of llmo's own ({@link LocalHttp}) or through OkHttp ({@link #okhttp}); only the latter needs
 * OkHttp's request, whose URL parser alone (its utilities' statics, {@link java.net.IDN}'s tables) cost a plain-HTTP
 * run ~20 ms of CPU (ADR-003, "Twenty-second round"). The headers are OkHttp's, checked as OkHttp checks them (no
 * line break can be smuggled into a request through a key or a header value).
 *
 * @param body        the body's bytes, or null for a request without one
 * @param contentType the body's media type, or null
 */
public record HttpRequest(String method, String url, Headers headers, byte[] body, String contentType) {
    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(headers, "headers");
    }

    /** A GET of {@code url}. */
    public static HttpRequest get(String url) {
        return new HttpRequest("GET", url, Headers.of(), null, null);
    }

    /** A POST of {@code body} to {@code url}. */
    public static HttpRequest post(String url, byte[] body, String contentType) {
        return new HttpRequest("POST", url, Headers.of(), body, contentType);
    }

    /** This request with {@code more} headers, each replacing the earlier values of its name. */
    public HttpRequest with(Headers more) {
        Headers.Builder merged = headers.newBuilder();
        for (int i = 0; i < more.size(); i++) {
            merged.set(more.name(i), more.value(i));
        }
        return new HttpRequest(method, url, merged.build(), body, contentType);
    }

    /** The length of the body in bytes (0 without one). */
    public int bodyLength() {
        return body == null ? 0 : body.length;
    }

    /** The same request as OkHttp's, for a call that goes through OkHttp. */
    public okhttp3.Request okhttp() {
        okhttp3.RequestBody sent = body == null ? null
                : okhttp3.RequestBody.create(body, contentType == null ? null : okhttp3.MediaType.get(contentType));
        return new okhttp3.Request.Builder().url(url).headers(headers).method(method, sent).build();
    }

    // a record's own equals and toString would compare the body by identity and print the key's header
    @Override
    public boolean equals(Object other) {
        return other instanceof HttpRequest that && method.equals(that.method) && url.equals(that.url)
                && headers.equals(that.headers) && java.util.Arrays.equals(body, that.body)
                && Objects.equals(contentType, that.contentType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, url, headers, java.util.Arrays.hashCode(body), contentType);
    }

    @Override
    public String toString() {
        return method + " " + dev.llmo.config.Urls.shown(url);
    }
}
