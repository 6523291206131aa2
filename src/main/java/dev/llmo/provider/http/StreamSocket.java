package dev.llmo.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * Remembers, for the thread that made the request, the socket an HTTP/1.x event stream arrives on, so that the
 * reader can tell a pause of the server (the moment to flush what was shown) from a burst whose next bytes are
 * already waiting: OkHttp's own source says only whether its 8 KiB buffer is empty, which it is after nearly every
 * read, so a stream sent faster than it is read was flushed to stdout once per read. Over HTTP/2 the socket carries
 * every stream of the connection and another thread reads it, so nothing is remembered there: such a stream is
 * flushed per read, as before. A network interceptor of the clients {@link Transport} hands out.
 */
final class StreamSocket implements Interceptor {
    static final StreamSocket INTERCEPTOR = new StreamSocket();
    private static final ThreadLocal<Socket> LAST = new ThreadLocal<>();

    private StreamSocket() {
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        Connection connection = chain.connection();
        String type = response.header("Content-Type");
        if (connection != null && type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17)
                && (connection.protocol() == Protocol.HTTP_1_1 || connection.protocol() == Protocol.HTTP_1_0)) {
            LAST.set(connection.socket());
        } else {
            LAST.remove();
        }
        return response;
    }

    /** The socket's input of the event stream this thread received last, forgotten here; null when there is none. */
    static InputStream take() {
        Socket socket = LAST.get();
        if (socket == null) {
            return null;
        }
        LAST.remove();
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            return null; // closed already: the body's read says so
        }
    }

    /**
     * The fewest bytes waiting in the socket that a read of the body surely returns without waiting for the server:
     * a chunked body's framing (the line end after a chunk's data and the next chunk's size line, about 20 bytes)
     * can hold a read that has fewer, and the stream would then be shown late by a pause of the server.
     */
    static final int SURE_READ = 32;

    /** Whether {@code wire} (from {@link #take}, or null) holds bytes that a read would get without waiting. */
    static boolean hasMore(InputStream wire) {
        if (wire == null) {
            return false;
        }
        try {
            return wire.available() >= SURE_READ;
        } catch (IOException e) {
            return false; // the next read fails and says why
        }
    }
}
