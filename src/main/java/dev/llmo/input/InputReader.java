package dev.llmo.input;

import dev.llmo.config.Urls;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.http.SharedHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Reads an input named as a path, an {@code http(s)} URL, or {@code -} for stdin, never more than a limit.
 *
 * <p>URLs are fetched without any key or header of the user's. Redirects are followed, but OkHttp follows only
 * {@code http} and {@code https} locations, so a server cannot send llmo to a {@code file:} or other scheme.
 */
public final class InputReader {
    /** How long one URL may take, connecting and reading together. */
    public static final Duration URL_TIMEOUT = Duration.ofSeconds(30);

    private final Supplier<InputStream> stdin;
    private final Path workingDir;
    /** Completes when the reader's user gives up (chat's Ctrl-C): a URL fetch in flight is cancelled; null: never. */
    private final CompletableFuture<?> stop;

    /**
     * @param stdin      the process's standard input, asked for only when an input is {@code -}
     * @param workingDir where relative paths are resolved
     */
    public InputReader(Supplier<InputStream> stdin, Path workingDir) {
        this(stdin, workingDir, null);
    }

    /**
     * A reader whose URL fetches end when {@code stop} completes (however it completes), instead of running on to
     * their time limit with nobody waiting for them.
     */
    public InputReader(Supplier<InputStream> stdin, Path workingDir, CompletableFuture<?> stop) {
        this.stdin = Objects.requireNonNull(stdin, "stdin");
        this.workingDir = Objects.requireNonNull(workingDir, "workingDir");
        this.stop = stop;
    }

    /**
     * The bytes of {@code spec}.
     *
     * @param spec     a path, an {@code http://} or {@code https://} URL, or {@code -}
     * @param what     how the error lines name the flag, e.g. {@code -a} or {@code -f}
     * @param maxBytes the most bytes accepted
     * @throws UsageException   (exit 2) a missing or unreadable file, a directory, an input over the limit
     * @throws FailureException (exit 1) a URL that cannot be fetched or answers with an error status
     */
    public InputBytes read(String spec, String what, long maxBytes) {
        if (spec == null || spec.isBlank()) {
            throw new UsageException(what + " needs a PATH, a URL or - for stdin", "e.g. " + what + " notes.md");
        }
        if ("-".equals(spec)) {
            try (InputStream in = stdin.get()) {
                return new InputBytes(bounded(in, spec, what, maxBytes), spec, null);
            } catch (IOException e) {
                throw stdinUnreadable("stdin for " + what, e);
            }
        }
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return fetch(spec, what, maxBytes);
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new UsageException(what + " " + Urls.named(spec) + ": only http:// and https:// URLs can be fetched",
                    "download it first and give the file's path");
        }
        return file(spec, what, maxBytes);
    }

    /**
     * The error of a stdin that cannot be read: what was redirected into it is the user's to fix (exit 2), most often
     * a directory ({@code < somedir}), as a directory given by name is.
     *
     * @param what how the message names it: {@code stdin}, {@code stdin for -f}
     */
    public static UsageException stdinUnreadable(String what, IOException e) {
        return new UsageException("cannot read " + what + ": " + e.getMessage(),
                "redirect a file or pipe text into it, not a directory: < notes.md, or cat notes.md | llmo ...");
    }

    private InputBytes file(String spec, String what, long maxBytes) {
        Path path = workingDir.resolve(spec);
        if (Files.isDirectory(path)) {
            throw new UsageException(what + " " + spec + " is a directory", "name a file in it");
        }
        try {
            if (Files.size(path) > maxBytes) {
                throw tooBig(spec, what, maxBytes);
            }
            try (InputStream in = Files.newInputStream(path)) {
                return new InputBytes(bounded(in, spec, what, maxBytes), spec, null);
            }
        } catch (NoSuchFileException e) {
            throw new UsageException(what + " " + spec + ": no such file", Path.of(spec).isAbsolute()
                    ? "check the path" : "check the path (relative to " + workingDir + ")");
        } catch (IOException e) {
            throw new UsageException(what + " " + spec + ": cannot read it (" + e.getMessage() + ")",
                    "check that the file exists and is readable");
        }
    }

    // errors and the returned name show the URL without its user-info and query (Urls.named): what is sent, logged
    // or printed never carries a password or token the URL held
    private InputBytes fetch(String url, String what, long maxBytes) {
        String named = Urls.named(url);
        Request request;
        try {
            request = new Request.Builder().url(url).header("Accept", "*/*").build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + " " + named + " is not a valid URL",
                    "check it, e.g. https://example.org/a.pdf");
        }
        Call call = client().newCall(request);
        if (stop != null) {
            stop.whenComplete((done, failed) -> call.cancel()); // at once when it already completed
        }
        try (Response response = call.execute()) {
            if (!response.isSuccessful()) {
                throw new FailureException(what + " " + named + ": the server answered HTTP " + response.code(),
                        "check the URL, or download the file and give its path");
            }
            ResponseBody body = response.body();
            if (body.contentLength() > maxBytes) {
                throw tooBig(named, what, maxBytes);
            }
            byte[] bytes = bounded(body.byteStream(), named, what, maxBytes);
            String type = response.header("Content-Type");
            String declared = type == null ? null : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            return new InputBytes(bytes, named, declared == null || declared.isEmpty() ? null : declared);
        } catch (InterruptedIOException e) {
            throw new FailureException(what + " " + named + ": no answer within " + URL_TIMEOUT.toSeconds() + " s",
                    "try again, or download the file and give its path", e);
        } catch (IOException e) {
            // a password that OkHttp reads as host (an unescaped '/' in it) would be named by the reason too
            String reason = Urls.parsedAsShown(url) ? e.getMessage() : e.getClass().getSimpleName();
            throw new FailureException(what + " " + named + ": cannot fetch it (" + reason + ")",
                    "check the URL and the network, or download the file and give its path", e);
        }
    }

    private static OkHttpClient client() {
        return UrlClient.CLIENT;
    }

    private static byte[] bounded(InputStream in, String spec, String what, long maxBytes) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw tooBig(spec, what, maxBytes);
        }
        return bytes;
    }

    private static UsageException tooBig(String spec, String what, long maxBytes) {
        return new UsageException(what + " " + spec + " is larger than " + Sizes.human(maxBytes),
                "give a smaller file, or an excerpt of it");
    }

    /** Sizes as people read them. */
    static final class Sizes {
        private Sizes() {
        }

        static String human(long bytes) {
            if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
                return bytes / (1 << 20) + " MiB";
            }
            if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
                return bytes / (1 << 10) + " KiB";
            }
            return bytes + " bytes";
        }
    }

    private static final class UrlClient {
        // no key ever goes with these requests, so following http(s) redirects sends nothing anyone configured
        static final OkHttpClient CLIENT = SharedHttpClient.get().newBuilder()
                .followRedirects(true)
                .followSslRedirects(true)
                .callTimeout(URL_TIMEOUT)
                .build();
    }
}
