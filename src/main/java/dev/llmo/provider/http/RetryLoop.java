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
        T read(Response response) throws IOException;
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
    T run(Supplier<okhttp3.Request> request, Reader<T> reader, BooleanSupplier mayRetry, RetryObserver observer) {
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
    private AttemptFailure attempt(Supplier<okhttp3.Request> request, Reader<T> reader, RetryObserver observer) {
        if (cancelled) {
            throw errors.cancelled();
        }
        responseStarted = false;
        okhttp3.Request built = request.get();
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
            if (!response.isSuccessful()) {
                return errors.fromResponse(response.code(), response.headers(), errorBody(response.body()));
            }
            responseStarted = true;
            result = reader.read(response);
            return null;
        } catch (AttemptFailedException e) {
            return e.failure;
        } catch (IOException e) {
            if (cancelled) {
                throw errors.cancelled();
            }
            if (deadline != null && System.nanoTime() - deadline >= 0) {
                throw errors.deadline(transport.settings().callTimeout());
            }
            return errors.fromIo(e, responseStarted);
        }
    }

    /** Stops the call: the current exchange is cancelled and a wait between attempts ends at once. */
    void cancel() {
        cancelled = true;
        Call call = current;
        if (call != null) {
            call.cancel();
        }
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    private static String errorBody(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        try (InputStream in = body.byteStream()) {
            return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }
}
