package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Urls;
import dev.llmo.secret.ApiKey;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ErrorKind;
import dev.llmo.message.Usage;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.ModelCallException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import okhttp3.Headers;

/**
 * The one place where a failed exchange becomes a typed error: HTTP status and body (of every provider and
 * compatible server: OpenAI, Anthropic, Gemini, Ollama, vLLM, llama.cpp, OpenRouter, Groq), errors inside a stream,
 * I/O failures and cut streams. It also decides whether another attempt may help and reads the server's wait hint
 * ({@code retry-after-ms}, {@code retry-after}, Gemini's {@code RetryInfo}, {@code x-should-retry}).
 *
 * <p>401/403 (and Gemini's invalid-key 400) become {@link ModelAuthException} (exit 4), everything else a
 * {@link ModelCallException} (exit 1), each with a {@link ErrorKind} and the status. Messages are one line, quote
 * the provider's own message, and never contain the key.
 */
public final class HttpErrorMapper {
    /** Longer hints are not waited for: the call fails at once and says how long the provider asked to wait. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    private static final int MAX_MESSAGE = 400;
    /**
     * How much of a server's text is cleaned for a message, of which only the first {@value #MAX_MESSAGE} chars are
     * shown: cleaning a whole body (up to 32 MiB) would copy it several times.
     */
    static final int MAX_SAMPLE = 16 * 1024;
    /** OkHttp's limit on the bytes of an answer's status line and headers together (HeadersReader). */
    private static final int HEADER_LIMIT = 256 * 1024;
    /** The shortest piece of the key that is masked where it appears alone (see {@link #withoutPiecesOf}). */
    static final int MIN_KEY_PIECE = 8;

    private final ProviderConfig provider;
    private final ApiKey key;
    private final Duration readTimeout;
    private final Duration connectTimeout;
    private final Clock clock;
    // the errors of listing the provider's models, a call that names no model: fixes point at base_url alone
    private final boolean modelList;

    public HttpErrorMapper(ProviderConfig provider, ApiKey key, Duration connectTimeout, Duration readTimeout,
                           Clock clock) {
        this(provider, key, connectTimeout, readTimeout, clock, false);
    }

    private HttpErrorMapper(ProviderConfig provider, ApiKey key, Duration connectTimeout, Duration readTimeout,
                            Clock clock, boolean modelList) {
        this.provider = provider;
        this.key = key;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.clock = clock;
        this.modelList = modelList;
    }

    /** This mapper for the call that lists the provider's models ({@code llmo models --remote}). */
    public HttpErrorMapper forModelList() {
        return new HttpErrorMapper(provider, key, connectTimeout, readTimeout, clock, true);
    }

    /** A non-2xx answer. */
    public AttemptFailure fromResponse(int status, Headers headers, String body) {
        if (status >= 300 && status < 400) {
            return redirect(status, headers.get("Location"));
        }
        JsonNode root = Json.parse(body).orElse(null);
        ErrorFields fields = ErrorFields.of(root);
        String message = fields.message != null ? fields.message : bodySample(body);
        ErrorKind kind = kindOfStatus(status, fields, message);
        Duration hint = retryAfter(headers, root);
        // 501 and 505 say what the server can never do (a method, an HTTP version), as Google's SDK also reads them
        boolean retryable = kind != ErrorKind.QUOTA && (status == 408 || status == 409 || status == 429
                || status == 498 || status >= 500 && status != 501 && status != 505);
        String shouldRetry = headers.get("x-should-retry");
        if ("true".equalsIgnoreCase(shouldRetry)) {
            retryable = true;
        } else if ("false".equalsIgnoreCase(shouldRetry)) {
            retryable = false;
        }
        String suffix = "";
        if (retryable && hint != null && hint.compareTo(MAX_RETRY_AFTER) > 0) {
            retryable = false;
            suffix = " (the provider asks to wait " + humanDuration(hint) + ")";
        }
        String text = message == null ? "" : ": " + clean(message);
        LlmoException error = switch (kind) {
            case AUTH -> new ModelAuthException(kind, status, provider.name() + " refused the API key (HTTP " + status
                    + ")" + text, authFix());
            case FORBIDDEN -> new ModelAuthException(kind, status, provider.name() + " refused access (HTTP " + status
                    + ")" + text, forbiddenFix());
            default -> new ModelCallException(kind, status, provider.name() + " answered HTTP " + status + " ("
                    + words(kind) + ")" + text + suffix, fix(kind));
        };
        return new AttemptFailure(error, retryable, hint);
    }

