package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built binary, with a small heap, against a loopback server that sends about 1 GiB: a stream that long must
 * pass in flat memory, a single line that long must stop at the 8 MiB line limit, and an answer that long at the
 * 16 MiB answer limit with its text printed and logged (0.1.0 ran out of memory). When memory does run out, the
 * process ends with exit 1 and one line, never hangs. Its {@code api_key_cmd} child sees none of llmo's secrets.
 */
class HostileServerIT {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final String HEAP = "-Xmx64m";
    /**
     * Well under what a JVM picks by itself on a machine of 1 GiB (a quarter of it): the answer limit must fit in it.
     * Under G1, which a model call runs with since ADR-003's twentieth round, the answer's text (one array of up to
     * 32 MB when it holds a char beyond Latin-1, and its copies as it grows) takes whole regions: 128 MB, enough for
     * the serial collector, ran out.
     */
    private static final String ANSWER_HEAP = "-Xmx160m";
    private static final String TOO_SMALL_HEAP = "-Xmx24m";

    @TempDir
    Path home;
    private RawSseServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Answers every request with an SSE head, then whatever {@code body} writes, then closes the connection. */
    private static final class RawSseServer implements AutoCloseable {
        interface Body {
            void write(OutputStream out) throws IOException;
        }

        private final ServerSocket socket;

