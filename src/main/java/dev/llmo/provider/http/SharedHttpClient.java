package dev.llmo.provider.http;

import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The process's one OkHttp client. Building the first one costs about 250 ms (TLS and platform set-up), so it is
 * made on first use only: commands that send nothing never pay for it. Variants with other timeouts come from
 * {@link OkHttpClient#newBuilder()} and share its connection pool and threads.
 */
public final class SharedHttpClient {
    static {
        OkHttpPlatform.ready();
    }

    private SharedHttpClient() {
    }

    /** The shared client. */
    public static OkHttpClient get() {
        return Holder.CLIENT;
    }

    /**
     * Starts building the shared client on a background thread, for a command that will call an {@code https} API:
     * its TLS set-up (the platform's trust store, the socket factory) then runs beside the main thread's work
     * (the conversation's log, the key, the request body) instead of before the first byte is sent. The first
     * {@link #get()} waits for it, as for any class initialisation.
     */
    public static void prepareInBackground() {
        Thread client = new Thread(new Runnable() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
            @Override
            public void run() {
                get();
            }
        }, "llmo-tls-setup");
        // the call's thread makes OkHttp's request from llmo's (HttpRequest.okhttp) before it asks for the client:
        // OkHttp's URL parser's statics, IDN's Unicode tables among them (~10 ms of CPU), and its media types' are set
        // up beside the client's, as the warm-up thread did when every call went through OkHttp (ADR-015)
        Thread urls = new Thread(new Runnable() {
            @Override
            public void run() {
                okhttp3.HttpUrl.get("https://localhost/");
                okhttp3.MediaType.get("application/json"); // its patterns, for the request body's type
            }
        }, "llmo-url-setup");
        for (Thread thread : new Thread[] {client, urls}) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** A client with these timeouts, sharing the pool of {@link #get()}. */
    public static OkHttpClient with(HttpSettings settings) {
        return get().newBuilder()
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    /**
     * A client for plain-HTTP servers (Ollama, vLLM and friends on localhost) with these timeouts. It speaks no TLS,
     * so building it skips loading the platform's trust store: a local call starts about 100 ms sooner.
     */
    public static OkHttpClient cleartextWith(HttpSettings settings) {
        return CleartextHolder.CLIENT.newBuilder()
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    private static final class CleartextHolder {
        static final OkHttpClient CLIENT = new OkHttpClient.Builder()
                .connectionSpecs(java.util.List.of(okhttp3.ConnectionSpec.CLEARTEXT))
                .socketFactory(ReadAheadSocket.FACTORY)
                .connectionPool(new ConnectionPool(5, 5, TimeUnit.MINUTES))
                .retryOnConnectionFailure(false)
                // a redirect would re-send the key (and on 307 the prompt) to an address nobody configured
                .followRedirects(false)
                .followSslRedirects(false)
                .writeTimeout(60, TimeUnit.SECONDS)
                .addNetworkInterceptor(StreamSocket.INTERCEPTOR)
                .build();
    }

    private static final class Holder {
        // the class is initialised, and the client built, on the first call of get()
        static final OkHttpClient CLIENT = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(5, 5, TimeUnit.MINUTES))
                // llmo's retry policy decides about every failed attempt, so OkHttp must not resend silently
                .retryOnConnectionFailure(false)
                // a redirect would re-send the key (and on 307 the prompt) to an address nobody configured
                .followRedirects(false)
                .followSslRedirects(false)
                .writeTimeout(60, TimeUnit.SECONDS)
                .addNetworkInterceptor(StreamSocket.INTERCEPTOR)
                .build();
    }
}