    /**
     * An error reported inside a 200 stream (or a 200 body): OpenAI-style {@code {"error":{...}}}, Anthropic's
     * {@code event: error}, Gemini's raw {@code {"error":{...}}}, llama.cpp's {@code error:} field.
     */
    public AttemptFailure fromStreamError(JsonNode payload, String raw) {
        ErrorFields fields = ErrorFields.of(payload);
        String message = fields.message != null ? fields.message : raw == null || raw.isBlank() ? null : raw;
        ErrorKind kind = fields.statusCode != null ? kindOfStatus(fields.statusCode, fields, message)
                : kindOfType(fields.type != null ? fields.type : fields.code, message);
        boolean retryable = switch (kind) {
            case RATE_LIMITED, SERVER_ERROR, OVERLOADED, TIMEOUT, CONNECTION -> true;
            default -> false;
        };
        String text = message == null ? "" : ": " + clean(message);
        LlmoException error = kind == ErrorKind.AUTH || kind == ErrorKind.FORBIDDEN
                ? new ModelAuthException(kind, fields.statusCode, provider.name() + " refused the request ("
                        + words(kind) + ")" + text, kind == ErrorKind.AUTH ? authFix() : forbiddenFix())
                : new ModelCallException(kind, fields.statusCode, provider.name() + " failed mid-answer ("
                        + words(kind) + ")" + text, fix(kind));
        return new AttemptFailure(error, retryable, null);
    }

    /**
     * The error of one row in a provider's batch results ({@code {"error":{...}}} in the provider's own error shape):
     * the same kinds as a live call's, said of that row.
     */
    public LlmoException fromBatchRow(JsonNode payload) {
        ErrorFields fields = ErrorFields.of(payload);
        String message = fields.message;
        ErrorKind kind = fields.statusCode != null ? kindOfStatus(fields.statusCode, fields, message)
                : kindOfType(fields.type != null ? fields.type : fields.code, message);
        String text = message == null ? "" : ": " + clean(message);
        return new ModelCallException(kind, fields.statusCode, provider.name() + " failed this batch request ("
                + words(kind) + ")" + text, fix(kind));
    }

    /** A row of a remote batch that the provider never answered: the batch expired or was cancelled first. */
    public LlmoException batchRowUnanswered(ErrorKind why) {
        return new ModelCallException(why, null, provider.name() + (why == ErrorKind.EXPIRED
                ? " did not answer this batch request before the batch expired (24 hours)"
                : " did not answer this batch request: the batch was cancelled"),
                why == ErrorKind.EXPIRED ? "run the row again (llmo batch resume, live or --via provider)" : null);
    }