        RawSseServer(Body body) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket client = socket.accept()) {
                        readRequest(client.getInputStream());
                        OutputStream out = new java.io.BufferedOutputStream(client.getOutputStream(), 1 << 16);
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        body.write(out);
                        out.flush();
                    } catch (IOException e) {
                        // the client hung up (it stopped reading at a limit): expected
                    }
                }
            }, "raw-sse-server");
            thread.setDaemon(true);
            thread.start();
        }

        /** Reads the head and the Content-Length body of one request. */
        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring(15).strip()));
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static byte[] delta(String text) {
        return ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}"
                + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private void writeModels(String baseUrl, String providerKeys) throws IOException {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  %s
                  default_model: m1
                other:
                  type: openai
                  base_url: %s
                  api_key_name: OTHER_SERVICE_TOKEN
                  default_model: x
                """.formatted(baseUrl, providerKeys, baseUrl));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    private BinaryRun llmo() {
        return BinaryRun.in(home).env("JAVA_TOOL_OPTIONS", HEAP).env("MOCK_API_KEY", "sk-it-secret")
                .env("LLMO_MAX_RETRIES", "0");
    }

    @Test
    void aGigabyteOfKeepAlivesStreamsInFlatMemory() throws Exception {
        byte[] keepAlive = (":" + " keep-alive".repeat(5957) + "\n").getBytes(StandardCharsets.US_ASCII); // 64 KiB
        server = new RawSseServer(out -> {
            out.write(delta("Hello"));
            for (long sent = 0; sent < GIB; sent += keepAlive.length) {
                out.write(keepAlive);
            }
            out.write(delta(", world"));
            out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n").getBytes(StandardCharsets.US_ASCII));
        });
        writeModels(server.url(), "api_key_name: MOCK_API_KEY");

        BinaryRun.Result result = llmo().run("run", "hi");

        assertThat(result.err()).doesNotContain("OutOfMemoryError");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("Hello, world\n");
    }

    @Test
    void aGigabyteLineStopsAtTheLineLimitWithTheTextKept() throws Exception {
        byte[] chunk = "x".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
        server = new RawSseServer(out -> {
            out.write(delta("Hello"));
            out.write("data: ".getBytes(StandardCharsets.US_ASCII));
            for (long sent = 0; sent < GIB; sent += chunk.length) {
                out.write(chunk);
            }
            out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        });
        writeModels(server.url(), "api_key_name: MOCK_API_KEY");

        BinaryRun.Result result = llmo().run("run", "hi");

        assertThat(result.err()).doesNotContain("OutOfMemoryError").doesNotContain("internal error");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("Hello\n");
        assertThat(result.err()).contains("llmo: error: mock sent a stream line or event larger than 8 MiB, llmo's "
                + "limit; it stopped reading");
    }

    /** Text events of 16 KiB each, after a first one with a char beyond Latin-1 (the costliest text to hold). */
    private RawSseServer aGigabyteOfAnswer() throws IOException {
        byte[] piece = delta("x".repeat(16 * 1024));
        return new RawSseServer(out -> {
            out.write(delta("Hello 中 "));
            for (long sent = 0; sent < GIB; sent += 16 * 1024) {
                out.write(piece);
            }
            out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n").getBytes(StandardCharsets.US_ASCII));
        });
    }

    /** What llmo wrote to stderr, without the JVM's note that it read JAVA_TOOL_OPTIONS. */
    private static List<String> llmoLines(String err) {
        return err.lines().filter(line -> !line.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
    }

    @Test
    void aGigabyteAnswerEndsAtTheAnswerLimitWithTheTextSoFarPrintedAndLogged() throws Exception {
        server = aGigabyteOfAnswer();
        writeModels(server.url(), "api_key_name: MOCK_API_KEY");

        BinaryRun.Result result = llmo().env("JAVA_TOOL_OPTIONS", ANSWER_HEAP).run("run", "hi");

        assertThat(llmoLines(result.err())).containsExactly("llmo: error: the answer from mock passed llmo's limit "
                + "of 16 MiB of text; the text so far is kept; ask for a shorter answer (e.g. -o max_tokens=N)");
        assertThat(result.exitCode()).isEqualTo(1);
        String text = result.out().substring(0, result.out().length() - 1);
        assertThat(text).startsWith("Hello 中 xxx");
        assertThat((long) text.getBytes(StandardCharsets.UTF_8).length).isBetween(16L * 1024 * 1024 - 16 * 1024,
                16L * 1024 * 1024);

        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<Event> events = EventLog.read(log);
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        Event response = events.get(events.size() - 3);
        assertThat(response.data().get("complete").asBoolean()).isFalse();
        assertThat(((EventData.Response) EventCodec.decode(response)).text()).isEqualTo(text);
        assertThat(events.get(events.size() - 2).data().get("kind").asText()).isEqualTo("incomplete");
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void runningOutOfMemoryEndsTheProcessWithExit1AndOneLine() throws Exception {
        // a heap far too small for the answer the limit allows: memory runs out somewhere while it arrives
        server = aGigabyteOfAnswer();
        writeModels(server.url(), "api_key_name: MOCK_API_KEY");

        // BinaryRun bounds the wait: a hung process is killed and the test fails
        BinaryRun.Result result = llmo().env("JAVA_TOOL_OPTIONS", TOO_SMALL_HEAP).run("run", "hi");

        assertThat(llmoLines(result.err())).containsExactly("llmo: error: out of memory; give the JVM more with "
                + "JAVA_TOOL_OPTIONS=-Xmx2g (or ask for less: a shorter history, fewer models at once)");
        assertThat(result.exitCode()).isEqualTo(1);
        // the log still says how the session ended (written from memory set aside for it), and stays whole
        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<Event> events = EventLog.read(log);
        assertThat(events.stream().map(Event::type)).endsWith("error", "session.end");
        assertThat(events.get(events.size() - 2).data().get("message").asText()).isEqualTo("out of memory");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(1);
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
    }

    @Test
    void apiKeyCmdSeesNeitherTheVaultPasswordNorProviderKeys() throws Exception {
        Path dump = home.resolve("child-env");
        server = new RawSseServer(out -> out.write((new String(delta("ok"), StandardCharsets.UTF_8)
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                .getBytes(StandardCharsets.UTF_8)));
        writeModels(server.url(), "api_key_cmd: \"env > '" + dump + "'; echo sk-from-cmd\"");

        BinaryRun.Result result = BinaryRun.in(home)
                .env("LLMO_VAULT_PASSWORD", "hunter2-vault-password")
                .env("OPENAI_API_KEY", "sk-openai-it-secret")
                .env("OTHER_SERVICE_TOKEN", "other-it-secret")
                .env("HARMLESS", "kept")
                .run("run", "hi");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("ok\n");
        String seen = Files.readString(dump);
        assertThat(seen).contains("HARMLESS=kept")
                .doesNotContain("LLMO_VAULT_PASSWORD").doesNotContain("hunter2-vault-password")
                .doesNotContain("sk-openai-it-secret").doesNotContain("other-it-secret");
    }
}
