package dev.llmo.provider.http;

import dev.llmo.failure.LlmoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One logical call: attempts until one succeeds, the failure is not retryable, the retry budget is spent, or the
 * call is cancelled. A non-2xx status is mapped here; a 2xx response goes to the reader, which may end the attempt
 * with an {@link AttemptFailedException} (an in-stream error, a cut or malformed answer).
 */
final class RetryLoop<T> {
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Reads a 2xx response. */
    interface Reader<T> {
        T read(Answer answer) throws IOException;
    }

    /** A 2xx response as a reader sees it, whichever client brought it (OkHttp, or {@link LocalHttp}). */
    interface Answer {
        /** The last value of the header {@code name}, or null. */
        String header(String name);

        /** The body's media type as sent ({@code Content-Type}), or null. */
        String contentType();

        /** The body's bytes as sent, decoded from the transfer's framing (and from gzip, which OkHttp asks for). */
        InputStream body();

        /**
         * The socket the body arrives on, when its bytes there are the body's (HTTP/1.x, not encoded), for how much
         * waits in it ({@link StreamSocket#sureBytes}); else null.
         */
        InputStream wire();
    }

    /** Told before each wait. */
    interface RetryObserver {
        void retrying(int retry, Duration delay, AttemptFailure failure);

        /** An attempt's request went out on an open connection (see {@link StreamSocket}). */
        default void sent() {
        }
    }

    private final Transport transport;
    private final HttpErrorMapper errors;
    private volatile Call current;
    /** The socket of the current {@link LocalHttp} exchange, or null. */
    private volatile java.io.Closeable local;
    private volatile boolean cancelled;
    private volatile Thread thread;
    private boolean responseStarted;
    /** {@link System#nanoTime()} when the call's deadline passes, or null without one. */
    private Long deadline;
    /** The value of the attempt that succeeded. */
    private T result;

    RetryLoop(Transport transport, HttpErrorMapper errors) {
        this.transport = transport;
        this.errors = errors;
    }

    /**
     * Runs the call on the current thread.
     *
     * @param mayRetry asked after a retryable failure: false once answer text has reached the user
     * @throws LlmoException the failure of the last attempt, or {@link dev.llmo.failure.InterruptedRunException}
     */
    T run(Supplier<HttpRequest> request, Reader<T> reader, BooleanSupplier mayRetry, RetryObserver observer) {
        return loop(request, reader, mayRetry, observer);
    }

    /**
     * Runs the call on the current thread through OkHttp, for a request only OkHttp's form can hold (a batch's upload,
     * written as it is sent).
     */
    T runOkHttp(Supplier<okhttp3.Request> request, Reader<T> reader, BooleanSupplier mayRetry,
                RetryObserver observer) {
        return loop(request, reader, mayRetry, observer);
    }

    /** @param request a supplier of {@link HttpRequest}s or of OkHttp's requests */
    private T loop(Supplier<?> request, Reader<T> reader, BooleanSupplier mayRetry, RetryObserver observer) {
        thread = Thread.currentThread();
        HttpSettings settings = transport.settings();
        if (settings.hasCallTimeout()) {
            deadline = System.nanoTime() + settings.callTimeout().toNanos();
        }
        int retries = 0;
        while (true) {
            AttemptFailure failure = attempt(request, reader, observer);
            if (failure == null) {
                return result;
            }
            if (cancelled) {
                throw errors.cancelled();
            }
            Optional<Duration> delay = mayRetry.getAsBoolean() ? transport.retry().nextDelay(retries, failure)
                    : Optional.empty();
            if (delay.isEmpty()) {
                throw HttpErrorMapper.afterAttempts(failure.error(), retries + 1);
            }
            if (deadline != null && delay.get().toNanos() >= deadline - System.nanoTime()) {
                // the next attempt could only start after the deadline: this failure is the honest answer
                throw HttpErrorMapper.noTimeToRetry(HttpErrorMapper.afterAttempts(failure.error(), retries + 1),
                        transport.settings().callTimeout());
            }
            retries++;
            observer.retrying(retries, delay.get(), failure);
            try {
                transport.retry().sleeper().sleep(delay.get());
            } catch (InterruptedException e) {
                throw errors.cancelled();
            }
        }
    }

