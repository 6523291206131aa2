package dev.llmo.provider.http;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.Headers;

/**
 * One HTTP/1.1 exchange with a plain-HTTP server (a local model server: Ollama, llama.cpp, vLLM, LM Studio) on a
 * connection of its own, without OkHttp. OkHttp's first call sets up its platform, its client, its task runner and
 * {@code java.util.logging}, and runs its interceptor chain, connection finder and codec in the interpreter: together
 * about a third of a `run`'s CPU; a body read through its and okio's layers cost a 20,000-token stream more than the
 * parsing of it (ADR-003, "Twenty-second round"; ADR-015). A request llmo built in memory (a chat call's, a model
 * list's) to {@code http://} goes here when no proxy is set for it and its body is small enough to be sent without
 * waiting ({@link #serves}); everything else (TLS, proxies, larger bodies, batches, MCP) goes through OkHttp.
 *
 * <p>What it does as OkHttp did for these calls: no redirect is followed, nothing is sent again on its own (llmo's
 * retry loop decides), the answer's status line and headers together may hold at most {@link #HEAD_LIMIT} bytes, a
 * body ends where its {@code Content-Length} or its chunks say (cut short: {@link ProtocolException}) or, with
 * neither, where the server closes. It asks for no compression and keeps no connection: each exchange connects, sends
 * {@code Connection: close}, and closes when its body is closed. Timeouts: connecting, and each read, as the settings
 * say, and no read past the call's deadline. Closing the socket from another thread (a cancelled call) ends a read or
 * a connect that waits.
 */
final class LocalHttp implements Closeable, RetryLoop.Answer {
    /** OkHttp's limit on an answer's status line and headers together (HeadersReader), kept. */
    static final int HEAD_LIMIT = 256 * 1024;
    /**
     * The largest request body sent here: a body this small goes into the system's buffers at once, so a server that
     * never reads cannot hold the write (which has no timeout of its own on a plain socket). Larger ones go through
     * OkHttp, whose writes time out.
     */
    static final int MAX_BODY = 32 * 1024;
    /** The longest chunk-size line (a size in hex and its extensions), and trailer line, read. */
    private static final int MAX_CHUNK_LINE = 1024;

    private final ReadAheadSocket socket;
    private final int code;
    private final Headers headers;
    private final InputStream body;
    /** Whether the body's bytes are those in the socket (not compressed). */
    private final boolean plain;

    private LocalHttp(ReadAheadSocket socket, int code, Headers headers, InputStream body, boolean plain) {
        this.socket = socket;
        this.plain = plain;
        this.code = code;
        this.headers = headers;
        this.body = body;
    }

