package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The plain-HTTP socket that takes its input in large pieces: the same bytes, waits, timeouts and closing. */
class ReadAheadSocketTest {
    @Test
    void readsOfEverySizeGetTheBytesInOrder() throws IOException {
        Random random = new Random(3);
        byte[] data = new byte[300_000];
        random.nextBytes(data);
        for (int trial = 0; trial < 50; trial++) {
            InputStream in = new ReadAheadSocket.ReadAhead(new Trickle(data, random.nextLong()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[ReadAheadSocket.PIECE + 100];
            while (true) {
                int len = switch (random.nextInt(4)) {
                    case 0 -> 1;
                    case 1 -> 1 + random.nextInt(8192);
                    case 2 -> ReadAheadSocket.PIECE + random.nextInt(100);
                    default -> 0;
                };
                if (len == 1 && random.nextBoolean()) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    out.write(b);
                    continue;
                }
                int n = in.read(buffer, 0, len);
                if (n < 0) {
                    break;
                }
                assertThat(n).isLessThanOrEqualTo(len);
                assertThat(n == 0).isEqualTo(len == 0);
                out.write(buffer, 0, n);
            }
            assertThat(out.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    void availableCountsWhatIsHeldThenWhatWaits() throws IOException {
        byte[] data = new byte[20_000];
        ReadAheadSocket.ReadAhead in = new ReadAheadSocket.ReadAhead(new ByteArrayInputStream(data));
        assertThat(in.available()).isEqualTo(20_000); // nothing held: the socket's count
        assertThat(in.read(new byte[100], 0, 100)).isEqualTo(100); // took all 20,000, gave 100
        assertThat(in.available()).isEqualTo(19_900);
        assertThat(in.read(new byte[19_000], 0, 19_000)).isEqualTo(19_000);
        assertThat(in.available()).isEqualTo(900);
    }

    @Test
    void overARealSocketPausesAreWaitedForTimeoutsFireAndClosingCloses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Socket client = ReadAheadSocket.FACTORY.createSocket(server.getInetAddress(), server.getLocalPort());
            try (Socket peer = accepted.get(5, TimeUnit.SECONDS)) {
                assertThat(client).isInstanceOf(ReadAheadSocket.class);
                client.setSoTimeout(300);
                OutputStream out = peer.getOutputStream();
                InputStream in = client.getInputStream();
                assertThat(client.getInputStream()).isSameAs(in);
                out.write("first".getBytes());
                out.flush();
                byte[] buffer = new byte[8192];
                assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(5); // what came, without waiting for more
                CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(100);
                        out.write("second".getBytes());
                        out.flush();
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(6); // waited for the pause's end
                assertThatThrownBy(() -> in.read(buffer, 0, buffer.length)).isInstanceOf(SocketTimeoutException.class);
                in.close();
                assertThat(client.isClosed()).isTrue();
                assertThatThrownBy(client::getInputStream).isInstanceOf(SocketException.class);
            } finally {
                client.close();
            }
        }
    }

    /** A stream that returns at most a random number of bytes per read, as a socket does. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final Random random;
        private int at;

        Trickle(byte[] data, long seed) {
            this.data = data;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, data.length - at), 1 + random.nextInt(100_000));
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public int available() {
            return data.length - at;
        }
    }
}
