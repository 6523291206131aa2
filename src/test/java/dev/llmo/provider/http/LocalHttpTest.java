package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * llmo's own HTTP/1.1 exchange with a plain-HTTP server, against a server that writes exactly the bytes each test
 * gives it (a well-behaved one, and the broken and hostile ones a local server or what poses as one may be).
 */
class LocalHttpTest {
    private static final byte[] BODY = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);

    private ServerSocket server;
    /** What the server read of each request: its head and body as bytes. */
    private final CompletableFuture<byte[]> received = new CompletableFuture<>();
    private final List<Closeable> opened = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    /** Answers the next connection with {@code answer}, then keeps it open ({@code hold}) or closes it. */
    private void answer(byte[] answer, boolean hold) {
        answer(answer, hold, new int[0]);
    }

    /**
     * As {@link #answer(byte[], boolean)}, writing {@code answer} in pieces that end at {@code cuts} (ascending), each
     * flushed and followed by a pause, so that the client's reads end there.
     */
    private void answer(byte[] answer, boolean hold, int[] cuts) {
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                int length = -1;
                while (length < 0 || request.size() < length) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    request.write(b);
                    String text = request.toString(StandardCharsets.ISO_8859_1);
                    int end = text.indexOf("\r\n\r\n");
                    if (length < 0 && end >= 0) {
                        int at = text.indexOf("Content-Length: ");
                        int size = at < 0 ? 0 : Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)));
                        length = end + 4 + size;
                    }
                }
                received.complete(request.toByteArray());
                OutputStream out = socket.getOutputStream();
                int from = 0;
                for (int cut : cuts) {
                    out.write(answer, from, cut - from);
                    out.flush();
                    from = cut;
                    Thread.sleep(1);
                }
                out.write(answer, from, answer.length - from);
                out.flush();
                if (hold) {
                    in.read(); // until the client closes
                }
            } catch (IOException e) {
                received.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "local-http-test-server");
        thread.setDaemon(true);
        thread.start();
    }

    private void answer(String answer) {
        answer(answer.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    private HttpRequest post() {
        return HttpRequest.post("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions?x=1", BODY,
                "application/json").with(Headers.of("Authorization", "Bearer sk-test"));
    }

    private LocalHttp exchange(int readMillis, Long deadlineNanos) throws IOException {
        return LocalHttp.exchange(post(), new LocalHttp.Timing(2_000, readMillis, deadlineNanos, () -> { }),
                opened::add);
    }

    private LocalHttp exchange() throws IOException {
        return exchange(2_000, null);
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void sendsTheRequestAsHttp11AndReadsABodyOfAKnownLength() throws Exception {
        answer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 5\r\n\r\nhello");
        boolean[] sent = {false};
        try (LocalHttp exchange = LocalHttp.exchange(post(), new LocalHttp.Timing(2_000, 2_000, null,
                () -> sent[0] = true), opened::add)) {
            assertThat(exchange.code()).isEqualTo(200);
            assertThat(exchange.headers().get("content-type")).isEqualTo("text/event-stream");
            assertThat(read(exchange.body())).isEqualTo("hello");
            assertThat(exchange.wire()).isNotNull();
        }
        assertThat(sent[0]).isTrue();
        assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(
                "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n"
                        + "Authorization: Bearer sk-test\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + BODY.length + "\r\nConnection: close\r\nUser-Agent: llmo\r\n\r\n"
                        + "{\"model\":\"m\"}");
    }

    @Test
    void aChunkedBodyIsItsChunksWithoutExtensionsOrTrailers() throws IOException {
        answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\n \r\n"
                + " 5 \t\r\nw\u00f6rld\r\nA ; name=\"v\"\r\n0123456789\n0\r\nX-Trailer: yes\r\n\r\n");
        try (LocalHttp exchange = exchange()) {
            assertThat(new String(exchange.body().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .isEqualTo("hello w\u00f6rld0123456789");
        }
        // sizes as a server may write them between two chunks: upper case, leading zeros up to 16 digits, LF alone
        listenAgain();
        answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nC\r\n0123456789ab\r\n"
                + "000000000000003\ncde\n0000000000000002\r\nfg\r\n0\r\n\r\n");
        try (LocalHttp exchange = exchange()) {
            assertThat(read(exchange.body())).isEqualTo("ab0123456789abcdefg");
        }
    }

    /**
     * Chunked bodies of random chunks (bytes of any value, CR and LF among them), their framing in the forms servers
     * write (CRLF or LF, upper or lower case, leading zeros, extensions, spaces, trailers), sent in random pieces and
     * read in random sizes: the data come out exactly, wherever a piece or a read ends, whether the framing between
     * two chunks is taken at once or byte by byte.
     */
    @Test
    void randomChunkedBodiesAreReadExactlyWhereverTheyAreCut() throws IOException {
        java.util.Random random = new java.util.Random(20261207);
        for (int round = 0; round < 120; round++) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            wire.writeBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int head = wire.size();
            for (int chunk = 1 + random.nextInt(40); chunk > 0; chunk--) {
                byte[] bytes = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 5_000 : 200)];
                random.nextBytes(bytes);
                wire.writeBytes(sizeLine(bytes.length, random).getBytes(StandardCharsets.US_ASCII));
                wire.writeBytes(bytes);
                wire.writeBytes((random.nextBoolean() ? "\r\n" : "\n").getBytes(StandardCharsets.US_ASCII));
                data.writeBytes(bytes);
            }
            wire.writeBytes((sizeLine(0, random) + (random.nextInt(4) == 0 ? "X-Trailer: 1\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] answer = wire.toByteArray();
            int[] cuts = random.ints(random.nextInt(6), head, answer.length).sorted().distinct().toArray();
            listenAgain();
            answer(answer, false, cuts);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (LocalHttp exchange = exchange()) {
                InputStream body = exchange.body();
                byte[] buffer = new byte[1 + random.nextInt(random.nextBoolean() ? 64 : 300_000)];
                for (int n; (n = body.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0; ) {
                    got.write(buffer, 0, n);
                }
            }
            assertThat(got.toByteArray()).as("round %d", round).isEqualTo(data.toByteArray());
        }
    }

    /** A chunk's size line as a server may write it. */
    private static String sizeLine(int size, java.util.Random random) {
        String hex = Integer.toHexString(size);
        hex = random.nextBoolean() ? hex.toUpperCase(java.util.Locale.ROOT) : hex;
        // up to 16 digits in all: the most the framing between two chunks is taken at once is 15
        hex = "0".repeat(random.nextInt(4) == 0 ? random.nextInt(17 - hex.length()) : 0) + hex;
        String extension = switch (random.nextInt(8)) {
            case 0 -> ";name=\"v\"";
            case 1 -> " \t";
            default -> "";
        };
        return hex + extension + (random.nextBoolean() ? "\r\n" : "\n");
    }

    /**
     * One read takes every chunk that is held whole (a stream of one chunk per event comes in large pieces), but never
     * waits once it has bytes: a pause of the server inside a chunk's framing, or before a chunk's data, ends the read
     * with what came before it, as a pause before the last chunk's trailers does.
     */
    @Test
    void aReadTakesTheChunksThatAreHeldAndNeverWaitsWithBytesInHand() throws IOException {
        for (String cut : List.of("5\r\nhello\r\n5\r\nworld\r\n1", "5\r\nhello\r\n5\r\nworld\r\n1\r\n",
                "5\r\nhello\r\n5\r\nworld\r\n0\r\n")) {
            listenAgain();
            answer(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + cut)
                    .getBytes(StandardCharsets.ISO_8859_1), true);
            // a read that waited would end in the read timeout (the server sends nothing more)
            try (LocalHttp exchange = exchange(2_000, System.nanoTime() + TimeUnit.SECONDS.toNanos(60))) {
                byte[] buffer = new byte[100];
                int n = exchange.body().read(buffer, 0, buffer.length);
                assertThat(new String(buffer, 0, n, StandardCharsets.ISO_8859_1)).as(cut).isEqualTo("helloworld");
            }
        }
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() throws IOException {
        answer("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}");
        try (LocalHttp exchange = exchange()) {
            assertThat(read(exchange.body())).isEqualTo("{\"a\":1}");
        }
    }

    @Test
    void anAnswerWithoutABodyHasNone() throws IOException {
        answer("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n");
        try (LocalHttp exchange = exchange()) {
            assertThat(exchange.code()).isEqualTo(204);
            assertThat(exchange.body().read()).isEqualTo(-1);
        }
    }

    @Test
    void anInterimAnswerIsSkipped() throws IOException {
        answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n"
                + "Content-Length: 2\r\n\r\n{}");
        try (LocalHttp exchange = exchange()) {
            assertThat(exchange.code()).isEqualTo(429);
            assertThat(exchange.headers().get("Retry-After")).isEqualTo("3");
            assertThat(read(exchange.body())).isEqualTo("{}");
        }
    }

    @Test
    void aBodyCutShortOfItsLengthOrItsChunkIsAnError() throws IOException {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        try (LocalHttp exchange = exchange()) {
            assertThatThrownBy(() -> exchange.body().readAllBytes()).isInstanceOf(ProtocolException.class)
                    .hasMessage("unexpected end of stream");
        }
        listenAgain();
        answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhello");
        try (LocalHttp exchange = exchange()) {
            assertThatThrownBy(() -> exchange.body().readAllBytes()).isInstanceOf(ProtocolException.class)
                    .hasMessage("unexpected end of stream");
        }
    }

    @Test
    void malformedFramingIsAnError() throws IOException {
        List<String> framings = List.of("zz\r\nhello\r\n", "1".repeat(2_000) + "\r\n", "5\r\nhelloXX0\r\n\r\n",
                "5 x\r\nhello\r\n0\r\n\r\n", ";ext\r\nhello\r\n0\r\n\r\n", "0".repeat(17) + "5\r\nhello\r\n0\r\n\r\n",
                "8000000000000000\r\nhello\r\n", "5;" + "e".repeat(2_000) + "\r\nhello\r\n", "\r\nhello\r\n0\r\n\r\n");
        List<String> answers = new java.util.ArrayList<>();
        for (String framing : framings) {
            answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + framing);
            // the same after a whole chunk, where the framing between two chunks is read at once when it is plain
            answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n" + framing);
        }
        answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXX5\r\nhello\r\n0\r\n\r\n");
        for (String answer : answers) {
            listenAgain();
            answer(answer);
            try (LocalHttp exchange = exchange()) {
                assertThatThrownBy(() -> exchange.body().readAllBytes()).as(answer)
                        .isInstanceOf(ProtocolException.class);
            }
        }
        for (String answer : List.of("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")) {
            listenAgain();
            answer(answer);
            assertThatThrownBy(this::exchange).as(answer).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void headersOverTheLimitOrCutMidLineAreTooLarge() throws IOException {
        answer("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(LocalHttp.HEAD_LIMIT) + "\r\n\r\n");
        assertThatThrownBy(this::exchange).isInstanceOf(LocalHttp.HeadTooLarge.class);
        listenAgain();
        answer("HTTP/1.1 200 OK\r\nX-Cut: abc");
        assertThatThrownBy(this::exchange).isInstanceOf(LocalHttp.HeadTooLarge.class);
        listenAgain();
        answer("");
        assertThatThrownBy(this::exchange).isInstanceOf(java.io.EOFException.class)
                .isNotInstanceOf(LocalHttp.HeadTooLarge.class);
    }

    @Test
    void aGzipBodyIsInflatedAndItsSocketNotCounted() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write("data: {}\n\n".getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        answer.writeBytes(("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gzipped.size()
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        answer.writeBytes(gzipped.toByteArray());
        answer(answer.toByteArray(), false);
        try (LocalHttp exchange = exchange()) {
            assertThat(exchange.wire()).isNull();
            assertThat(exchange.body().available()).isZero();
            assertThat(read(exchange.body())).isEqualTo("data: {}\n\n");
        }
    }

    @Test
    void aServerThatSendsNothingTimesOutAfterTheReadTimeoutOrTheDeadline() throws IOException {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhel".getBytes(StandardCharsets.ISO_8859_1), true);
        try (LocalHttp exchange = exchange(300, null)) {
            InputStream body = exchange.body();
            assertThat(body.read(new byte[10])).isEqualTo(3);
            long start = System.nanoTime();
            assertThatThrownBy(() -> body.read(new byte[10])).isInstanceOf(SocketTimeoutException.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        }
        listenAgain();
        answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhel".getBytes(StandardCharsets.ISO_8859_1), true);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        try (LocalHttp exchange = exchange(60_000, deadline)) {
            InputStream body = exchange.body();
            assertThat(body.read(new byte[10])).isEqualTo(3);
            assertThatThrownBy(() -> body.read(new byte[10])).isInstanceOf(SocketTimeoutException.class);
            assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline);
        }
        assertThatThrownBy(() -> exchange(60_000, System.nanoTime() - 1)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void closingTheSocketFromAnotherThreadEndsAWaitingRead() throws Exception {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), true);
        try (LocalHttp exchange = exchange(60_000, null)) {
            CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    opened.get(opened.size() - 1).close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> exchange.body().read(new byte[10])).isInstanceOf(SocketException.class);
        }
    }

    /** A server that takes the request and never answers: the deadline ends the wait for the status line too. */
    @Test
    void aServerThatNeverAnswersTimesOutAtTheDeadline() throws IOException {
        answer(new byte[0], true);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        assertThatThrownBy(() -> exchange(60_000, deadline)).isInstanceOf(SocketTimeoutException.class);
        assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline);
    }

    /**
     * {@code localhost} is tried at each of its addresses in turn: where it is ::1 first, a server listening on
     * 127.0.0.1 alone (as a local model server often does) refuses there and answers on the next.
     */
    @Test
    void localhostReachesAServerOnTheIpv4LoopbackAlone() throws Exception {
        answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        HttpRequest request = HttpRequest.get("http://localhost:" + server.getLocalPort() + "/api/tags");
        try (LocalHttp exchange = LocalHttp.exchange(request, new LocalHttp.Timing(2_000, 2_000, null, () -> { }),
                opened::add)) {
            assertThat(read(exchange.body())).isEqualTo("ok");
        }
        assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                .startsWith("GET /api/tags HTTP/1.1\r\nHost: localhost:" + server.getLocalPort() + "\r\n")
                .doesNotContain("Content-Length");
    }

    @Test
    void nothingListeningIsARefusedConnection() throws IOException {
        int port = server.getLocalPort();
        server.close();
        HttpRequest request = HttpRequest.get("http://127.0.0.1:" + port + "/v1");
        assertThatThrownBy(() -> LocalHttp.exchange(request,
                new LocalHttp.Timing(2_000, 2_000, null, () -> { }), opened::add)).isInstanceOf(ConnectException.class);
    }

    @Test
    void servesSmallPlainHttpRequestsWithoutAProxyOnly() {
        assertThat(LocalHttp.serves(post())).isTrue();
        assertThat(LocalHttp.serves(HttpRequest.get("http://localhost:11434/api/tags"))).isTrue();
        assertThat(LocalHttp.serves(HttpRequest.get("http://[::1]:11434/api/tags"))).isTrue();
        assertThat(LocalHttp.serves(HttpRequest.get("https://api.openai.com/v1/models"))).isFalse();
        byte[] large = new byte[LocalHttp.MAX_BODY + 1];
        assertThat(LocalHttp.serves(HttpRequest.post("http://localhost:11434/v1/chat/completions", large,
                "application/json"))).isFalse();
        // user-info, and what java.net.URI cannot read, are OkHttp's to read (and to refuse)
        assertThat(LocalHttp.serves(HttpRequest.get("http://user:pw@localhost:11434/api/tags"))).isFalse();
        assertThat(LocalHttp.serves(HttpRequest.get("http://local host:11434/api/tags"))).isFalse();
        assertThat(LocalHttp.serves(HttpRequest.get("http://my_box:11434/api/tags"))).isFalse();
        // Java's proxy settings, which OkHttp honours, skip local addresses (http.nonProxyHosts' default)
        HttpRequest lan = HttpRequest.get("http://gpu-box.example:8000/v1/models");
        assertThat(LocalHttp.serves(lan)).isTrue();
        String host = System.getProperty("http.proxyHost");
        System.setProperty("http.proxyHost", "proxy.example");
        try {
            assertThat(LocalHttp.serves(lan)).isFalse();
            assertThat(LocalHttp.serves(post())).isTrue();
        } finally {
            if (host == null) {
                System.clearProperty("http.proxyHost");
            } else {
                System.setProperty("http.proxyHost", host);
            }
        }
    }

    private void listenAgain() throws IOException {
        server.close();
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
}
