package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.CallHandle;
import dev.llmo.provider.ChatResponse;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.StreamEvent;
import dev.llmo.provider.StreamListener;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One chat call on its own thread: attempts with retries, decoding, and the listener's events. Classes here rather
 * than lambdas: each lambda linked costs a run ~0.3 ms of CPU on the call's thread (ADR-003, "Eighteenth round").
 */
final class ChatCall implements CallHandle, Runnable, RetryLoop.Reader<ChatResponse> {
    private final HttpErrorMapper errors;
    private final Supplier<HttpRequest> request;
    private final Supplier<ResponseDecoder> decoders;
    private final boolean stream;
    private final StreamListener listener;
    private final RetryLoop<ChatResponse> loop;
    private final ResponseLimits limits;
    private volatile AnswerSink answer;

    ChatCall(Transport transport, HttpErrorMapper errors, Supplier<HttpRequest> request,
             Supplier<ResponseDecoder> decoders, boolean stream, StreamListener listener) {
        this.limits = transport.settings().limits();
        this.errors = errors;
        this.request = request;
        this.decoders = decoders;
        this.stream = stream;
        this.listener = listener;
        this.loop = new RetryLoop<>(transport, errors);
    }

    void start(Thread thread) {
        thread.start();
    }

    @Override
    public void cancel() {
        loop.cancel();
    }

    @Override
    public void run() {
        ChatResponse response;
        try {
            response = loop.run(request, this, new java.util.function.BooleanSupplier() {
                        @Override
                        public boolean getAsBoolean() {
                            AnswerSink taken = answer;
                            return taken == null || !taken.delivered();
                        }
                    }, new RetryLoop.RetryObserver() {
                        @Override
                        public void retrying(int retry, java.time.Duration delay, AttemptFailure failure) {
                            listener.onEvent(new StreamEvent.Retrying(retry, delay, failure.error()));
                        }

                        @Override
                        public void sent() {
                            listener.onSent();
                        }
                    });
        } catch (LlmoException e) {
            // the failed attempt's pieces (a cut answer may be 16 MiB) are not needed to record what was shown
            answer = null;
            listener.onError(e);
            return;
        } catch (RuntimeException e) {
            listener.onError(HttpProviderClient.unexpected(e));
            return;
        } catch (StackOverflowError | OutOfMemoryError e) {
            // the caller waits for exactly one ending: a dead worker thread would leave it waiting forever
            listener.onError(new dev.llmo.failure.FailureException("internal error while reading the answer: " + e,
                    "this is a bug in llmo; rerun with --debug and report it", e));
            return;
        }
        listener.onComplete(response);
    }

    @Override
    public ChatResponse read(RetryLoop.Answer response) throws IOException {
        InputStream wire = response.wire();
        AnswerSink current = new AnswerSink(limits, errors, new java.util.function.Consumer<StreamEvent>() {
            @Override
            public void accept(StreamEvent event) {
                listener.onEvent(event);
            }
        });
        answer = current;
        ResponseDecoder decoder = decoders.get();
        try {
            readBody(response, wire, current, decoder);
        } finally {
            // also when the read failed: the text taken was shown before the failure is (and then is not retried)
            current.flush();
        }
        ChatResponse answered = current.finish(decoder);
        // nothing keeps the pieces once the answer is built (an answer may be many megabytes); a complete attempt is
        // not retried, so whether it delivered text no longer matters
        answer = null;
        return answered;
    }

    private void readBody(RetryLoop.Answer body, InputStream wire, AnswerSink current, ResponseDecoder decoder)
            throws IOException {
        String type = mediaType(body.contentType());
        String subtype = type == null ? null : type.substring(type.indexOf('/') + 1);
        boolean json = "json".equalsIgnoreCase(subtype);
        if (stream && !json) {
            // A server that is no model API (a proxy's login page, a web server at base_url) answers 200 with a
            // page: read as a stream it has no event, and would be taken for a cut stream and asked again. A body
            // labelled as a stream, or with an event, is one (a stream cut before its first event is retried).
            boolean labelled = "event-stream".equalsIgnoreCase(subtype);
            boolean[] evented = {labelled};
            SseParser parser = new SseParser(new java.util.function.Consumer<SseEvent>() {
                @Override
                public void accept(SseEvent event) {
                    evented[0] = true;
                    if (current.ended()) {
                        return;
                    }
                    try {
                        decoder.onEvent(event, current);
                    } catch (AttemptFailedException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        current.fail(errors.malformed("a stream event llmo cannot read", event.data()));
                    }
                }
            }, limits.maxSseLineBytes(), decoder.template());
            BodyReads reads = new BodyReads(body.body(), wire);
            byte[] buffer = new byte[READ_BUFFER];
            byte[] first = null; // the body's start, for the message when it is no stream
            int n;
            try {
                while (!current.ended() && (n = reads.fill(buffer)) != -1) {
                    if (first == null) {
                        first = Arrays.copyOf(buffer, Math.min(n, HttpErrorMapper.MAX_SAMPLE));
                    }
                    parser.feed(buffer, 0, n);
                    current.flush(); // the text of this read, as one event
                    if (reads.idle()) {
                        listener.onIdle();
                    }
                }
                if (!current.ended()) {
                    parser.finish();
                }
                if (!evented[0] && first != null && !current.ended()) {
                    current.fail(errors.malformed("an answer that is not a stream (" + (type == null ? "no type"
                            : type.toLowerCase(java.util.Locale.ROOT)) + ")", start(first)));
                }
            } catch (SseParser.TooLargeException e) {
                current.fail(errors.tooLarge("a stream line or event", e.limit()));
            }
        } else {
            // A whole answer, also when a server ignores stream:true and answers plain JSON (or its error as JSON).
            byte[] bytes = BoundedBody.read(body.body(), limits.maxBodyBytes());
            if (bytes == null) {
                throw new AttemptFailedException(errors.tooLarge("an answer", limits.maxBodyBytes()));
            }
            // parsed from the bytes: the body as a String too would be one more copy of up to 32 MiB (64 as UTF-16)
            JsonNode root = Json.parse(bytes).orElseThrow(() -> new AttemptFailedException(
                    errors.malformed("an answer that is not JSON", start(bytes))));
            try {
                decoder.onBody(root, current);
            } catch (AttemptFailedException e) {
                throw e;
            } catch (RuntimeException e) {
                current.fail(errors.malformed("an answer llmo cannot read", start(bytes)));
            }
        }
    }