    /**
     * Whether {@code request} goes here: {@code http://}, a body of at most {@link #MAX_BODY} bytes, and no proxy
     * for its address (Java's {@code http.proxyHost}, which OkHttp honours, would be bypassed).
     */
    static boolean serves(HttpRequest request) {
        if (!request.url().regionMatches(true, 0, "http://", 0, 7) || request.bodyLength() > MAX_BODY) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(request.url());
        } catch (URISyntaxException e) {
            return false; // OkHttp's parser is the lenient one; it says what is wrong
        }
        if (uri.getHost() == null || uri.getRawAuthority() == null || uri.getRawAuthority().indexOf('@') >= 0) {
            // user-info (a proxy's credentials in base_url): OkHttp's reading of it is the one llmo checks
            return false;
        }
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies == null) {
            return true;
        }
        try {
            List<Proxy> chosen = proxies.select(uri);
            return chosen.isEmpty() || chosen.get(0).type() == Proxy.Type.DIRECT;
        } catch (RuntimeException e) {
            return false; // OkHttp says what is wrong with the proxy set-up
        }
    }

    /**
     * How long an exchange may wait (milliseconds, 0: no limit; the call's deadline as a {@code nanoTime}, or null), and
     * what it runs when its request goes out.
     */
    record Timing(int connectMillis, int readMillis, Long deadlineNanos, Runnable sent) {
    }

    /**
     * Connects, sends {@code request} and reads the answer's status line and headers.
     *
     * @param opened told each socket as soon as it exists, so that a cancel can close it while it connects, sends or
     *               waits for the answer
     */
    static LocalHttp exchange(HttpRequest request, Timing timing, java.util.function.Consumer<Closeable> opened)
            throws IOException {
        URI url;
        try {
            url = new URI(request.url());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL LocalHttp serves: " + e.getMessage(), e);
        }
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = url.getPort() >= 0 ? url.getPort() : 80;
        Waits waits = new Waits(timing.readMillis(), timing.deadlineNanos());
        ReadAheadSocket socket = connect(host, port, waits, timing.connectMillis(), opened);
        boolean done = false;
        try {
            waits.connected(socket);
            timing.sent().run();
            OutputStream out = socket.getOutputStream();
            out.write(head(request, url));
            if (request.body() != null) {
                out.write(request.body());
            }
            out.flush();
            HeadReader head = new HeadReader(waits);
            int code;
            Headers headers;
            do {
                code = head.statusCode();
                headers = head.headers();
            } while (code >= 100 && code < 200 && code != 101); // an interim answer (100 Continue): the next one counts
            InputStream content = body(request.method(), code, headers, waits);
            boolean gzip = "gzip".equalsIgnoreCase(trimmed(headers.get("Content-Encoding")));
            if (gzip) {
                content = new Gunzipped(content);
            }
            LocalHttp exchange = new LocalHttp(socket, code, headers, content, !gzip);
            done = true;
            return exchange;
        } finally {
            if (!done) {
                socket.close();
            }
        }
    }

    /**
     * Reads a made-up chunked body, 400 chunks of one event each, through the reader a chunked answer goes through,
     * so that the JIT compiles its work per chunk before a local server's stream needs it: a stream sent a chunk per
     * event (Ollama's, llama.cpp's, vLLM's) was de-chunked in the interpreter for its first few thousand events
     * (ADR-003, "Twenty-fifth round"). Reads 64 bytes at a time, so that the loop over the chunks of one read is
     * compiled too. No socket: the bytes come from memory.
     *
     * @return the body's bytes read: 6,800, the 400 events
     */
    static long warmChunked() throws IOException {
        byte[] event = "data: {\"t\":\"x\"}\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] size = (Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int i = 0; i < 400; i++) {
            chunks.write(size);
            chunks.write(event);
            chunks.write('\r');
            chunks.write('\n');
        }
        chunks.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Waits waits = new Waits(0, null);
        waits.input = new ReadAheadSocket.ReadAhead(new java.io.ByteArrayInputStream(chunks.toByteArray()));
        Chunked body = new Chunked(waits);
        byte[] buffer = new byte[64];
        long read = 0;
        for (int n; (n = body.read(buffer, 0, buffer.length)) > 0; ) {
            read += n;
        }
        return read;
    }

    /**
     * A socket connected to one of {@code host}'s addresses, tried in the order the system gives them, as OkHttp does
     * ({@code localhost} is often ::1 first, where a server listening on 127.0.0.1 refuses): the last failure when
     * none connects.
     */
    private static ReadAheadSocket connect(String host, int port, Waits waits, int connectMillis,
                                           java.util.function.Consumer<Closeable> opened) throws IOException {
        IOException failed = null;
        for (InetAddress address : InetAddress.getAllByName(host)) {
            ReadAheadSocket socket = new ReadAheadSocket();
            opened.accept(socket);
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(address, port), waits.bounded(connectMillis));
                return socket;
            } catch (IOException e) {
                socket.close();
                failed = e;
            }
        }
        throw failed != null ? failed : new java.net.UnknownHostException(host);
    }

    int code() {
        return code;
    }

    Headers headers() {
        return headers;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String contentType() {
        return headers.get("Content-Type");
    }

    /** The body as it is sent, without its framing (and inflated); closing it closes the connection. */
    @Override
    public InputStream body() {
        return body;
    }

    /**
     * The socket's input, for how much is waiting in it ({@link StreamSocket#sureBytes}); null when the body is
     * compressed, as its count then says nothing about what a read of the body gets without waiting.
     */
    @Override
    public InputStream wire() {
        if (!plain) {
            return null;
        }
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            return null; // closed already: the body's read says so
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that is left to do
        }
    }

    /** The request line and headers: those of the request, then the ones this exchange itself needs. */
    private static byte[] head(HttpRequest request, URI url) {
        StringBuilder out = new StringBuilder(256);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        out.append(request.method()).append(' ').append(path);
        if (url.getRawQuery() != null) {
            out.append('?').append(url.getRawQuery());
        }
        out.append(" HTTP/1.1\r\nHost: ").append(url.getHost());
        if (url.getPort() >= 0 && url.getPort() != 80) {
            out.append(':').append(url.getPort());
        }
        out.append("\r\n");
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            out.append(headers.name(i)).append(": ").append(headers.value(i)).append("\r\n");
        }
        if (request.contentType() != null && headers.get("Content-Type") == null) {
            out.append("Content-Type: ").append(request.contentType()).append("\r\n");
        }
        if (request.body() != null || !request.method().equals("GET") && !request.method().equals("HEAD")) {
            out.append("Content-Length: ").append(request.bodyLength()).append("\r\n");
        }
        out.append("Connection: close\r\nUser-Agent: llmo\r\n\r\n");
        // the headers were checked by OkHttp's rules as they were set: ASCII without line breaks; the URL by URI's
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The body's bytes as RFC 9112 section 6.3 frames them. */
    private static InputStream body(String method, int code, Headers headers, Waits waits) throws IOException {
        if (method.equals("HEAD") || code == 204 || code == 304) {
            return new Fixed(0, waits);
        }
        String encoding = headers.get("Transfer-Encoding");
        if (encoding != null) {
            if (!encoding.trim().toLowerCase(java.util.Locale.ROOT).endsWith("chunked")) {
                return new UntilClose(waits); // another coding last: the body ends with the connection
            }
            return new Chunked(waits);
        }
        String length = headers.get("Content-Length");
        if (length != null) {
            long value;
            try {
                value = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 0) {
                throw new ProtocolException("invalid Content-Length: " + sample(length));
            }
            return new Fixed(value, waits);
        }
        return new UntilClose(waits);
    }

    /** The start of a server's line, for an error message: a line may be 256 KiB. */
    private static String sample(String line) {
        return line.length() <= 100 ? line : line.substring(0, 100) + "…";
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }

    /**
     * A gzip body, inflated: a server may compress what it sends unasked (a proxy in front of a local server). How
     * much it holds uninflated is unknown, so it never says that a read would not wait ({@code available} 0); the
     * limits on an answer apply to what it inflates to.
     */
    private static final class Gunzipped extends java.io.FilterInputStream {
        Gunzipped(InputStream gzip) throws IOException {
            super(new java.util.zip.GZIPInputStream(gzip, 8192));
        }

        @Override
        public int available() {
            return 0;
        }
    }

    /** The answer's head was longer than {@link #HEAD_LIMIT}, or ended inside a line. */
    static final class HeadTooLarge extends ProtocolException {
        private static final long serialVersionUID = 1L;

        HeadTooLarge(String message) {
            super(message);
        }
    }

    /** How long a connect or a read may wait: the settings' timeouts, never past the call's deadline. */
    private static final class Waits {
        private final int readMillis;
        private final Long deadlineNanos;
        private ReadAheadSocket socket;
        private ReadAheadSocket.ReadAhead input;

        Waits(int readMillis, Long deadlineNanos) {
            this.readMillis = readMillis;
            this.deadlineNanos = deadlineNanos;
        }

        /** The socket whose reads these are, once it is connected; its timeout is the read timeout. */
        void connected(ReadAheadSocket connected) throws IOException {
            socket = connected;
            input = (ReadAheadSocket.ReadAhead) connected.getInputStream();
            socket.setSoTimeout(readMillis);
        }

        /**
         * Before a read: when it may wait (nothing is held from the system), the read timeout, shortened to what is
         * left before the deadline. Not for each byte that is held: a chunked stream's framing is read byte by byte.
         */
        void beforeRead() throws IOException {
            if (deadlineNanos != null && input.held() == 0) {
                socket.setSoTimeout(bounded(readMillis));
            }
        }

        /** Whether anything is held from the system: a read returns it without waiting. */
        boolean holdsData() {
            return input.held() > 0;
        }

        /** Whether what is held from the system holds {@code count} line ends (LF). */
        boolean holdsLines(int count) {
            return input.holdsLines(count);
        }

        /** {@code millis} (0: none), or what is left before the deadline when that is less. */
        int bounded(int millis) throws IOException {
            if (deadlineNanos == null) {
                return millis;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the call's deadline passed");
            }
            long leftMillis = Math.max(1, (left + 999_999) / 1_000_000);
            return millis == 0 ? (int) Math.min(Integer.MAX_VALUE, leftMillis) : (int) Math.min(millis, leftMillis);
        }
    }

    /** Reads the status line and the header lines, all of them together within {@link #HEAD_LIMIT} bytes. */
    private static final class HeadReader {
        private final InputStream in;
        private final Waits waits;
        private long left = HEAD_LIMIT;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

        HeadReader(Waits waits) {
            this.in = waits.input;
            this.waits = waits;
        }

        int statusCode() throws IOException {
            String status = line();
            // HTTP/1.1 200 OK; the reason phrase may be empty or missing
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
                    || status.length() > 12 && status.charAt(12) != ' ') {
                throw new ProtocolException("unexpected status line: " + sample(status));
            }
            int code = 0;
            for (int i = 9; i < 12; i++) {
                char c = status.charAt(i);
                if (c < '0' || c > '9') {
                    throw new ProtocolException("unexpected status line: " + sample(status));
                }
                code = code * 10 + (c - '0');
            }
            return code;
        }

        Headers headers() throws IOException {
            Headers.Builder headers = new Headers.Builder();
            String header;
            while (!(header = line()).isEmpty()) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException("unexpected header: " + sample(header));
                }
                try {
                    headers.addUnsafeNonAscii(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException("unexpected header: " + sample(header));
                }
            }
            return headers.build();
        }

        /** One line without its end (LF, or CRLF), as ISO-8859-1 (the bytes a header may hold). */
        private String line() throws IOException {
            line.reset();
            while (true) {
                if (left-- <= 0) {
                    throw new HeadTooLarge("the answer's status line and headers are longer than " + HEAD_LIMIT
                            + " bytes");
                }
                waits.beforeRead();
                int b = in.read();
                if (b < 0) {
                    if (line.size() == 0 && left == HEAD_LIMIT - 1) {
                        throw new java.io.EOFException("the server closed the connection without an answer");
                    }
                    throw new HeadTooLarge("the answer ended inside its headers");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }
    }

    /** A body's stream: each read within the deadline; closing it closes the connection. */
    private abstract static class Body extends InputStream {
        final InputStream in;
        final Waits waits;

        Body(Waits waits) {
            this.in = waits.input;
            this.waits = waits;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        int readSome(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            waits.beforeRead();
            return in.read(b, off, len);
        }

        /** How many more bytes the body has for certain, asking the stream where it must; -1 at its end. */
        abstract long owed() throws IOException;

        /** {@code n} of the bytes owed were read. */
        abstract void took(int n);

        /** Reads what the body owes: the stream's end before the body's is an error. */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            long owed = owed();
            if (owed < 0) {
                return -1;
            }
            int n = readSome(b, off, (int) Math.min(len, owed));
            if (n < 0) {
                throw new ProtocolException("unexpected end of stream");
            }
            took(n);
            return n;
        }

        @Override
        public void close() throws IOException {
            waits.socket.close();
        }
    }

    /** A body of a known length: ending sooner is an error. */
    private static final class Fixed extends Body {
        private long left;

        Fixed(long length, Waits waits) {
            super(waits);
            this.left = length;
        }

        @Override
        long owed() {
            return left == 0 ? -1 : left;
        }

        @Override
        void took(int n) {
            left -= n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(left, in.available());
        }
    }

    /** A body that ends when the server closes the connection. */
    private static final class UntilClose extends Body {
        UntilClose(Waits waits) {
            super(waits);
        }

        @Override
        long owed() {
            return 0; // nothing for certain: read() below ends where the stream does
        }

        @Override
        void took(int n) {
            // nothing is counted
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            return readSome(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }

    /** A chunked body: each chunk's size line, its data and its line end; after the last, the trailers. */
    private static final class Chunked extends Body {
        /** The bytes left of the chunk being read; 0 between chunks; -1 after the last and its trailers. */
        private long left;
        private boolean first = true;
        /** The last chunk's size line was read; its trailers are not yet. */
        private boolean last;

        Chunked(Waits waits) {
            super(waits);
        }

        @Override
        long owed() throws IOException {
            if (left == 0 && !last) {
                nextChunk();
            }
            if (left == 0 && last) {
                trailers();
                left = -1;
            }
            return left;
        }

        @Override
        void took(int n) {
            left -= n;
        }

        /**
         * What the body owes, across as many chunks as are held whole: a chunk's data, and the next chunk's when its
         * framing (the line end and the size line) is held too, so that a stream of one chunk per event is read in
         * pieces as large as the system hands over, not an event at a time. Never waits once it has bytes to return:
         * a framing not wholly held is read by the next call (a pause of the server is shown up to it).
         */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int total = super.read(b, off, len);
            ReadAheadSocket.ReadAhead held = waits.input;
            while (total > 0 && total < len && !last) {
                total += held.takeChunks(b, off + total, len - total, left);
                left = held.chunkLeft();
                if (left < 0) {
                    left = 0;
                    last = true; // the trailers may not be here yet: the next call reads them
                } else if (left == 0 && total < len && waits.holdsLines(2)) {
                    nextChunk(); // another form of framing, or a malformed one
                } else {
                    break; // b is full, or what follows is not all here yet (the next call reads it, waiting)
                }
            }
            return total;
        }

        @Override
        public int available() throws IOException {
            return left <= 0 ? 0 : (int) Math.min(left, in.available());
        }

        /**
         * Reads the line end after a chunk's data and the next chunk's size line, byte by byte without building them:
         * a server that flushes each event of a stream (Go's, Python's) sends one chunk per event, 20,000 of them for
         * 20,000 tokens.
         */
        private void nextChunk() throws IOException {
            if (!first) {
                int b = next();
                if (b == '\r') {
                    b = next();
                }
                if (b != '\n') {
                    throw new ProtocolException("expected the line end after a chunk");
                }
            }
            first = false;
            long size = 0;
            int digits = 0;
            int length = 0;
            int b = next();
            while (b == ' ' || b == '\t') {
                b = next();
                length++;
            }
            for (int value; (value = ReadAheadSocket.ReadAhead.hexValue(b)) >= 0; b = next()) {
                if (++digits > 16) {
                    throw new ProtocolException("a chunk size of more than 16 hex digits");
                }
                size = size << 4 | value;
            }
            boolean extension = false;
            while (b != '\n') {
                extension |= b == ';';
                if (!extension && b != ' ' && b != '\t' && b != '\r' || ++length > MAX_CHUNK_LINE) {
                    throw new ProtocolException("expected a chunk size line but it held byte 0x"
                            + Integer.toHexString(b) + " or was longer than " + MAX_CHUNK_LINE + " bytes");
                }
                b = next();
            }
            if (digits == 0 || size < 0) {
                throw new ProtocolException("expected a chunk size");
            }
            left = size;
            last = size == 0;
        }

        /** The trailer lines after the last chunk, up to the empty line that ends the body. */
        private void trailers() throws IOException {
            long budget = HEAD_LIMIT;
            String trailer;
            while (!(trailer = line()).isEmpty()) {
                budget -= trailer.length() + 2;
                if (budget < 0) {
                    throw new HeadTooLarge("the answer's trailers are longer than " + HEAD_LIMIT + " bytes");
                }
            }
        }

        /** The next byte of the framing; its end is the stream's cut short. */
        private int next() throws IOException {
            waits.beforeRead();
            int b = in.read();
            if (b < 0) {
                throw new ProtocolException("unexpected end of stream");
            }
            return b;
        }

        /** A trailer line without its end. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder(16);
            while (true) {
                int b = next();
                if (b == '\n') {
                    int length = line.length();
                    return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1)
                            : line.toString();
                }
                if (line.length() >= MAX_CHUNK_LINE) {
                    throw new ProtocolException("a trailer line longer than " + MAX_CHUNK_LINE + " bytes");
                }
                line.append((char) b);
            }
        }
    }
}
