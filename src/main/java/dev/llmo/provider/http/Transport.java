package dev.llmo.provider.http;

import java.time.Clock;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * What every provider client of a process shares: the HTTP client (built on first use), the timeouts, the retry
 * policy and the clock (for HTTP-date {@code retry-after} hints).
 */
public final class Transport {
    private final Supplier<OkHttpClient> factory;
    private final Supplier<OkHttpClient> cleartextFactory;
    private final HttpSettings settings;
    private final RetryPolicy retry;
    private final Clock clock;
    private volatile OkHttpClient client;
    private volatile OkHttpClient cleartextClient;
    /** Whether the calls of {@link RetryLoop} to plain-HTTP servers that {@link LocalHttp} serves go there. */
    private final boolean localHttp;

    /** One client for every URL. */
    public Transport(Supplier<OkHttpClient> factory, HttpSettings settings, RetryPolicy retry, Clock clock) {
        this(factory, factory, settings, retry, clock);
    }

    /** @param cleartextFactory the client for {@code http://} URLs, which needs no TLS set-up */
    public Transport(Supplier<OkHttpClient> factory, Supplier<OkHttpClient> cleartextFactory, HttpSettings settings,
                     RetryPolicy retry, Clock clock) {
        this(factory, cleartextFactory, settings, retry, clock, true);
    }

    private Transport(Supplier<OkHttpClient> factory, Supplier<OkHttpClient> cleartextFactory, HttpSettings settings,
                      RetryPolicy retry, Clock clock, boolean localHttp) {
        this.localHttp = localHttp;
        this.factory = factory;
        this.cleartextFactory = cleartextFactory;
        this.settings = settings;
        this.retry = retry;
        this.clock = clock;
    }

    /** The process's shared client with these settings, real sleeping and the system clock. */
    public static Transport shared(HttpSettings settings) {
        // classes, not lambdas: each lambda linked costs a run's start-up ~0.3 ms of CPU (ADR-003, "Eighteenth round")
        return new Transport(new Supplier<OkHttpClient>() {
            @Override
            public OkHttpClient get() {
                return SharedHttpClient.with(settings);
            }
        }, new Supplier<OkHttpClient>() {
            @Override
            public OkHttpClient get() {
                return SharedHttpClient.cleartextWith(settings);
            }
        }, settings,
                RetryPolicy.standard(settings.maxRetries()), Clock.systemUTC());
    }

    /**
     * This transport with every call through OkHttp, also the plain-HTTP calls {@link LocalHttp} would serve: for the
     * tests of the path an {@code https} call takes.
     */
    public Transport throughOkHttpOnly() {
        return new Transport(factory, cleartextFactory, settings, retry, clock, false);
    }

    boolean localHttp() {
        return localHttp;
    }

    /** The client for {@code url}: plain HTTP goes through a client that never set up TLS. */
    public OkHttpClient client(okhttp3.HttpUrl url) {
        if (url.isHttps()) {
            return client();
        }
        OkHttpClient result = cleartextClient;
        if (result == null) {
            synchronized (this) {
                if (cleartextClient == null) {
                    cleartextClient = prepared(cleartextFactory.get());
                }
                result = cleartextClient;
            }
        }
        return result;
    }

    public OkHttpClient client() {
        OkHttpClient result = client;
        if (result == null) {
            synchronized (this) {
                if (client == null) {
                    client = prepared(factory.get());
                }
                result = client;
            }
        }
        return result;
    }

    /**
     * API calls never follow a redirect, whatever client a factory makes: OkHttp would re-send the key headers to the
     * new host (and, on 307/308, the prompt). A 3xx reaches the error mapper instead, which names the new address.
     * Every client has {@link StreamSocket}, which streamed answers read (the shared ones are built with it).
     */
    private static OkHttpClient prepared(OkHttpClient client) {
        boolean socket = client.networkInterceptors().contains(StreamSocket.INTERCEPTOR);
        if (!client.followRedirects() && !client.followSslRedirects() && socket) {
            return client;
        }
        OkHttpClient.Builder builder = client.newBuilder().followRedirects(false).followSslRedirects(false);
        return (socket ? builder : builder.addNetworkInterceptor(StreamSocket.INTERCEPTOR)).build();
    }

    public HttpSettings settings() {
        return settings;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public Clock clock() {
        return clock;
    }
}
