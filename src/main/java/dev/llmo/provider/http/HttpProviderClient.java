package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.secret.ApiKey;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.Unexpected;
import dev.llmo.message.ContentSource;
import dev.llmo.provider.CallHandle;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.PreparedChat;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.RemoteModel;
import dev.llmo.provider.StreamListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The part of every client that is not the wire format: threads, retries, SSE, error mapping and cancellation. A
 * subclass says how to build requests and how to read answers and model listings.
 */
public abstract class HttpProviderClient implements ProviderClient {
    /** A JSON body's media type as OkHttp labelled one made from text: what servers got before, on either path. */
    private static final String JSON = "application/json; charset=utf-8";
    private static final AtomicInteger CALLS = new AtomicInteger();
    /** At most this many pages of a model listing, against a server that never says "last page". */
    private static final int MAX_PAGES = 20;

    protected final ProviderConfig provider;
    protected final ApiKey key;
    protected final Transport transport;
    protected final HttpErrorMapper errors;
    /** Where the bytes of attachments are read when a body is built. */
    protected final ContentSource contents;

    /**
     * @param key the resolved key, or null for a keyless provider
     */
    protected HttpProviderClient(ProviderConfig provider, ApiKey key, Transport transport) {
        this(provider, key, transport, ContentSource.NONE);
    }

    /**
     * @param key      the resolved key, or null for a keyless provider
     * @param contents where attachments' bytes are read (the content store)
     */
    protected HttpProviderClient(ProviderConfig provider, ApiKey key, Transport transport, ContentSource contents) {
        this.contents = java.util.Objects.requireNonNull(contents, "contents");
        this.provider = provider;
        this.key = key;
        this.transport = transport;
        this.errors = new HttpErrorMapper(provider, key, transport.settings().connectTimeout(),
                transport.settings().readTimeout(), transport.clock());
    }

    /** The HTTP request of a chat call, headers and auth included. */
    protected abstract HttpRequest chatRequest(ChatRequest request);

    /** A fresh decoder for one attempt of a chat call. */
    protected abstract ResponseDecoder decoder(ChatRequest request);

    /** The request for one page of the model listing; {@code next} is null for the first page. */
    protected abstract HttpRequest modelsRequest(String next);

    /** One page of the model listing. */
    protected abstract ModelPage modelsPage(JsonNode body);

    /** A request built once by this client: what is hashed is what is sent, on every attempt. */
    private record Prepared(ChatRequest request, HttpRequest http) implements PreparedChat {
        @Override
        public byte[] body() {
            return http.body() == null ? new byte[0] : http.body();
        }
    }

    @Override
    public PreparedChat prepare(ChatRequest asked) {
        ChatRequest request = asked.withoutEarlierReasoning();
        return new Prepared(request, chatRequest(request));
    }

    @Override
    public CallHandle stream(PreparedChat prepared, StreamListener listener) {
        if (!(prepared instanceof Prepared ours)) {
            throw new IllegalArgumentException("a request prepared by another client");
        }
        ChatRequest request = ours.request();
        // classes, not lambdas: each lambda linked costs a run's start-up ~0.3 ms of CPU (ADR-003, "Eighteenth round")
        ChatCall call = new ChatCall(transport, errors, new Supplier<HttpRequest>() {
            @Override
            public HttpRequest get() {
                return ours.http();
            }
        }, new Supplier<ResponseDecoder>() {
            @Override
            public ResponseDecoder get() {
                return decoder(request);
            }
        }, request.stream(), listener);
        Thread thread = new Thread(call, "llmo-" + provider.name() + "-" + CALLS.incrementAndGet());
        thread.setDaemon(true);
        call.start(thread);
        return call;
    }

    @Override
    public List<RemoteModel> listModels() {
        List<RemoteModel> all = new ArrayList<>();
        String next = null;
        long limit = transport.settings().limits().maxModelListBytes();
        long[] read = {0};
        HttpErrorMapper errors = this.errors.forModelList();
        for (int page = 0; page < MAX_PAGES; page++) {
            String token = next;
            RetryLoop<ModelPage> loop = new RetryLoop<>(transport, errors);
            ModelPage result = loop.run(() -> modelsRequest(token), response -> {
                // all pages together are bounded: a server that pages forever or sends a huge page stops here
                byte[] bytes = BoundedBody.read(response.body(), limit - read[0]);
                if (bytes == null) {
                    throw new AttemptFailedException(errors.tooLarge("a model list", limit));
                }
                read[0] += bytes.length;
                String body = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                JsonNode json = Json.parse(body).orElseThrow(() -> new AttemptFailedException(
                        errors.malformed("a model list that is not JSON", body)));
                try {
                    return modelsPage(json);
                } catch (RuntimeException e) {
                    throw new AttemptFailedException(errors.malformed("a model list llmo cannot read", body));
                }
            }, () -> true, (retry, delay, failure) -> { });
            all.addAll(result.models());
            next = result.next();
            if (next == null) {
                break;
            }
        }
        return all;
    }

    /**
     * An answer read apart from a call: the answer, or why there is none and what arrived of it all the same.
     *
     * @param response the answer when {@code error} is null; else what arrived of it (the text before a refusal, the
     *                 refusal's words, the usage that is paid for), or null when nothing did
     * @param error    why the body is not an answer, or null
     */
    public record WholeAnswer(dev.llmo.provider.ChatResponse response, LlmoException error) {
    }

    /**
     * A whole answer read apart from a call, by this client's decoder as a non-streamed call's body would be: a line of
     * a provider's batch results holds such a body. A refusal, a block or a body of the wrong shape is an error, as it
     * is live, and what the model said before it stays with it (nothing a model said is dropped).
     */
    public WholeAnswer answerOf(JsonNode body) {
        AnswerSink sink = new AnswerSink(transport.settings().limits(), errors, event -> { });
        // no decoder reads the request it is given (the live path passes it for symmetry); a result has none at hand
        ResponseDecoder decoder = decoder(null);
        LlmoException error;
        try {
            decoder.onBody(body, sink);
            return new WholeAnswer(sink.finish(decoder), null);
        } catch (AttemptFailedException e) {
            error = e.failure.error();
        } catch (LlmoException e) {
            error = e;
        } catch (RuntimeException e) {
            error = errors.malformed("an answer llmo cannot read", null).error();
        }
        return new WholeAnswer(sink.arrived(), error);
    }

    /** The headers every request of this provider carries: its key, its API's version. */
    protected abstract okhttp3.Headers apiHeaders();

    /** OkHttp's request builder with {@link #apiHeaders}: for a batch's requests, which go through OkHttp. */
    public okhttp3.Request.Builder withApiHeaders(okhttp3.Request.Builder builder) {
        okhttp3.Headers headers = apiHeaders();
        for (int i = 0; i < headers.size(); i++) {
            builder.header(headers.name(i), headers.value(i));
        }
        return builder;
    }

    /** A POST of {@code body} as JSON to {@code url}. */
    protected static HttpRequest postJson(String url, JsonNode body) {
        return HttpRequest.post(url, Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8), JSON);
    }

    /** The provider's base URL with {@code path} appended. */
    protected String url(String path) {
        return provider.baseUrl() + path;
    }

    /** Wraps an unexpected exception of a listener or decoder so that the caller still gets one typed error. */
    static LlmoException unexpected(RuntimeException e) {
        return e instanceof LlmoException l ? l
                : new FailureException("internal error while reading the answer: " + Unexpected.describe(e),
                "this is a bug in llmo; rerun with --debug and report it", e);
    }
}
