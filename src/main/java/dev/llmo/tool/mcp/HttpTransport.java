package dev.llmo.tool.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.CredentialsException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * MCP over Streamable HTTP (2025-11-25, "Transports"): every message is its own POST to the endpoint; a request's
 * answer comes back as one JSON body or as a stream of server-sent events carrying the server's notifications and
 * requests about it, then the answer. The session id the server gives with its answer to {@code initialize} and the
 * negotiated revision go on every later request; a 404 in a session means it expired ({@link SessionExpired}).
 * Messages the server sends on its own ({@code notifications/tools/list_changed}) come on an optional GET stream.
 * {@link #close} ends the session with a DELETE.
 *
 * <p>Redirects are never followed (they would carry the configured headers to another address), every body and
 * event is bounded, and no header value reaches an error message.
 */
final class HttpTransport implements McpTransport {
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a notification, an answer to the server or the final DELETE may take: they must not hold up llmo. */
    private static final Duration SHORT = Duration.ofSeconds(5);
    private static final long DEFAULT_RETRY_MILLIS = 1000;
    private static final int MAX_RESUMPTIONS = 3;
    private static final int MAX_STREAM_FAILURES = 5;

    private final McpHttpEndpoint endpoint;
    private final HttpUrl url;
    private final OkHttpClient http;
    private final OkHttpClient quick;
    private final OkHttpClient streams;
    private final int maxBytes;
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private volatile Inbound inbound;
    private volatile String sessionId;
    private volatile String protocolVersion;
    private volatile boolean closed;
    private volatile Call eventsCall;
    private Thread events;

    HttpTransport(McpHttpEndpoint endpoint, Duration requestTimeout, int maxBytes) {
        this.endpoint = endpoint;
        this.url = HttpUrl.get(endpoint.url());
        this.maxBytes = maxBytes;
        long connect = Math.min(requestTimeout.toMillis(), 10_000);
        this.http = Clients.BASE.newBuilder()
                .connectTimeout(connect, TimeUnit.MILLISECONDS)
                // McpClient times requests out (and cancels them); this only frees a connection it forgot
                .readTimeout(requestTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)
                .build();
        this.quick = http.newBuilder().callTimeout(Math.min(requestTimeout.toMillis(), SHORT.toMillis()),
                TimeUnit.MILLISECONDS).build();
        // the server may stay silent on its own stream for as long as the session lasts
        this.streams = http.newBuilder().readTimeout(0, TimeUnit.MILLISECONDS).build();
    }

    /** One client for every HTTP server of the process, built on first use only (its set-up costs ~250 ms). */
    private static final class Clients {
        static final OkHttpClient BASE = base();

        private static OkHttpClient base() {
            Dispatcher dispatcher = new Dispatcher();
            // each tool call that streams its progress holds a connection for as long as it runs
            dispatcher.setMaxRequestsPerHost(64);
            return new OkHttpClient.Builder()
                    .dispatcher(dispatcher)
                    .connectionPool(new ConnectionPool(5, 5, TimeUnit.MINUTES))
                    // a resent tools/call would run the tool twice
                    .retryOnConnectionFailure(false)
                    // a redirect would carry the configured headers (a bearer token) to an address nobody configured
                    .followRedirects(false)
                    .followSslRedirects(false)
                    .writeTimeout(60, TimeUnit.SECONDS)
                    .build();
        }
    }

    @Override
    public void start(Inbound inbound) {
        this.inbound = inbound;
    }

    @Override
    public String hint() {
        return "check the server at " + endpoint.redactedUrl();
    }

    @Override
    public void negotiated(String version) {
        protocolVersion = version;
        startEvents();
    }

    @Override
    public void send(JsonNode message) {
        if (closed) {
            throw new McpException("MCP server " + endpoint.name() + " was closed", null);
        }
        String method = message.path("method").asText("");
        if (message.has("method") && message.has("id")) {
            boolean initialize = method.equals("initialize");
            if (initialize) {
                // a new handshake starts a new session: the old id and its event stream are gone
                sessionId = null;
                protocolVersion = null;
                stopEvents();
            }
            post(message.get("id").asLong(), message, initialize);
            return;
        }
        if (method.equals("notifications/cancelled")) {
            Call call = calls.remove(message.path("params").path("requestId").asLong());
            if (call != null) {
                call.cancel();
            }
        }
        try (Response response = quick.newCall(request(message)).execute()) {
            int code = response.code();
            if (code / 100 != 2) {
                throw statusError(code, response, sessionId != null);
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private Request request(JsonNode message) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return withHeaders(new Request.Builder().url(url))
                .header("Accept", "application/json, text/event-stream")
                .post(RequestBody.create(body, JSON_TYPE))
                .build();
    }

    private Request.Builder withHeaders(Request.Builder builder) {
        endpoint.headers().forEach(builder::header);
        String session = sessionId;
        if (session != null) {
            builder.header("Mcp-Session-Id", session);
        }
        String version = protocolVersion;
        if (version != null) {
            builder.header("MCP-Protocol-Version", version);
        }
        return builder;
    }

    private void post(long id, JsonNode message, boolean initialize) {
        boolean inSession = sessionId != null;
        Call call = http.newCall(request(message));
        calls.put(id, call);
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                calls.remove(id, failed);
                if (!failed.isCanceled() && !closed) {
                    inbound.failed(id, unreachable(e));
                }
            }

            @Override
            public void onResponse(Call answered, Response response) {
                try (response) {
                    answer(id, initialize, inSession, response);
                } catch (IOException e) {
                    if (!answered.isCanceled() && !closed) {
                        inbound.failed(id, e instanceof SseReader.TooLarge ? tooLarge() : unreachable(e));
                    }
                } catch (RuntimeException e) {
                    inbound.failed(id, e);
                } finally {
                    calls.remove(id, answered);
                }
            }
        });
    }

    private void answer(long id, boolean initialize, boolean inSession, Response response) throws IOException {
        int code = response.code();
        if (code == 404 && inSession) {
            inbound.failed(id, new SessionExpired());
            return;
        }
        if (code / 100 != 2) {
            inbound.failed(id, statusError(code, response, inSession));
            return;
        }
        if (initialize) {
            String session = response.header("Mcp-Session-Id");
            if (session != null && !session.matches("[\\x21-\\x7E]{1,1024}")) {
                throw protocolError("sent a session id that is not 1 to 1024 visible ASCII characters");
            }
            sessionId = session;
        }
        String type = response.header("Content-Type", "").toLowerCase(Locale.ROOT);
        ResponseBody body = response.body();
        if (code == 202 || code == 204 || body == null) {
            throw protocolError("accepted a request without answering it (HTTP " + code + ")");
        }
        if (type.startsWith("text/event-stream")) {
            stream(id, body);
        } else if (type.startsWith("application/json")) {
            inbound.message(parse(bounded(body)));
        } else {
            throw protocolError("answered with Content-Type '" + McpClient.oneLine(type)
                    + "' instead of application/json or text/event-stream");
        }
    }

    /**
     * Reads the events of one request's stream until its answer; when the server drops the stream before (it may,
     * after sending a {@code retry}), resumes it with a GET and {@code Last-Event-ID}, a few times at most.
     */
    private void stream(long id, ResponseBody body) throws IOException {
        SseReader reader = new SseReader(maxBytes);
        boolean answered = reader.read(new BufferedInputStream(body.byteStream(), 1 << 16),
                data -> !deliver(data, id));
        for (int resumed = 0; !answered && reader.lastEventId() != null && resumed < MAX_RESUMPTIONS; resumed++) {
            if (closed || !calls.containsKey(id) || !pause(reader.retryMillis())) {
                return;
            }
            Request get = withHeaders(new Request.Builder().url(url)).header("Accept", "text/event-stream")
                    .header("Last-Event-ID", reader.lastEventId()).get().build();
            Call call = streams.newCall(get);
            calls.put(id, call);
            try (Response response = call.execute()) {
                ResponseBody resumedBody = response.body();
                if (!response.isSuccessful() || resumedBody == null || !response.header("Content-Type", "")
                        .toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    break;
                }
                answered = reader.read(new BufferedInputStream(resumedBody.byteStream(), 1 << 16),
                        data -> !deliver(data, id));
            }
        }
        if (!answered && !closed && calls.containsKey(id)) {
            inbound.failed(id, new McpException("MCP server " + endpoint.name()
                    + " ended its event stream without answering", hint()));
        }
    }

    /** Passes one event's message on; true when it was the answer to request {@code id}. */
    private boolean deliver(String data, long id) {
        if (data.isBlank()) {
            return false;
        }
        JsonNode message = parse(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        inbound.message(message);
        JsonNode answerId = message.get("id");
        return !message.has("method") && answerId != null && answerId.canConvertToLong() && answerId.asLong() == id;
    }

    private JsonNode parse(byte[] bytes) {
        try {
            JsonNode message = JSON.readTree(bytes);
            if (message == null || !message.isObject()) {
                throw new IOException("not an object");
            }
            return message;
        } catch (IOException e) {
            throw protocolError("sent something that is not a JSON-RPC message: " + McpClient.oneLine(
                    new String(bytes, 0, Math.min(bytes.length, 80), java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    private byte[] bounded(ResponseBody body) throws IOException {
        if (body.contentLength() > maxBytes) {
            throw tooLarge();
        }
        BufferedSource source = body.source();
        if (source.request((long) maxBytes + 1)) {
            throw tooLarge();
        }
        return source.getBuffer().readByteArray();
    }

    /** The optional stream of what the server sends on its own; a server without one answers 405. */
    private synchronized void startEvents() {
        if (closed || events != null && events.isAlive()) {
            return;
        }
        String session = sessionId;
        events = new Thread(() -> readEvents(session), "mcp-" + endpoint.name() + "-events");
        events.setDaemon(true);
        events.start();
    }

    private synchronized void stopEvents() {
        Call call = eventsCall;
        if (call != null) {
            call.cancel();
        }
        if (events != null) {
            events.interrupt();
            events = null;
        }
    }

    private void readEvents(String session) {
        SseReader reader = new SseReader(maxBytes);
        int failures = 0;
        while (!closed && Objects.equals(session, sessionId) && failures < MAX_STREAM_FAILURES) {
            Request.Builder get = withHeaders(new Request.Builder().url(url)).header("Accept", "text/event-stream");
            if (reader.lastEventId() != null) {
                get.header("Last-Event-ID", reader.lastEventId());
            }
            Call call = streams.newCall(get.get().build());
            eventsCall = call;
            try (Response response = call.execute()) {
                ResponseBody body = response.body();
                if (!response.isSuccessful() || body == null || !response.header("Content-Type", "")
                        .toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    return;
                }
                boolean[] any = {false};
                reader.read(new BufferedInputStream(body.byteStream(), 1 << 16), data -> {
                    any[0] = true;
                    deliver(data, -1);
                    return true;
                });
                failures = any[0] ? 0 : failures + 1;
            } catch (IOException | RuntimeException e) {
                failures++;
            }
            if (!pause(reader.retryMillis())) {
                return;
            }
        }
    }

    private static boolean pause(long retryMillis) {
        try {
            Thread.sleep(retryMillis >= 0 ? Math.min(retryMillis, 30_000) : DEFAULT_RETRY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private RuntimeException statusError(int code, Response response, boolean inSession) {
        String name = endpoint.name();
        if (code == 401 || code == 403) {
            return new CredentialsException("MCP server " + name + " refused llmo's credentials (HTTP " + code + ")",
                    endpoint.headers().isEmpty()
                            ? "give the server the header it expects (for example Authorization) in its config"
                            : "check the headers of MCP server " + name + " (for example an expired token)");
        }
        if (code / 100 == 3) {
            return new McpException("MCP server " + name + " answered with a redirect (HTTP " + code
                    + "), which llmo does not follow: it would send the server's headers to another address",
                    "set its url to the address the server redirects to");
        }
        if (code == 404 && !inSession) {
            return new McpException("MCP server " + name + " has no MCP endpoint at " + endpoint.redactedUrl()
                    + " (HTTP 404)", "check its url");
        }
        return new McpException("MCP server " + name + " answered HTTP " + code + errorMessage(response), hint());
    }

    /** The JSON-RPC error message of an error body, if it has one: a server explains its 400 there. */
    private static String errorMessage(Response response) {
        ResponseBody body = response.body();
        if (body == null) {
            return "";
        }
        try {
            BufferedSource source = body.source();
            source.request(64 * 1024);
            JsonNode error = JSON.readTree(source.getBuffer().snapshot().toByteArray());
            String message = error == null ? "" : error.path("error").path("message").asText("");
            return message.isEmpty() ? "" : ": " + McpClient.oneLine(message);
        } catch (IOException e) {
            return "";
        }
    }

    private McpException unreachable(IOException e) {
        return new McpException("cannot reach MCP server " + endpoint.name() + " at " + endpoint.redactedUrl()
                + ": " + McpClient.oneLine(e.getMessage()), "check that the server is running, and its url", e);
    }

    private McpException tooLarge() {
        return protocolError("sent a message over " + McpClient.size(maxBytes));
    }

    private McpException protocolError(String what) {
        return new McpException("MCP server " + endpoint.name() + " " + what,
                "this is a bug in the server; " + hint());
    }

    /** Ends the session (DELETE; a server that does not allow it answers 405) and every call still running. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        String session = sessionId;
        if (session != null) {
            try (Response ignored = quick.newCall(withHeaders(new Request.Builder().url(url)).delete().build())
                    .execute()) {
                // the server ends the session or says it does not allow that: either way llmo is done with it
            } catch (IOException e) {
                // unreachable: the session will expire on the server's side
            }
        }
        closed = true;
        stopEvents();
        calls.values().forEach(Call::cancel);
        calls.clear();
    }
}
