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
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** One chat call on its own thread: attempts with retries, decoding, and the listener's events. */
final class ChatCall implements CallHandle {
    private final HttpErrorMapper errors;
    private final Supplier<Request> request;
    private final Supplier<ResponseDecoder> decoders;
    private final boolean stream;
    private final StreamListener listener;
    private final RetryLoop<ChatResponse> loop;
    private final ResponseLimits limits;
    private volatile Answer answer;

    ChatCall(Transport transport, HttpErrorMapper errors, Supplier<Request> request,
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

    void run() {
        ChatResponse response;
        try {
            response = loop.run(request, this::read, () -> answer == null || !answer.delivered(),
                    (retry, delay, failure) -> listener.onEvent(new StreamEvent.Retrying(retry, delay,
                            failure.error())));
        } catch (LlmoException e) {
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

    private ChatResponse read(Response response) throws IOException {
        Answer current = new Answer();
        answer = current;
        ResponseDecoder decoder = decoders.get();
        ResponseBody body = response.body();
        if (body == null) {
            throw new AttemptFailedException(errors.malformed("an empty answer", null));
        }
        MediaType type = body.contentType();
        boolean json = type != null && "json".equalsIgnoreCase(type.subtype());
        if (stream && !json) {
            SseParser parser = new SseParser(event -> {
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
            }, limits.maxSseLineBytes());
            InputStream in = body.byteStream();
            byte[] buffer = new byte[8192];
            int n;
            try {
                while (!current.ended() && (n = in.read(buffer)) != -1) {
                    parser.feed(buffer, 0, n);
                    if (in.available() == 0) {
                        listener.onIdle();
                    }
                }
                if (!current.ended()) {
                    parser.finish();
                }
            } catch (SseParser.TooLargeException e) {
                current.fail(errors.tooLarge("a stream line or event", e.limit()));
            }
        } else {
            // A whole answer, also when a server ignores stream:true and answers plain JSON (or its error as JSON).
            byte[] bytes = BoundedBody.read(body, limits.maxBodyBytes());
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
        if (current.failure == null && (current.done || current.stop != null)) {
            current.finishParts();
            // the answer ended: a refusal, a block or an answer of the wrong shape is a failure, not empty success
            try {
                decoder.onEnd(current);
            } catch (AttemptFailedException e) {
                throw e;
            } catch (RuntimeException e) {
                current.fail(errors.malformed("an answer llmo cannot read", null));
            }
        }
        if (current.failure != null) {
            throw new AttemptFailedException(current.failure);
        }
        if (!current.done && current.stop == null) {
            throw new AttemptFailedException(errors.incomplete());
        }
        Message message = new Message(Role.ASSISTANT, current.parts);
        if (reasoningExhausted(message, current.stop, current.usage)) {
            // the reasoning was reported as it came and stays the user's; an empty answer is not a success
            throw new AttemptFailedException(errors.reasoningExhausted(current.usage));
        }
        // nothing keeps the pieces once the answer is built (an answer may be many megabytes); a complete attempt is
        // not retried, so whether it delivered text no longer matters
        answer = null;
        return new ChatResponse(current.model, message, current.stop == null ? StopReason.OTHER : current.stop,
                current.usage);
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

    /** What one attempt has read so far. */
    private final class Answer implements StreamSink {
        private final AnswerParts answer = new AnswerParts(limits.maxAnswerBytes(), listener::onEvent);
        List<Part> parts = List.of();
        Usage usage;
        StopReason stop;
        String model;
        AttemptFailure failure;
        boolean done;

        boolean ended() {
            return done || failure != null;
        }

        /** Whether any of the answer reached the listener: then the attempt is not repeated. */
        boolean delivered() {
            return answer.delivered();
        }

        /** The end of a complete answer: its parts, assembled. */
        void finishParts() {
            parts = answer.parts();
        }

        /** Passes a piece of the answer on, unless the attempt ended; ends it when the answer grows past the limit. */
        private void take(java.util.function.Consumer<AnswerParts> piece) {
            if (ended()) {
                return;
            }
            piece.accept(answer);
            if (answer.overLimit()) {
                // what came so far stays with the listener (printed and logged); the call ends here
                fail(errors.answerTooLong(limits.maxAnswerBytes()));
            }
        }

        @Override
        public PartSink choice(int index) {
            return index == 0 ? this : IGNORED;
        }

        @Override
        public void text(String delta) {
            take(parts -> parts.text(delta));
        }

        @Override
        public void reasoning(String delta) {
            take(parts -> parts.reasoning(delta));
        }

        @Override
        public void reasoningSignature(String signature) {
            take(parts -> parts.reasoningSignature(signature));
        }

        @Override
        public void redactedReasoning(String data) {
            take(parts -> parts.redactedReasoning(data));
        }

        @Override
        public void refusal(String delta) {
            take(parts -> parts.refusal(delta));
        }

        @Override
        public void toolCall(int index, String id, String name, String argumentsDelta) {
            take(parts -> parts.toolCall(index, id, name, argumentsDelta));
        }

        @Override
        public void citation(Part.Citation citation) {
            take(parts -> parts.citation(citation));
        }

        @Override
        public void endBlock() {
            answer.endBlock();
        }

        @Override
        public void usage(Usage update) {
            if (update == null) {
                return;
            }
            usage = update;
            listener.onEvent(new StreamEvent.UsageUpdate(update));
        }

        @Override
        public void stop(StopReason reason) {
            stop = reason;
        }

        @Override
        public void model(String name) {
            if (name != null && !name.isEmpty()) {
                model = name;
            }
        }

        @Override
        public void fail(AttemptFailure attemptFailure) {
            if (failure == null) {
                failure = attemptFailure;
            }
        }

        @Override
        public void done() {
            done = true;
        }
    }

    /** Where the content of choices other than 0 goes: llmo asks for one answer, and another is not spliced in. */
    private static final PartSink IGNORED = new PartSink() {
        @Override
        public void text(String text) {
        }

        @Override
        public void reasoning(String text) {
        }

        @Override
        public void reasoningSignature(String signature) {
        }

        @Override
        public void redactedReasoning(String data) {
        }

        @Override
        public void refusal(String text) {
        }

        @Override
        public void toolCall(int index, String id, String name, String argumentsDelta) {
        }

        @Override
        public void citation(Part.Citation citation) {
        }

        @Override
        public void endBlock() {
        }
    };

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
