package dev.llmo.eventlog;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checks a log's hash chain, streaming: the file is read in large chunks of whole lines, each line's hash is
 * checked on its own (in parallel on several cores for big files), and the links between lines are checked in
 * order. Memory stays bounded whatever the file's size. Holds a shared file lock while reading, so it never sees a
 * writer's half-written line.
 */
public final class ChainVerifier {
    private static final int CHUNK = 1 << 20;

    private final int chunkSize;
    private final int threads;
    private final int maxLine;

    ChainVerifier(int chunkSize, int threads) {
        this(chunkSize, threads, ChunkReader.MAX_LINE_BYTES);
    }

    /** A verifier for which a line longer than {@code maxLine} bytes is not an event (tests use a small bound). */
    ChainVerifier(int chunkSize, int threads, int maxLine) {
        this.chunkSize = chunkSize;
        this.threads = threads;
        this.maxLine = maxLine;
    }

    /** Checks {@code file}; never throws for a bad log, only for one it cannot read. */
    public static VerifyReport verify(Path file) {
        return new ChainVerifier(CHUNK, Math.min(4, Runtime.getRuntime().availableProcessors())).check(file);
    }

    /**
     * Repairs a torn last line, keeping every whole event: a last line that is a valid event without its newline
     * gets the newline, any other torn tail is cut off. Anything else is left alone.
     *
     * @return what was done
     * @throws FailureException when the file cannot be read or written
     */
    public static Repair repair(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                ChainVerifier verifier = new ChainVerifier(CHUNK, Math.min(4, Runtime.getRuntime().availableProcessors()));
                VerifyReport before = verifier.read(file, channel);
                if (!before.repairable()) {
                    return new Repair(before, before, 0, false);
                }
                long size = channel.size();
                long removed = 0;
                if (before.tailIsWholeEvent()) {
                    channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
                } else {
                    channel.truncate(before.validBytes());
                    removed = size - before.validBytes();
                }
                channel.force(true);
                VerifyReport after = verifier.read(file, channel);
                return new Repair(before, after, removed, before.tailIsWholeEvent());
            } finally {
                jvmLock.unlock();
            }
        } catch (NoSuchFileException e) {
            throw new FailureException("no such log file: " + file, "run 'llmo log list'", e);
        } catch (IOException e) {
            throw new FailureException("cannot repair " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
    }

    /**
     * What {@link #repair} did.
     *
     * @param before the report that led to it
     * @param after the report on the file as left
     * @param bytesRemoved how many bytes of torn tail were cut off
     * @param newlineAdded whether the last event only needed its newline
     */
    public record Repair(VerifyReport before, VerifyReport after, long bytesRemoved, boolean newlineAdded) {
        /** Whether anything was changed. */
        public boolean changed() {
            return bytesRemoved > 0 || newlineAdded;
        }
    }

    VerifyReport check(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = sharedLock(channel)) {
                return read(file, channel);
            } finally {
                jvmLock.unlock();
            }
        } catch (NoSuchFileException e) {
            throw new FailureException("no such log file: " + file, "run 'llmo log list'", e);
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
    }

    private static FileLock sharedLock(FileChannel channel) {
        try {
            return channel.lock(0, Long.MAX_VALUE, true);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // a file system without locks: verify anyway; a concurrent writer may show as a torn tail
        }
    }

    private VerifyReport read(Path file, FileChannel channel) throws IOException {
        ChunkReader reader = new ChunkReader(channel, chunkSize, maxLine);
        ChainLinker linker = new ChainLinker();
        Workers workers = null;
        ExecutorService pool = null;
        try {
            if (threads > 1 && channel.size() > chunkSize) {
                workers = new Workers();
                pool = Executors.newFixedThreadPool(threads, workers);
                // the workers set up their analyzers (the JCE provider's first look-up is ~10 ms) while this thread
                // reads the first chunk
                for (int i = 0; i < threads; i++) {
                    pool.submit(new Task(null, reader, workers));
                }
            }
            ChunkReader.Chunk first = reader.next();
            if (first == null) {
                return linker.finish(file);
            }
            if (first.last() || pool == null) {
                LineAnalyzer analyzer = new LineAnalyzer();
                for (ChunkReader.Chunk chunk = first; chunk != null && !linker.decided(); chunk = reader.next()) {
                    link(analyze(chunk, analyzer), linker);
                    reader.recycle(chunk);
                }
                return linker.finish(file);
            }
            return inParallel(file, pool, first, reader, linker, workers);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private VerifyReport inParallel(Path file, ExecutorService pool, ChunkReader.Chunk first, ChunkReader reader,
                                    ChainLinker linker, Workers workers) throws IOException {
        Deque<Future<List<LineFacts>>> inFlight = new ArrayDeque<>();
        try {
            ChunkReader.Chunk chunk = first;
            while (!linker.decided() && (chunk != null || !inFlight.isEmpty())) {
                // keep every worker busy with a chunk queued behind it, read ahead no further (bounded memory)
                while (chunk != null && inFlight.size() < threads * 2) {
                    inFlight.add(pool.submit(new Task(chunk, reader, workers)));
                    chunk = reader.next();
                }
                link(inFlight.removeFirst().get(), linker);
            }
            return linker.finish(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    private static void link(List<LineFacts> facts, ChainLinker linker) {
        for (LineFacts line : facts) {
            linker.accept(line);
        }
    }

    /**
     * The worker threads: named daemon threads with an analyzer each. Classes rather than lambdas: a lambda that the
     * class archive has not recorded (the archive's training verifies small logs, on one thread) is spun at run time,
     * on the main thread before the first chunk goes out, while a class is only read from the jar.
     */
    private static final class Workers extends ThreadLocal<LineAnalyzer> implements ThreadFactory {
        @Override
        protected LineAnalyzer initialValue() {
            return new LineAnalyzer();
        }

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "llmo-verify");
            thread.setDaemon(true);
            return thread;
        }
    }

    /** The facts of a chunk's lines, found on a worker, which then hands the chunk's buffer back to the reader. */
    private static final class Task implements Callable<List<LineFacts>> {
        private final ChunkReader.Chunk chunk;
        private final ChunkReader reader;
        private final Workers workers;

        /** {@code chunk} null: only set up the worker's analyzer. */
        Task(ChunkReader.Chunk chunk, ChunkReader reader, Workers workers) {
            this.chunk = chunk;
            this.reader = reader;
            this.workers = workers;
        }

        @Override
        public List<LineFacts> call() {
            LineAnalyzer analyzer = workers.get();
            if (chunk == null) {
                return List.of();
            }
            List<LineFacts> facts = analyze(chunk, analyzer);
            reader.recycle(chunk);
            return facts;
        }
    }

    private static List<LineFacts> analyze(ChunkReader.Chunk chunk, LineAnalyzer analyzer) {
        if (chunk.overlong()) {
            return List.of(LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, "the line is " + chunk.skipped()
                    + " bytes long, more than the " + (ChunkReader.MAX_LINE_BYTES >> 20) + " MiB an event may have",
                    chunk.end(), !chunk.last()));
        }
        List<LineFacts> facts = new ArrayList<>();
        byte[] bytes = chunk.bytes();
        int from = 0;
        while (from < chunk.length()) {
            LineFacts line = analyzer.analyzeNext(bytes, from, chunk.length(), chunk.offset());
            facts.add(line);
            from = (int) (line.end() - chunk.offset());
        }
        return facts;
    }
}
