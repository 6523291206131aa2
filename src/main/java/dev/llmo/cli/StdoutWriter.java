package dev.llmo.cli;

import dev.llmo.failure.ExitCode;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The writer of stdout that remembers why a write failed. A {@link PrintWriter} swallows I/O errors (only
 * {@link #checkError()} tells that one happened, not which): an answer written to {@code /dev/full} or to a pipe
 * whose reader went away must not end with exit 0. A broken pipe (the reader closed: {@code llmo run … | head -1})
 * is told apart from other failures, because it means "stop, nobody reads" (exit 141, as for a tool killed by
 * SIGPIPE, which the JVM ignores: the write fails with EPIPE instead).
 */
public final class StdoutWriter extends PrintWriter {
    private final Watched stream;
    /** The bytes below the char encoder: see {@link #writeAscii}. */
    private final BufferedOutputStream buffered;

    private StdoutWriter(Watched stream) {
        this(stream, new BufferedOutputStream(stream, 1 << 14));
    }

    private StdoutWriter(Watched stream, BufferedOutputStream buffered) {
        super(new OutputStreamWriter(buffered, StandardCharsets.UTF_8), false);
        this.stream = stream;
        this.buffered = buffered;
    }

    /**
     * Writes {@code text}, which must be all ASCII (chars below U+0080), as its bytes: what was written before is
     * flushed first. A streamed answer's text is copied, not encoded char by char: the encoder's loop ran interpreted
     * for most of a long answer, a tenth of its cost (ADR-003, "Sixth round, streaming"). A failure is remembered as
     * any write's is ({@link #failure}).
     */
    public void writeAscii(CharSequence text) {
        // a Latin-1 String's bytes are copied whole, and ASCII's are its UTF-8
        byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        synchronized (lock) {
            if (out == null) {
                setError(); // closed, as PrintWriter.write says
                return;
            }
            try {
                out.flush(); // what the encoder holds goes first
                buffered.write(bytes, 0, bytes.length);
            } catch (java.io.InterruptedIOException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                setError();
            }
        }
    }

    /** A buffered UTF-8 writer on {@code out} that remembers its first failure. */
    public static StdoutWriter of(OutputStream out) {
        return new StdoutWriter(new Watched(out));
    }

    /**
     * What writing to {@code out} has failed with so far, after flushing it: null when nothing failed; exit 141 when
     * the reader of a pipe went away; exit 1 otherwise (a full disk, {@code /dev/full}, a closed descriptor).
     */
    public static LlmoException failure(PrintWriter out) {
        if (!out.checkError()) {
            return null;
        }
        IOException cause = out instanceof StdoutWriter writer ? writer.stream.failure : null;
        if (cause != null && isBrokenPipe(cause)) {
            return InterruptedRunException.of(ExitCode.STDOUT_CLOSED,
                    "the reader of stdout went away (broken pipe); the request was cancelled");
        }
        String why = cause == null || cause.getMessage() == null ? "a write failed" : cause.getMessage();
        return new FailureException("cannot write to stdout: " + why,
                "check where stdout goes (free space, the file or device it is redirected to)", cause);
    }

    /** {@link #failure}, thrown. */
    public static void requireWritten(PrintWriter out) {
        LlmoException failure = failure(out);
        if (failure != null) {
            throw failure;
        }
    }

    // EPIPE's text on Linux and macOS; Java has no errno, and this is what FileOutputStream reports
    private static boolean isBrokenPipe(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("Broken pipe") || message.contains("EPIPE"));
    }

    /** Remembers the first exception of the stream below and passes it on. */
    private static final class Watched extends FilterOutputStream {
        private volatile IOException failure;

        Watched(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                remember(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                remember(e);
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                remember(e);
                throw e;
            }
        }

        private void remember(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
