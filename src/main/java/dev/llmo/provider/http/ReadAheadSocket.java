package dev.llmo.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A plain-HTTP socket whose input is taken from the system in pieces of up to 128 KiB. OkHttp reads a body 8 KiB at
 * a time (okio's segment), each read a system call through the JDK's socket; a local server (Ollama, vLLM,
 * llama.cpp) streams an answer faster than that is read (ADR-003, "Tenth round"). Here one call takes what
 * the socket holds and okio's reads are served from memory. Nothing else changes: the bytes come in the same order, a
 * read waits only when nothing is held (with the socket's timeout), {@link InputStream#available} counts what is
 * held before what waits in the socket (for {@link StreamSocket}), and closing the input closes the socket. Only for
 * {@code http://}: TLS reads its own records.
 */
final class ReadAheadSocket extends Socket {
    /**
     * The largest piece taken at once: the most the JDK's socket hands over in one call ({@code NioSocketImpl}). A
     * read that asks for at least as much goes to the system directly, without a copy: each of a streamed answer's
     * reads ({@code ChatCall}, 256 KiB) and the second read of one that the first did not fill.
     */
    static final int PIECE = 1 << 17;

    /** Makes the unconnected sockets OkHttp connects itself (how it uses a socket factory). */
    static final SocketFactory FACTORY = new Factory();

    private ReadAhead input;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (input == null) {
            input = new ReadAhead(super.getInputStream());
        }
        return input;
    }

    /** The socket's input, taken in pieces of up to {@link #PIECE} bytes. Read by one reader at a time. */
    static final class ReadAhead extends InputStream {
        private final InputStream in;
        private byte[] held;
        private int next;
        private int end;
        private long chunkLeft;

        ReadAhead(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (next < end) {
                return held[next++] & 0xff; // an answer's head is read byte by byte (LocalHttp), nearly all from here
            }
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (next == end) {
                if (len >= PIECE) {
                    return in.read(b, off, len); // as large as a piece: no copy
                }
                if (held == null) {
                    held = new byte[PIECE];
                }
                int n = in.read(held, 0, PIECE);
                if (n <= 0) {
                    return n;
                }
                next = 0;
                end = n;
            }
            int n = Math.min(len, end - next);
            System.arraycopy(held, next, b, off, n);
            next += n;
            return n;
        }

        /** What is held, which a read returns without asking the system. */
        int held() {
            return end - next;
        }

        /**
         * Copies into {@code b} the data of a chunked body's chunks, as far as they are held with their framing in its
         * plain form: the line end after a chunk's data (CRLF or LF) and a size line of hex digits alone, ending in
         * CRLF or LF. {@code left} is what is owed of the chunk being read (0 at a boundary). Stops when {@code len}
         * bytes are copied, when nothing more is held, or at a framing it does not take (not yet all here, or a form
         * the byte by byte reading takes or rejects: extensions, spaces, too many digits). Returns the bytes copied;
         * {@link #chunkLeft()} then says what is owed of the chunk it stopped in, -1 when it took the last chunk's
         * size line. One loop for all the chunks of a read, with its state in locals: a stream sent a chunk per event
         * has 20,000 of them for 20,000 tokens (ADR-003, "Twenty-sixth round").
         */
        int takeChunks(byte[] b, int off, int len, long left) {
            byte[] h = held;
            int i = next;
            int stop = end;
            int total = 0;
            while (total < len) {
                if (left == 0) {
                    int j = i;
                    if (j < stop && h[j] == '\r') {
                        j++;
                    }
                    if (j >= stop || h[j] != '\n') {
                        break;
                    }
                    j++;
                    long size = 0;
                    int digits = 0;
                    for (int value; j < stop && (value = hexValue(h[j])) >= 0 && digits < 16; j++, digits++) {
                        size = size << 4 | value;
                    }
                    // 16 digits or more may not fit: left to the byte by byte reading, as a size line ended wrongly
                    if (digits == 0 || digits == 16) {
                        break;
                    }
                    if (j < stop && h[j] == '\r') {
                        j++;
                    }
                    if (j >= stop || h[j] != '\n') {
                        break;
                    }
                    i = j + 1;
                    if (size == 0) {
                        left = -1;
                        break;
                    }
                    left = size;
                }
                int n = (int) Math.min(Math.min(len - total, stop - i), left);
                if (n <= 0) {
                    break;
                }
                System.arraycopy(h, i, b, off + total, n);
                i += n;
                total += n;
                left -= n;
            }
            next = i;
            chunkLeft = left;
            return total;
        }

        /** What is owed of the chunk {@link #takeChunks} stopped in; -1 when it took the last chunk's size line. */
        long chunkLeft() {
            return chunkLeft;
        }

        /** The value of a hex digit, or -1. */
        static int hexValue(int b) {
            int lower = b | 0x20;
            return b >= '0' && b <= '9' ? b - '0' : lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
        }

        /** Whether what is held holds {@code count} line ends (LF), so that reading that many lines will not wait. */
        boolean holdsLines(int count) {
            int found = 0;
            for (int i = next; i < end; i++) {
                if (held[i] == '\n' && ++found == count) {
                    return true;
                }
            }
            return false;
        }

        /**
         * What is held, and what waits in the socket when that is less than one of okio's reads: asking the socket is
         * a system call, and a reader told of 8 KiB or more has enough to go on.
         */
        @Override
        public int available() throws IOException {
            int mine = end - next;
            return mine >= 8192 ? mine : mine + in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final class Factory extends SocketFactory {
        @Override
        public Socket createSocket() {
            return new ReadAheadSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
            Socket socket = new ReadAheadSocket();
            try {
                if (local != null) {
                    socket.bind(local);
                }
                socket.connect(remote);
                return socket;
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
    }
}
