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

    /**
     * Remembers the socket of an event stream over HTTP/1.x whose body is its bytes as sent: an encoded one (gzip,
     * which OkHttp asks for and undoes) has fewer bytes in the socket than the body will have, so its count says
     * nothing about what a read gets without waiting.
     */
    @Override
    public Response intercept(Chain chain) throws IOException {
        LAST.remove(); // also when the exchange fails: no socket of an earlier response stays behind
        // a network interceptor runs once the connection is open: the request now goes to the server, which may
        // bill it whether or not an answer comes back
        Sent sent = chain.request().tag(Sent.class);
        if (sent != null) {
            sent.hook().run();
        }
        Response response = chain.proceed(chain.request());
        Connection connection = chain.connection();
        String type = response.header("Content-Type");
        String encoding = response.header("Content-Encoding");
        if (connection != null && type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17)
                && (encoding == null || encoding.equalsIgnoreCase("identity"))
                && (connection.protocol() == Protocol.HTTP_1_1 || connection.protocol() == Protocol.HTTP_1_0)) {
            LAST.set(connection.socket());
        }
        return response;
    }

    /** Told when a request goes out on an open connection: a tag of the requests {@link RetryLoop} sends. */
    record Sent(Runnable hook) {
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
        return sureBytes(wire) > 0;
    }

    /**
     * How many bytes of the body can surely be read from {@code wire} (from {@link #take}, or null) without waiting:
     * half of what waits in the socket, as a chunked body's framing could take the rest (a chunk's size line and line
     * ends, some 12 bytes, around a chunk of data at least as long: a server's events are); 0 below
     * {@link #SURE_READ}.
     */
    static long sureBytes(InputStream wire) {
        if (wire == null) {
            return 0;
        }
        try {
            int waiting = wire.available();
            return waiting >= SURE_READ ? waiting / 2 : 0;
        } catch (IOException e) {
            return 0; // the next read fails and says why
        }
    }
}