    /** One attempt: null on success (the result is in {@link #result}), else how it failed. */
    private AttemptFailure attempt(Supplier<?> request, Reader<T> reader, RetryObserver observer) {
        if (cancelled) {
            throw errors.cancelled();
        }
        responseStarted = false;
        Object made = request.get();
        okhttp3.Request built;
        if (made instanceof HttpRequest ours) {
            if (transport.localHttp() && LocalHttp.serves(ours)) {
                return attemptLocally(ours, reader, observer);
            }
            built = ours.okhttp();
        } else {
            built = (okhttp3.Request) made;
        }
        built = built.newBuilder().tag(StreamSocket.Sent.class, new StreamSocket.Sent(new Runnable() {
            @Override
            public void run() { // not a method reference: start-up path (ADR-003, "Eighteenth round")
                observer.sent();
            }
        })).build();
        Call call = transport.client(built.url()).newCall(built);
        if (deadline != null) {
            // OkHttp's call timeout spans connecting, sending and reading the whole body of this attempt
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw errors.deadline(transport.settings().callTimeout());
            }
            call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
        }
        current = call;
        if (cancelled) {
            throw errors.cancelled();
        }
        try (Response response = call.execute()) {
            ResponseBody body = response.body();
            InputStream bytes = body == null ? InputStream.nullInputStream() : body.byteStream();
            return answered(response.code(), response.headers(), bytes, new OkHttpAnswer(response), reader);
        } catch (AttemptFailedException e) {
            return e.failure;
        } catch (IOException e) {
            return failed(e);
        }
    }

    /** A response's end of an attempt: a non-2xx status is mapped, a 2xx one read. */
    private AttemptFailure answered(int code, okhttp3.Headers headers, InputStream body, Answer answer,
                                    Reader<T> reader) throws IOException {
        if (code < 200 || code > 299) {
            return errors.fromResponse(code, headers, errorBody(body));
        }
        responseStarted = true;
        result = reader.read(answer);
        return null;
    }

    /** An attempt over a connection of its own, without OkHttp ({@link LocalHttp}). */
    private AttemptFailure attemptLocally(HttpRequest built, Reader<T> reader, RetryObserver observer) {
        HttpSettings settings = transport.settings();
        LocalHttp.Timing timing = new LocalHttp.Timing(millis(settings.connectTimeout()),
                millis(settings.readTimeout()), deadline, new Runnable() {
                    @Override
                    public void run() { // not a method reference: start-up path (ADR-003, "Eighteenth round")
                        observer.sent();
                    }
                });
        LocalHttp exchange = null;
        try {
            exchange = LocalHttp.exchange(built, timing, new java.util.function.Consumer<java.io.Closeable>() {
                @Override
                public void accept(java.io.Closeable socket) {
                    local = socket;
                    if (cancelled) {
                        close(socket);
                    }
                }
            });
            return answered(exchange.code(), exchange.headers(), exchange.body(), exchange, reader);
        } catch (AttemptFailedException e) {
            return e.failure;
        } catch (IOException e) {
            return failed(e);
        } finally {
            local = null;
            if (exchange != null) {
                exchange.close();
            }
        }
    }

    /** How an attempt that failed reading or writing ends: cancelled, past the deadline, or as its error says. */
    private AttemptFailure failed(IOException e) {
        if (cancelled) {
            throw errors.cancelled();
        }
        if (deadline != null && System.nanoTime() - deadline >= 0) {
            throw errors.deadline(transport.settings().callTimeout());
        }
        return errors.fromIo(e, responseStarted);
    }

    /** A timeout in milliseconds for a socket (0: none), at least 1 ms when it is any at all. */
    private static int millis(java.time.Duration timeout) {
        long millis = timeout.toMillis();
        return millis == 0 && !timeout.isZero() ? 1 : (int) Math.min(Integer.MAX_VALUE, millis);
    }

    private static void close(java.io.Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed is all that was wanted
        }
    }

    /** A response of OkHttp's. */
    private static final class OkHttpAnswer implements Answer {
        private final Response response;

        OkHttpAnswer(Response response) {
            this.response = response;
        }

        @Override
        public String header(String name) {
            return response.header(name);
        }

        @Override
        public String contentType() {
            ResponseBody body = response.body();
            return body == null || body.contentType() == null ? null : body.contentType().toString();
        }

        @Override
        public InputStream body() {
            ResponseBody body = response.body();
            return body == null ? InputStream.nullInputStream() : body.byteStream();
        }

        @Override
        public InputStream wire() {
            return StreamSocket.take();
        }
    }

    /** Stops the call: the current exchange is cancelled and a wait between attempts ends at once. */
    void cancel() {
        cancelled = true;
        Call call = current;
        if (call != null) {
            call.cancel();
        }
        java.io.Closeable socket = local;
        if (socket != null) {
            close(socket);
        }
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    private static String errorBody(InputStream body) throws IOException {
        try (InputStream in = body) {
            return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }
}
