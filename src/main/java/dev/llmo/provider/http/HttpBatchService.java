package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Urls;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.BatchLimits;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okio.Buffer;
import okio.BufferedSource;

/**
 * The part of every batch service that is not the wire format: exchanges with retries and the error mapping of the
 * provider's chat client, bounded reads, results read line by line, and a result's answer read by the chat client's
 * own decoder. A subclass says what the requests are and how to read the provider's batch objects.
 */
public abstract class HttpBatchService implements BatchService {
    protected final ProviderConfig provider;
    protected final HttpErrorMapper errors;
    private final HttpProviderClient client;
    private final Transport transport;
    private final BatchLimits limits;

    protected HttpBatchService(HttpProviderClient client, BatchLimits limits) {
        this.client = client;
        this.provider = client.provider;
        this.errors = client.errors;
        this.transport = client.transport;
        this.limits = limits;
    }

    @Override
    public BatchLimits limits() {
        return limits;
    }

    /** Sends a request (again on each attempt) and reads its JSON answer, bounded like a chat answer. */
    protected JsonNode exchange(Supplier<Request> request, String what) {
        long limit = transport.settings().limits().maxBodyBytes();
        return new RetryLoop<JsonNode>(transport, errors).runOkHttp(request, response -> {
            byte[] bytes = BoundedBody.read(response.body(), limit);
            if (bytes == null) {
                throw new AttemptFailedException(errors.tooLarge(what, limit));
            }
            return Json.parse(bytes).filter(JsonNode::isObject).orElseThrow(() -> new AttemptFailedException(
                    errors.malformed(what + " that is not a JSON object", new String(bytes, 0,
                            Math.min(bytes.length, HttpErrorMapper.MAX_SAMPLE), StandardCharsets.UTF_8))));
        }, () -> true, (retry, delay, failure) -> { });
    }

    /**
     * Sends a request (again on each attempt) whose answer is a header, not a body (the start of a resumable upload):
     * that header's value. An answer without it is malformed.
     */
    protected String exchangeForHeader(Supplier<Request> request, String header, String what) {
        return new RetryLoop<String>(transport, errors).runOkHttp(request, response -> {
            String value = response.header(header);
            if (value == null || value.isBlank()) {
                throw new AttemptFailedException(errors.malformed(what + " without the header " + header, null));
            }
            return value;
        }, () -> true, (retry, delay, failure) -> { });
    }

    /**
     * Reads a JSON Lines body line by line, each line bounded like a whole chat answer, without holding the body: a
     * results file may hold thousands of answers. Blank lines are skipped; a line that is not JSON reaches
     * {@code each} as null. The request is attempted again only while no line has been handed on.
     */
    protected void lines(Supplier<Request> request, String what, Consumer<JsonNode> each) {
        long limit = transport.settings().limits().maxBodyBytes();
        boolean[] delivered = {false};
        new RetryLoop<Boolean>(transport, errors).runOkHttp(request, response -> {
            BufferedSource source = okio.Okio.buffer(okio.Okio.source(response.body()));
            while (!source.exhausted()) {
                long end = source.indexOf((byte) '\n', 0, limit + 1);
                if (end == -1 && source.request(limit + 1)) {
                    throw new AttemptFailedException(errors.tooLarge("a line of " + what, limit));
                }
                byte[] line;
                if (end == -1) {
                    line = source.readByteArray();
                } else {
                    line = source.readByteArray(end);
                    source.skip(1);
                }
                if (isBlank(line)) {
                    continue;
                }
                delivered[0] = true;
                each.accept(Json.parse(line).filter(JsonNode::isObject).orElse(null));
            }
            return true;
        }, () -> !delivered[0], (retry, delay, failure) -> { });
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * A result's answer, read by the provider's chat decoder; a refusal or block is its row's failure, as live, and
     * keeps what arrived of the answer (the text before it, the refusal's words, the usage).
     */
    protected BatchResult answered(String customId, JsonNode body) {
        HttpProviderClient.WholeAnswer answer = client.answerOf(body);
        return answer.error() == null ? BatchResult.answered(customId, answer.response())
                : BatchResult.failed(customId, BatchResult.Outcome.FAILED, answer.error(), answer.response());
    }

    /** A result line that cannot be read: its row failed, the others go on. */
    protected LlmoException unreadableLine(String what, JsonNode line) {
        return errors.malformed("a batch result llmo cannot read (" + what + ")",
                line == null ? null : Json.write(line)).error();
    }

    /** A line of the results that belongs to no row llmo can name: the fetch goes on without it. */
    protected LlmoException badId(String id) {
        return errors.malformed("a batch result with an unusable custom id", id).error();
    }

    /** The provider's base URL with {@code path} appended. */
    protected String url(String path) {
        return provider.baseUrl() + path;
    }

    /**
     * A URL the provider gave for its results: fetched with the key only when it is on the provider's own origin
     * (scheme, host and port of {@code base_url}); anywhere else the key would go to a host nobody configured.
     */
    protected HttpUrl sameOrigin(String given, String what) {
        HttpUrl url = given == null ? null : HttpUrl.parse(given);
        HttpUrl base = HttpUrl.get(provider.baseUrl());
        if (url == null || !url.scheme().equals(base.scheme()) || !url.host().equals(base.host())
                || url.port() != base.port()) {
            throw new ModelCallException(ErrorKind.BAD_RESPONSE, null, provider.name() + " gave " + what + " "
                    + (url == null ? "that is not a URL" : "on another host (" + url.host() + ")")
                    + "; llmo sends the key only to " + base.host(),
                    "check base_url of provider '" + provider.name() + "' (" + Urls.shown(provider.baseUrl()) + ")");
        }
        return url;
    }

    /** A request body written on each attempt from what the caller holds, never copied whole. */
    protected static okhttp3.RequestBody streamed(okhttp3.MediaType type, BodyWriter writer) {
        return new okhttp3.RequestBody() {
            @Override
            public okhttp3.MediaType contentType() {
                return type;
            }

            @Override
            public long contentLength() throws IOException {
                Counting counting = new Counting();
                writer.write(counting);
                return counting.bytes;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws IOException {
                writer.write(sink::write);
            }
        };
    }

    /** Writes a body's bytes, piece by piece. */
    @FunctionalInterface
    protected interface BodyWriter {
        void write(ByteSink sink) throws IOException;
    }

    /** Where a body's bytes go. */
    @FunctionalInterface
    protected interface ByteSink {
        void write(byte[] bytes) throws IOException;

        default void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final class Counting implements ByteSink {
        long bytes;

        @Override
        public void write(byte[] piece) {
            bytes += piece.length;
        }
    }

    /** A body built in memory, for tests of the bytes a writer makes. */
    static byte[] bytesOf(BodyWriter writer) throws IOException {
        try (Buffer buffer = new Buffer()) {
            writer.write(buffer::write);
            return buffer.readByteArray();
        }
    }

    /** A JSON string literal of {@code text}, quotes included. */
    protected static String quoted(String text) {
        return Json.write(com.fasterxml.jackson.databind.node.TextNode.valueOf(text));
    }
}