    /**
     * The {@code type/subtype} of a {@code Content-Type} value (without its parameters), or null when it is none: the
     * answer is read by it, and OkHttp's parser of media types compiles its patterns when first used (ADR-003,
     * "Twenty-second round").
     */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int end = contentType.indexOf(';');
        String type = (end < 0 ? contentType : contentType.substring(0, end)).trim();
        int slash = type.indexOf('/');
        if (slash <= 0 || slash == type.length() - 1 || slash != type.lastIndexOf('/')) {
            return null;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        return type;
    }

    /** The start of a body, for an error message (which shows only its start). */
    private static String start(byte[] body) {
        return new String(body, 0, Math.min(body.length, HttpErrorMapper.MAX_SAMPLE), StandardCharsets.UTF_8);
    }

    /**
     * Whether the model spent the whole output budget on reasoning and wrote nothing else: it stopped for the token
     * limit with reasoning (text, or reasoning tokens counted) but without answer text, a tool call or a refusal.
     */
    static boolean reasoningExhausted(Message message, StopReason stop, Usage usage) {
        if (stop != StopReason.MAX_TOKENS) {
            return false;
        }
        boolean reasoned = !message.parts(Part.Reasoning.class).isEmpty()
                || usage != null && usage.reasoningTokens() > 0;
        boolean answered = !message.text().isBlank() || !message.parts(Part.ToolCall.class).isEmpty()
                || !message.parts(Part.Refusal.class).isEmpty();
        return reasoned && !answered;
    }

    /** The reads of one streamed body: {@link #fill}, and whether the stream waits. */
    private static final class BodyReads {
        private final InputStream in;
        /** The socket the body arrives on (HTTP/1.x, not encoded), or null: {@link StreamSocket}. */
        private final InputStream wire;
        /** A read that failed after others had brought bytes: thrown by the next {@link #fill}, after they are read. */
        private IOException failed;

        BodyReads(InputStream in, InputStream wire) {
            this.in = in;
            this.wire = wire;
        }

        /**
         * Reads what the stream has: at least one byte (waiting for it), then as much more as arrives without
         * waiting, up to the buffer's size. OkHttp reads at most 8 KiB at a time; a burst read in larger pieces goes
         * through the parser and everything above it in fewer calls, and an event split between two pieces comes
         * once per 256 KiB instead of once per 8. Returns -1 at the end of the stream.
         *
         * <p>The socket is asked how much is waiting once for about as much as it said: each question is a system
         * call, nearly as dear as a read in a burst (ADR-003, "Eighth round, streaming").
         */
        int fill(byte[] buffer) throws IOException {
            if (failed != null) {
                IOException e = failed;
                failed = null;
                throw e;
            }
            int n = in.read(buffer, 0, buffer.length);
            long sure = 0; // what the socket's count says can still be read without waiting
            while (n > 0 && n < buffer.length) {
                if (in.available() == 0 && sure <= 0) {
                    sure = StreamSocket.sureBytes(wire);
                    if (sure <= 0) {
                        break;
                    }
                }
                int more;
                try {
                    more = in.read(buffer, n, buffer.length - n);
                } catch (IOException e) {
                    failed = e; // what was read comes first, and is shown
                    break;
                }
                if (more < 0) {
                    break; // the next read says so again
                }
                n += more;
                sure -= more;
            }
            return n;
        }

        /** Whether nothing more is waiting: the moment to show what was read. */
        boolean idle() throws IOException {
            return failed != null || in.available() == 0 && !StreamSocket.hasMore(wire);
        }
    }

    /**
     * How much {@link BodyReads#fill} reads at most: two of the JDK's socket reads. A local server sends a long answer
     * faster than it is parsed: 256 KiB a read instead of 64 took ~2 ms off a 20,000-token stream's ~10 over a
     * one-token answer, in fewer reads (14 instead of 54) and fewer waits for a server that shares the CPUs (ADR-003,
     * "Twenty-fifth round"). A read never waits for more than the system holds, so a slow stream's text is shown as
     * it was.
     */
    private static final int READ_BUFFER = 1 << 18;

    /** The UTF-8 length of valid UTF-16 text (surrogates arrive here in pairs only). */
    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