    /** An I/O failure: the connection could not be made, broke, or timed out. */
    public AttemptFailure fromIo(IOException e, boolean responseStarted) {
        if (!responseStarted && headerLineUnended(e)) {
            return AttemptFailure.fatal(new ModelCallException(ErrorKind.BAD_RESPONSE, null, provider.name()
                    + " sent answer headers larger than " + ResponseLimits.describe(HEADER_LIMIT) + ", llmo's limit "
                    + "(or cut off mid-line); it stopped reading", "check that base_url of provider '"
                    + provider.name() + "' (" + shownBaseUrl() + ") is " + compatibleApi()));
        }
        String origin = origin();
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException && isTimeout(e)) {
            boolean connecting = !responseStarted && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT)
                    .contains("connect");
            String message = connecting
                    ? "cannot connect to " + origin + " (timed out after " + humanDuration(connectTimeout) + ")"
                    : provider.name() + " sent nothing for " + humanDuration(readTimeout) + " (read timeout)";
            return AttemptFailure.retryable(new ModelCallException(ErrorKind.TIMEOUT, null, message,
                    connecting ? connectionFix() : "try again, or allow more time with LLMO_READ_TIMEOUT (seconds)",
                    e));
        }
        String reason;
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            reason = e instanceof NoRouteToHostException ? "no route to host" : "connection refused";
        } else if (e instanceof UnknownHostException) {
            reason = "unknown host " + URI.create(provider.baseUrl()).getHost();
        } else if (e instanceof SSLException) {
            reason = "TLS failed: " + clean(String.valueOf(e.getMessage()));
        } else {
            reason = clean(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        String message = responseStarted
                ? "the connection to " + provider.name() + " broke mid-answer (" + reason + ")"
                : "cannot connect to " + origin + " (" + reason + ")";
        // Nothing listening on this machine will not start listening within a second: a local server that is not
        // running (a new user's Ollama) fails at once instead of after the whole retry schedule.
        boolean localRefusal = e instanceof ConnectException && isLoopback(URI.create(provider.baseUrl()).getHost());
        return new AttemptFailure(new ModelCallException(ErrorKind.CONNECTION, null, message,
                responseStarted ? "try again" : connectionFix(), e), !localRefusal, null);
    }

    /**
     * A 3xx: never followed (the key and the prompt would go to an address nobody configured), and not retried. The
     * message names where the server pointed, so that the user can fix {@code base_url} if that address is right.
     */
    AttemptFailure redirect(int status, String location) {
        String where = location == null || location.isBlank() ? "without saying where (no Location header)"
                : "to " + clean(Urls.shown(location));
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.REDIRECT, status, provider.name()
                + " answered HTTP " + status + ", a redirect " + where + "; llmo does not follow redirects of API "
                + "calls (the key would go along)", "if the new address is right, set base_url of provider '"
                + provider.name() + "' in models.yaml to it (now " + shownBaseUrl() + ")"));
    }

    /** The call's deadline ({@code --timeout}) passed: no further attempt, the text so far is kept by the caller. */
    public LlmoException deadline(Duration callTimeout) {
        return new ModelCallException(ErrorKind.TIMEOUT, null, "no complete answer from " + provider.name()
                + " within " + humanDuration(callTimeout) + " (--timeout)",
                "allow more time with --timeout SECONDS (0 for no limit), or ask for a shorter answer");
    }

    /** The model refused to answer (Anthropic {@code stop_reason: refusal}, an OpenAI {@code refusal}). */
    public AttemptFailure refused(String reason, String explanation) {
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.REFUSED, null, provider.name()
                + " refused to answer (" + reason + ")" + (explanation == null || explanation.isBlank() ? ""
                : ": " + clean(explanation)), "rephrase the request; the provider's policy stopped it"));
    }

    /** A safety or content filter blocked the prompt or stopped the answer. */
    public AttemptFailure blocked(String what, String explanation) {
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.BLOCKED, null, provider.name() + " " + what
                + (explanation == null || explanation.isBlank() ? "" : ": " + clean(explanation)),
                "rephrase the request; the provider's content filter stopped it"));
    }

    /** The model used the whole output budget on reasoning and wrote no answer; the reasoning is kept. */
    public AttemptFailure reasoningExhausted(Usage usage) {
        String tokens = usage == null || usage.outputTokens() == 0 ? "" : " (" + usage.outputTokens() + " tokens)";
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.REASONING_EXHAUSTED, null, provider.name()
                + ": the model spent its whole output budget" + tokens + " on reasoning and wrote no answer",
                "raise the budget (-o max_tokens=N) or lower the reasoning effort (-o reasoning_effort=low)"));
    }

    /** More bytes than llmo reads of one thing (a line, a body, a model list, the answer text). */
    public AttemptFailure tooLarge(String what, long limit) {
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.BAD_RESPONSE, null, provider.name() + " sent "
                + what + " larger than " + ResponseLimits.describe(limit) + ", llmo's limit; it stopped reading",
                "check that base_url of provider '" + provider.name() + "' (" + shownBaseUrl() + ") is "
                        + compatibleApi()));
    }

    /** The answer text passed llmo's limit: the call ends, the text so far is kept. */
    public AttemptFailure answerTooLong(long limit) {
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.INCOMPLETE, null, "the answer from "
                + provider.name() + " passed llmo's limit of " + ResponseLimits.describe(limit)
                + " of text; the text so far is kept", "ask for a shorter answer (e.g. -o max_tokens=N)"));
    }

    /** The stream ended cleanly but before the provider's end marker. */
    public AttemptFailure incomplete() {
        return AttemptFailure.retryable(new ModelCallException(ErrorKind.INCOMPLETE, null,
                "the answer from " + provider.name() + " ended before it was complete (the stream was cut)",
                "try again"));
    }

    /** A 2xx answer that cannot be read. */
    public AttemptFailure malformed(String what, String sample) {
        return AttemptFailure.fatal(new ModelCallException(ErrorKind.BAD_RESPONSE, null,
                provider.name() + " sent " + what + (sample == null || sample.isBlank() ? "" : ": " + clean(sample)),
                "check that base_url of provider '" + provider.name() + "' (" + shownBaseUrl() + ") is "
                        + compatibleApi()));
    }

    /**
     * The wire format by its product name with the article its sound takes: "an OpenAI-compatible API", "a
     * Gemini-compatible API" (not "an gemini-compatible").
     */
    private String compatibleApi() {
        return switch (provider.type()) {
            case OPENAI -> "an OpenAI-compatible API";
            case ANTHROPIC -> "an Anthropic-compatible API";
            case GEMINI -> "a Gemini-compatible API";
        };
    }

    /** The user cancelled the call (Ctrl-C). */
    public LlmoException cancelled() {
        return new InterruptedRunException("interrupted: the request to " + provider.name() + " was cancelled", null);
    }

    /** The error of the last attempt, saying how many attempts were made when there were several. */
    public static LlmoException afterAttempts(LlmoException error, int attempts) {
        if (attempts <= 1 || !(error instanceof CallError call)) {
            return error;
        }
        String message = error.getMessage() + " (after " + attempts + " attempts)";
        return error instanceof ModelAuthException
                ? new ModelAuthException(call.kind(), call.status(), message, error.fix())
                : new ModelCallException(call.kind(), call.status(), message, error.fix(), error.getCause());
    }

    /** The failure of the last attempt when the call's deadline leaves no time for the wait before another. */
    static LlmoException noTimeToRetry(LlmoException error, Duration callTimeout) {
        if (!(error instanceof CallError call)) {
            return error;
        }
        String message = error.getMessage() + " (no time left to retry within --timeout "
                + humanDuration(callTimeout) + ")";
        return error instanceof ModelAuthException
                ? new ModelAuthException(call.kind(), call.status(), message, error.fix())
                : new ModelCallException(call.kind(), call.status(), message, error.fix(), error.getCause());
    }

    /** Removes the key and anything that looks like one, folds the text to one line and bounds its length. */
    public String clean(String text) {
        String result = text.length() <= MAX_SAMPLE ? text : withoutLastWord(text.substring(0, MAX_SAMPLE));
        if (key != null && !key.value().isEmpty()) {
            result = withoutPiecesOf(key.value(), result);
        }
        result = ErrorPatterns.KEY_LIKE.matcher(result).replaceAll("$1***");
        result = result.replaceAll("\\s+", " ").strip();
        return result.length() <= MAX_MESSAGE ? result : result.substring(0, MAX_MESSAGE - 1) + "…";
    }

    /**
     * {@code text} with the key, and every run of {@value #MIN_KEY_PIECE} or more of its consecutive characters,
     * replaced by {@code ***}: a server that quotes the key's tail ("key ends in …") or head shows most of it. A run
     * that long of a random key does not occur in ordinary text by chance.
     */
    static String withoutPiecesOf(String key, String text) {
        if (key.length() < MIN_KEY_PIECE) {
            return text.replace(key, "***");
        }
        java.util.Set<String> pieces = new java.util.HashSet<>();
        for (int i = 0; i + MIN_KEY_PIECE <= key.length(); i++) {
            pieces.add(key.substring(i, i + MIN_KEY_PIECE));
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (i + MIN_KEY_PIECE <= text.length() && pieces.contains(text.substring(i, i + MIN_KEY_PIECE))) {
                int end = i + MIN_KEY_PIECE;
                while (end < text.length() && key.contains(text.substring(i, end + 1))) {
                    end++;
                }
                out.append("***");
                i = end;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * {@code cut} without the word the cut went through, which may be part of a key that neither the key nor the
     * pattern below would then recognise. Kept whole when it has no space at all: then what is shown is its start,
     * far from the cut.
     */
    private static String withoutLastWord(String cut) {
        for (int i = cut.length() - 1; i >= 0; i--) {
            if (Character.isWhitespace(cut.charAt(i))) {
                return cut.substring(0, i);
            }
        }
        return cut;
    }

    private ErrorKind kindOfStatus(int status, ErrorFields fields, String message) {
        if (status == 402 || fields.quota) {
            return ErrorKind.QUOTA;
        }
        if (fields.invalidKey) {
            return ErrorKind.AUTH;
        }
        return switch (status) {
            case 401 -> ErrorKind.AUTH;
            case 403 -> ErrorKind.FORBIDDEN;
            case 404 -> ErrorKind.NOT_FOUND;
            case 408, 504 -> ErrorKind.TIMEOUT;
            case 409 -> ErrorKind.CONFLICT;
            case 429 -> ErrorKind.RATE_LIMITED;
            case 498, 503, 529 -> ErrorKind.OVERLOADED;
            default -> {
                if (status >= 500) {
                    yield ErrorKind.SERVER_ERROR;
                }
                if (status >= 400) {
                    yield isContextLength(fields, message) ? ErrorKind.CONTEXT_LENGTH : ErrorKind.BAD_REQUEST;
                }
                yield ErrorKind.BAD_RESPONSE;
            }
        };
    }

    private static ErrorKind kindOfType(String type, String message) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (message != null && ErrorPatterns.CONTEXT_LENGTH.matcher(message).find() || t.contains("context")) {
            return ErrorKind.CONTEXT_LENGTH;
        }
        return switch (t) {
            case "overloaded_error", "unavailable", "overloaded" -> ErrorKind.OVERLOADED;
            case "rate_limit_error", "rate_limit_exceeded", "tokens", "requests", "resource_exhausted" ->
                    ErrorKind.RATE_LIMITED;
            case "api_error", "server_error", "internal", "internal_server_error" -> ErrorKind.SERVER_ERROR;
            case "timeout_error", "deadline_exceeded" -> ErrorKind.TIMEOUT;
            case "invalid_request_error", "invalid_argument", "badrequesterror" -> ErrorKind.BAD_REQUEST;
            case "authentication_error", "unauthenticated" -> ErrorKind.AUTH;
            case "permission_error", "permission_denied" -> ErrorKind.FORBIDDEN;
            case "not_found_error", "not_found" -> ErrorKind.NOT_FOUND;
            case "billing_error", "insufficient_quota" -> ErrorKind.QUOTA;
            default -> ErrorKind.STREAM_ERROR;
        };
    }

    private static boolean isContextLength(ErrorFields fields, String message) {
        return message != null && ErrorPatterns.CONTEXT_LENGTH.matcher(message).find()
                || fields.code != null && ErrorPatterns.CONTEXT_LENGTH.matcher(fields.code).find()
                || fields.type != null && ErrorPatterns.CONTEXT_LENGTH.matcher(fields.type).find();
    }

    private Duration retryAfter(Headers headers, JsonNode root) {
        String ms = headers.get("retry-after-ms");
        if (ms != null) {
            try {
                double value = Double.parseDouble(ms.strip());
                if (value >= 0) {
                    return Duration.ofNanos((long) (value * 1_000_000));
                }
            } catch (NumberFormatException e) {
                // fall through to retry-after
            }
        }
        String after = headers.get("retry-after");
        if (after != null) {
            try {
                double seconds = Double.parseDouble(after.strip());
                if (seconds >= 0) {
                    return Duration.ofMillis((long) (seconds * 1000));
                }
            } catch (NumberFormatException e) {
                try {
                    ZonedDateTime when = ZonedDateTime.parse(after.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration wait = Duration.between(clock.instant(), when.toInstant());
                    return wait.isNegative() ? Duration.ZERO : wait;
                } catch (DateTimeParseException ignored) {
                    // an unreadable hint is no hint
                }
            }
        }
        return ErrorFields.geminiRetryDelay(root);
    }

    /**
     * Whether OkHttp stopped reading the answer's headers at a line with no end: one longer than what is left of its
     * 256 KiB budget for all headers ({@code limit=N}, N > 0, in okio's message). The server was reached and answered
     * with something no retry will fix. A connection closed before any byte of a line ({@code limit=0}: a kept-alive
     * connection the server had dropped) is not this. okio's message cannot tell an over-long line from one cut off by
     * the end of the stream after N bytes; both are a broken answer. {@link LocalHttp} says the same with its own
     * exception.
     */
    private static boolean headerLineUnended(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof LocalHttp.HeadTooLarge) {
                return true;
            }
            if (cause instanceof java.io.EOFException && cause.getMessage() != null
                    && ErrorPatterns.HEADER_LINE_UNENDED.matcher(cause.getMessage()).matches()) {
                return true;
            }
        }
        return false;
    }

    private String origin() {
        URI uri = URI.create(provider.baseUrl());
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    /** base_url for a message: without the user-info a proxy's URL may carry. */
    private String shownBaseUrl() {
        return Urls.shown(provider.baseUrl());
    }

    private String connectionFix() {
        return "is the server running and reachable? check base_url of provider '" + provider.name()
                + "' in models.yaml (" + shownBaseUrl() + ")";
    }

    private String baseUrlFix() {
        return "check base_url of provider '" + provider.name() + "' in models.yaml (" + shownBaseUrl() + ")";
    }

    private String authFix() {
        if (provider.apiKeyName() == null) {
            return provider.apiKeyCmd() != null ? "check what api_key_cmd of provider '" + provider.name() + "' prints"
                    : "provider '" + provider.name() + "' has no api_key_name in models.yaml: add one naming the "
                    + "variable or vault entry that holds its key";
        }
        String name = provider.apiKeyName();
        return "check " + name + ": run 'llmo vault set " + name + "' or 'export " + name + "=…'";
    }

    private String forbiddenFix() {
        return provider.apiKeyName() == null ? "the server refuses this request"
                : "check that the key in " + provider.apiKeyName() + " may use this model and endpoint";
    }

    private String fix(ErrorKind kind) {
        return switch (kind) {
            case RATE_LIMITED -> "wait a moment and try again, or raise the rate limits of your " + provider.name()
                    + " account";
            case QUOTA -> "check the plan, credits and billing of your " + provider.name() + " account";
            case CONTEXT_LENGTH -> "shorten the prompt or use a model with a larger context window";
            case BAD_REQUEST -> modelList ? baseUrlFix() : "check the request options (-o) and the model name";
            case NOT_FOUND -> modelList ? baseUrlFix() + ": no model list was found under it"
                    : "check the model name ('llmo models --remote' lists what " + provider.name()
                    + " serves) and base_url in models.yaml (" + shownBaseUrl() + ")";
            case SERVER_ERROR, OVERLOADED, TIMEOUT, CONFLICT -> "the provider is having trouble; try again later";
            case STREAM_ERROR, INCOMPLETE, CONNECTION -> "try again";
            default -> null;
        };
    }

    private static String words(ErrorKind kind) {
        return switch (kind) {
            case RATE_LIMITED -> "rate limited";
            case QUOTA -> "quota exceeded";
            case CONTEXT_LENGTH -> "prompt too long";
            case BAD_REQUEST -> "bad request";
            case NOT_FOUND -> "not found";
            case SERVER_ERROR -> "server error";
            case OVERLOADED -> "overloaded";
            case TIMEOUT -> "timeout";
            case CONFLICT -> "conflict";
            case AUTH -> "invalid key";
            case FORBIDDEN -> "forbidden";
            default -> kind.id().replace('_', ' ');
        };
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                || host.equals("::1"));
    }

    private static boolean isTimeout(IOException e) {
        return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
                || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timed out");
    }

    /** Text of a non-JSON error body (an HTML page of a proxy, a plain-text message): tags removed, one line. */
    private static String bodySample(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        String text = body.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("<[^>]*>", " ")
                .replaceAll("\\s+", " ").strip();
        return text.isEmpty() ? null : text.length() > 200 ? text.substring(0, 199) + "…" : text;
    }

    static String humanDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 1) {
            return duration.toMillis() + " ms";
        }
        if (seconds < 120) {
            long millis = duration.toMillis() % 1000;
            return millis == 0 ? seconds + " s"
                    : java.math.BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h";
    }

    /** The fields of an error body, read leniently from every known shape. */
    private static final class ErrorFields {
        String message;
        String type;
        String code;
        Integer statusCode;
        boolean quota;
        boolean invalidKey;

        static ErrorFields of(JsonNode root) {
            ErrorFields f = new ErrorFields();
            if (root == null || !root.isObject()) {
                return f;
            }
            JsonNode error = root.get("error");
            JsonNode holder;
            if (error != null && error.isObject()) {
                holder = error;                       // OpenAI, Anthropic, Gemini, vLLM, llama.cpp, OpenRouter
            } else if (error != null && error.isTextual()) {
                f.message = error.asText();           // Ollama native: {"error":"model 'x' not found"}
                return f;
            } else {
                holder = root;                        // old vLLM: {"object":"error","message":...,"code":400}
            }
            f.message = Json.text(holder, "message");
            f.type = Json.text(holder, "type");
            if (f.type == null) {
                f.type = Json.text(holder, "status"); // Gemini: "RESOURCE_EXHAUSTED"
            }
            JsonNode code = holder.get("code");
            if (code != null && code.isInt() && code.asInt() >= 100 && code.asInt() < 600) {
                f.statusCode = code.asInt();
            } else if (code != null && code.isTextual()) {
                f.code = code.asText();
            }
            String all = root.toString();
            f.quota = "insufficient_quota".equals(f.code) || "insufficient_quota".equals(f.type)
                    || "billing_error".equals(f.type) || all.contains("enforced_spend_limit_reached")
                    || dailyQuota(holder);
            f.invalidKey = all.contains("API_KEY_INVALID") || f.message != null
                    && f.message.contains("API key not valid");
            return f;
        }

        /** Gemini: a QuotaFailure whose quota is per day is not lifted by waiting seconds. */
        private static boolean dailyQuota(JsonNode error) {
            JsonNode details = error.get("details");
            if (details == null || !details.isArray()) {
                return false;
            }
            for (JsonNode detail : details) {
                if (String.valueOf(Json.text(detail, "@type")).endsWith("QuotaFailure")) {
                    for (JsonNode violation : detail.path("violations")) {
                        if (String.valueOf(Json.text(violation, "quotaId")).contains("PerDay")) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /** Gemini's {@code google.rpc.RetryInfo{"retryDelay":"26s"}} in the error details. */
        static Duration geminiRetryDelay(JsonNode root) {
            JsonNode details = root == null ? null : root.path("error").get("details");
            if (details == null || !details.isArray()) {
                return null;
            }
            for (JsonNode detail : details) {
                String delay = Json.text(detail, "retryDelay");
                if (delay != null && delay.endsWith("s")) {
                    try {
                        double seconds = Double.parseDouble(delay.substring(0, delay.length() - 1));
                        return seconds >= 0 ? Duration.ofMillis((long) (seconds * 1000)) : null;
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    /** Compiled when an error is mapped: every call sets up a mapper, few fail (ADR-003). */
    private static final class ErrorPatterns {
        // okio's readUtf8LineStrict: "\n not found: limit=262060 content=582d…"
        static final Pattern HEADER_LINE_UNENDED =
                Pattern.compile("\\\\n not found: limit=[1-9][0-9]* content=.*", Pattern.DOTALL);
        static final Pattern KEY_LIKE = Pattern.compile("\\b(sk-(?:ant-|proj-|or-)?|gsk_|AIza)[A-Za-z0-9_*…\\-.]{3,}");
        static final Pattern CONTEXT_LENGTH = Pattern.compile(
                "context length|context window|context size|maximum context|prompt is too long|input token count"
                        + "|too many tokens|context_length_exceeded|exceed_context_size", Pattern.CASE_INSENSITIVE);
    }
}
