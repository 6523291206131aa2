package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.ResponseLimits;
import dev.llmo.provider.http.RetryPolicy;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.SseParser;
import dev.llmo.provider.http.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broken or hostile server cannot make llmo use unbounded memory: one SSE line, one whole body (also after gzip
 * inflation), the model list and the answer text are bounded, and what came before the limit is kept.
 */
class ResponseLimitsTest {
    private static final long MIB = 1024 * 1024;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ProviderClient client(ProviderType type, ResponseLimits limits) {
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), 0).withLimits(limits);
        Transport transport = new Transport(() -> new OkHttpClient.Builder().retryOnConnectionFailure(false)
                .readTimeout(10, TimeUnit.SECONDS).build(), settings,
                new RetryPolicy(0, new RecordingSleeper(), () -> 0.0), ProviderTestSupport.CLOCK);
        String keyName = type.id().toUpperCase() + "_API_KEY";
        return new ProviderClients(transport).create(ProviderTestSupport.provider(type.id(), type, server, "/v1",
                keyName), ProviderTestSupport.key(keyName));
    }

    @Test
    void headersOverOkHttpsLimitAreABadAnswerNotAConnectionFailureAndNotRetried() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setHeader("X-Big", "a".repeat(300 * 1024)).setBody("{}"));
        }
        ProviderClient client = new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 2))
                .create(ProviderTestSupport.provider("openai", ProviderType.OPENAI, server, "/v1", null), null);

        assertThatThrownBy(() -> client.complete(request(false)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE);
                    assertThat(e.fix()).startsWith("check that base_url of provider 'openai'");
                })
                .hasMessage("openai sent answer headers larger than 256 KiB, llmo's limit (or cut off mid-line); it "
                        + "stopped reading");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    private static ChatRequest request(boolean stream) {
        return new ChatRequest("m", null, List.of(ChatMessage.user("hi")), Map.of(), null, stream);
    }

    /** An endless stream of one byte, counting what was read. */
    private static final class Endless extends InputStream {
        private final byte fill;
        long read;

        Endless(byte fill) {
            this.fill = fill;
        }

        @Override
        public int read() {
            read++;
            return fill;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, fill);
            read += len;
            return len;
        }
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(ResponseLimits.DEFAULT).isEqualTo(new ResponseLimits(8 * MIB, 32 * MIB, 16 * MIB, 16 * MIB));
        assertThat(HttpSettings.DEFAULT.limits()).isEqualTo(ResponseLimits.DEFAULT);
    }

    @Test
    void anEndlessLineStopsTheParserAtTheLimitNotAtTheEndOfMemory() {
        Endless line = new Endless((byte) 'a');
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);

        assertThatThrownBy(() -> parser.parse(line)).isInstanceOf(SseParser.TooLargeException.class);
        assertThat(line.read).isLessThanOrEqualTo(8 * MIB + 8192);
        assertThat(events).isEmpty();
    }

    @Test
    void anEventMadeOfManyDataLinesIsBoundedToo() {
        byte[] dataLine = ("data: " + "x".repeat(1000) + "\n").getBytes(StandardCharsets.US_ASCII);
        InputStream endlessEvent = new InputStream() {
            int pos;

            @Override
            public int read() {
                int b = dataLine[pos];
                pos = (pos + 1) % dataLine.length;
                return b;
            }
        };
        SseParser parser = new SseParser(event -> { }, 64 * 1024);
        assertThatThrownBy(() -> parser.parse(endlessEvent)).isInstanceOf(SseParser.TooLargeException.class);
    }

    @Test
    void aHugeStreamLineEndsTheCallAsABadResponseKeepingTheText() {
        String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"},\"finish_reason\":null}]}\n\n";
        Buffer body = new Buffer().writeUtf8(first).writeUtf8("data: ");
        byte[] chunk = "y".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2 * 1024 / 64 + 1; i++) { // a little over 2 MiB on one line
            body.write(chunk);
        }
        body.writeUtf8("\n\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body));
        Recorder recorder = new Recorder();
        client(ProviderType.OPENAI, new ResponseLimits(2 * MIB, 32 * MIB, 16 * MIB, 64 * MIB))
                .stream(request(true), recorder);

        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageStartingWith("openai sent a stream line or event larger than 2 MiB, llmo's limit");
        assertThat(recorder.texts()).containsExactly("kept");
    }

    /** A gzip body that inflates to {@code prefix}, {@code size} bytes of 'a', then {@code suffix}. */
    private static Buffer gzipBomb(String prefix, long size, String suffix) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(prefix.getBytes(StandardCharsets.UTF_8));
            byte[] a = "a".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
            for (long written = 0; written < size; written += a.length) {
                gzip.write(a);
            }
            gzip.write(suffix.getBytes(StandardCharsets.UTF_8));
        }
        return new Buffer().write(compressed.toByteArray());
    }

    @Test
    void aGzipBombedWholeAnswerStopsAtTheBodyLimitAfterInflation() throws IOException {
        // about 80 KB on the wire, 48 MiB of valid JSON once inflated
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                .setHeader("Content-Encoding", "gzip")
                .setBody(gzipBomb("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"",
                        48 * MIB, "\"},\"finish_reason\":\"stop\"}]}")));
        Recorder recorder = new Recorder();
        client(ProviderType.OPENAI, ResponseLimits.DEFAULT).stream(request(false), recorder);

        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageStartingWith("openai sent an answer larger than 32 MiB, llmo's limit");
        assertThat(recorder.texts()).isEmpty();
    }

    @Test
    void aGzipBombedModelListStopsAtTheListLimit() throws IOException {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                .setHeader("Content-Encoding", "gzip")
                .setBody(gzipBomb("{\"object\":\"list\",\"data\":[{\"id\":\"", 20 * MIB, "\"}]}")));

        assertThatThrownBy(() -> client(ProviderType.OPENAI, ResponseLimits.DEFAULT).listModels())
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_RESPONSE))
                .hasMessageStartingWith("openai sent a model list larger than 16 MiB, llmo's limit");
    }

    @Test
    void theModelListLimitCountsEveryPage() {
        // Anthropic pages by after_id: three pages of ~600 bytes, a limit of 1 KiB
        for (int page = 0; page < 3; page++) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(
                    "{\"data\":[{\"type\":\"model\",\"id\":\"model-" + page + "-" + "x".repeat(500)
                            + "\",\"display_name\":\"M\"}],\"has_more\":true,\"last_id\":\"model-" + page + "\"}"));
        }
        assertThatThrownBy(() -> client(ProviderType.ANTHROPIC, new ResponseLimits(MIB, MIB, 1024, MIB)).listModels())
                .hasMessageStartingWith("anthropic sent a model list larger than 1 KiB");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void theAnswerTextEndsAtItsLimitAsAnErrorWithTheTextSoFarKept() {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append("z".repeat(100))
                    .append("\"},\"finish_reason\":null}]}\n\n");
        }
        stream.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(stream.toString()));
        Recorder recorder = new Recorder();
        client(ProviderType.OPENAI, new ResponseLimits(MIB, MIB, MIB, 1000)).stream(request(true), recorder);

        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE))
                .hasMessage("the answer from openai passed llmo's limit of 1000 bytes of text; the text so far is kept");
        assertThat(String.join("", recorder.texts())).isEqualTo("z".repeat(1000));
    }

    /**
     * The limit falls inside a run of plain chunks that the parser reads at once: the text kept ends where reading
     * chunk by chunk would end it, after the last chunk that fits.
     */
    @Test
    void theAnswerLimitCutsARunOfChunksWhereChunkByChunkWould() {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            stream.append("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                    .append((char) ('a' + i % 26)).append("bcdefghi\"},\"finish_reason\":null}]}\n\n");
        }
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(stream.toString()));
        Recorder recorder = new Recorder();
        client(ProviderType.OPENAI, new ResponseLimits(MIB, MIB, MIB, 1005)).stream(request(true), recorder);

        assertThat(recorder.error()).hasMessage(
                "the answer from openai passed llmo's limit of 1005 bytes of text; the text so far is kept");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; (i + 1) * 9 <= 1005; i++) { // 111 chunks of 9 bytes
            expected.append((char) ('a' + i % 26)).append("bcdefghi");
        }
        assertThat(String.join("", recorder.texts())).isEqualTo(expected.toString());
    }

    @Test
    void theAnswerLimitCountsUtf8BytesOfAWholeAnswerToo() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(
                "{\"model\":\"c\",\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"" + "é".repeat(600)
                        + "\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));
        Recorder recorder = new Recorder();
        // 600 characters, 1200 bytes of UTF-8
        client(ProviderType.ANTHROPIC, new ResponseLimits(MIB, MIB, MIB, 1000)).stream(request(false), recorder);
        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.INCOMPLETE));
    }
}
