package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.io.Uninterruptible;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only, hash-chained conversation log: {@code conversations/<id>.jsonl}, one event per line (see
 * docs/usage/event-log.md for the exact format).
 *
 * <pre>{@code
 * try (EventLog log = EventLog.create(dirs.conversationsDir(),
 *         new SessionStart("run", RunMode.SINGLE, List.of("openai/gpt-4o-mini"), Sha256.of(configBytes), version))) {
 *     Event user = log.append(Message.user("Say hi"));
 *     Event request = log.append(new Request("openai/gpt-4o-mini", Map.of("temperature", 0.7),
 *             Sha256.of(body), body.length, SeqRange.of(List.of(user.seq()))));
 *     log.append(new Response(request.seq(), "openai/gpt-4o-mini", "Hi!", "end",
 *             Usage.of(12, 3), 48, 812, 230L, true));
 *     log.append(new SessionEnd("ok", 0, 48));
 * }
 * }</pre>
 *
 * <p>Durability: every event is one {@code write} of a whole line; {@code session.end} and {@link #close()} sync
 * the file to disk, and {@link Options#syncEachEvent()} syncs after every event. A crash leaves at worst a torn
 * last line, which {@code llmo log verify --repair} removes; a write that fails (disk full) is cut back at once
 * ({@link Appends}).
 *
 * <p>Concurrency: each append holds an exclusive file lock and re-reads the last line, so several processes (and
 * several {@code EventLog}s or threads in one process) may append to one file and the chain stays whole. Appending
 * to a file whose last line is torn is refused with exit 6 until it is repaired.
 */
public final class EventLog implements Closeable {
    private static final int TAIL_CHUNK = 64 * 1024;

    private final Options options;
    // A log made by createDeferred has no file (and so no channel or lock) until persist(): until then its events
    // wait in `pending`, chained and hashed exactly as they will be written.
    private Path file;
    private String id;
    private FileChannel channel;
    private ReentrantLock jvmLock;
    private java.io.ByteArrayOutputStream pending;
    // an inMemory log: never persisted, its events not even held
    private boolean memoryOnly;
    private boolean pendingSync;
    private final MessageDigest digest = Sha256.newDigest();
    // What this instance knows of the end of the file; re-read under the lock when another writer moved it.
    private long knownSize = -1;
    private java.util.function.Consumer<List<Event>> foreign;
    // what the last write found other writers had appended, until handForeign() passes it on
    private List<Event> caughtUp;
    private long nextSeq;
    private String lastHash;

    /**
     * How a log is written.
     *
     * @param clock the source of {@code ts} (and of the id of a new conversation)
     * @param syncEachEvent fsync after every event, not only at {@code session.end} and close
     * @param ledger where each {@code session.end} is anchored (see {@link Ledger}), or null for nowhere
     * @param salts where the salts of content entries come from (see {@link EventCodec}): null for a
     *     {@link java.security.SecureRandom}; a seeded one only in tests that compare the bytes of two logs
     */
    public record Options(Clock clock, boolean syncEachEvent, Ledger ledger, java.util.Random salts) {
        /** Options with secure salts. */
        public Options(Clock clock, boolean syncEachEvent, Ledger ledger) {
            this(clock, syncEachEvent, ledger, null);
        }

        /** Options without a ledger. */
        public Options(Clock clock, boolean syncEachEvent) {
            this(clock, syncEachEvent, null);
        }

        /** The system clock, fsync at session end and close, no ledger. */
        public static Options defaults() {
            return new Options(Clock.systemUTC(), false);
        }
    }

    private EventLog(Path file, FileChannel channel, Options options) throws IOException {
        // knows nothing of the file yet: its first append or catchUp() reads it from the start
        this.knownSize = 0;
        this.lastHash = Sha256.ZERO;
        this.file = file;
        this.id = idOf(file);
        this.channel = channel;
        this.options = options;
        this.jvmLock = FileLocks.of(file);
    }

    private EventLog(Path file, Options options) {
        this.file = file;
        this.id = idOf(file);
        this.options = options;
        this.pending = new java.io.ByteArrayOutputStream();
        this.knownSize = 0;
        this.nextSeq = 0;
        this.lastHash = Sha256.ZERO;
    }

    /** Starts a new conversation in {@code conversationsDir} with default options; see {@link #create(Path, EventData.SessionStart, Options)}. */
    public static EventLog create(Path conversationsDir, EventData.SessionStart start) {
        return create(conversationsDir, start, Options.defaults());
    }

    /**
     * Starts a new conversation: creates the directory (owner-only) if needed and {@code <new id>.jsonl}
     * (owner-only), and writes {@code start} as event 0.
     *
     * @throws FailureException when the directory or file cannot be created
     */
    public static EventLog create(Path conversationsDir, EventData.SessionStart start, Options options) {
        try {
            createPrivateDirectories(conversationsDir);
            while (true) {
                Path file = conversationsDir.resolve(ConversationId.next(options.clock().instant()) + ".jsonl");
                FileChannel channel;
                try {
                    channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                            StandardOpenOption.WRITE), privateFile(conversationsDir));
                } catch (FileAlreadyExistsException taken) {
                    continue; // another process made the same id: impossible in practice, cheap to handle
                }
                EventLog log = new EventLog(file, channel, options);
                log.append(start);
                return log;
            }
        } catch (IOException e) {
            throw new FailureException("cannot create a conversation log in " + conversationsDir + ": " + e.getMessage(),
                    "check that the directory is writable (or set LLMO_HOME)", e);
        }
    }

    /**
     * Starts a new conversation whose file is made only by {@link #persist()}: {@code start} and the events after it
     * are held in memory, chained and hashed as they will be written, so that a command that never sends a request
     * leaves no file behind ({@link #close()} without {@code persist} writes nothing). The id is chosen now.
     */
    public static EventLog createDeferred(Path conversationsDir, EventData.SessionStart start, Options options) {
        EventLog log = new EventLog(conversationsDir.resolve(ConversationId.next(options.clock().instant()) + ".jsonl"),
                options);
        log.append(start);
        return log;
    }

    /**
     * A conversation that is never written ({@code --no-log}): its events are chained as a {@link #createDeferred}
     * log's are, but {@link #persist()} does nothing and no event is kept, so nothing of it reaches the disk or
     * the ledger. Its id names nothing.
     */
    public static EventLog inMemory(EventData.SessionStart start, Options options) {
        EventLog log = new EventLog(Path.of(ConversationId.next(options.clock().instant()) + ".jsonl"), options);
        log.memoryOnly = true;
        log.append(start);
        return log;
    }

    /** Whether the log has its file (always, except for a {@link #createDeferred} log not yet persisted). */
    public synchronized boolean persisted() {
        return channel != null;
    }

    /**
     * Makes the file of a {@link #createDeferred} log (owner-only, in an owner-only directory) and writes the events
     * held so far; later events are written as they come. Does nothing for a log that has its file.
     *
     * @throws FailureException when the directory or file cannot be created
     */
    public synchronized void persist() {
        if (channel != null || memoryOnly) {
            return;
        }
        if (pending == null) {
            throw new IllegalStateException(id + " was discarded"); // a bug in the caller: it ended already
        }
        Path dir = file.getParent();
        try {
            // as in write(): an interrupted thread would have the channel closed under it mid-write
            Uninterruptible.call(new Uninterruptible.Action<Void>() { // not a lambda: start-up path (ADR-003)
                @Override
                public Void run() throws IOException {
                    createFile(dir);
                    return null;
                }
            });
        } catch (IOException e) {
            throw new FailureException("cannot create a conversation log in " + dir + ": " + e.getMessage(),
                    "check that the directory is writable (or set LLMO_HOME)", e);
        }
    }

    /** persist(): the file made, the events held so far written to it. */
    private void createFile(Path dir) throws IOException {
        createPrivateDirectories(dir);
        FileChannel created;
        while (true) {
            try {
                created = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), privateFile(dir));
                break;
            } catch (FileAlreadyExistsException taken) {
                // another process made the same id: impossible in practice, cheap to handle (ids are not in lines)
                file = dir.resolve(ConversationId.next(options.clock().instant()) + ".jsonl");
                id = idOf(file);
            }
        }
        ReentrantLock lock = FileLocks.of(file);
        byte[] lines = pending.toByteArray();
        lock.lock();
        try (FileLock ignored = created.lock()) {
            Appends.write(created, 0, ByteBuffer.wrap(lines), pendingSync);
        } catch (IOException e) {
            // the file is this process's alone until it is written: a failed one goes, and the id with it
            created.close();
            Files.deleteIfExists(file);
            throw e;
        } finally {
            lock.unlock();
        }
        channel = created;
        jvmLock = lock;
        knownSize = lines.length;
        pending = null;
    }

    /**
     * Takes back a log this process created and wrote alone: its file is removed (under the file lock) and the log
     * closed, unless another writer appended to it meanwhile (then nothing changes). A log never persisted just
     * forgets its events.
     *
     * @return whether nothing of the log is left on disk
     */
    public synchronized boolean discard() {
        if (channel == null) {
            pending = null; // nothing more can be written or persisted
            return true;
        }
        boolean removed;
        try {
            removed = Uninterruptible.call(() -> {
                jvmLock.lock();
                try (FileLock ignored = channel.lock()) {
                    // another process continued it meanwhile: it is theirs too now, and stays
                    return channel.size() == knownSize && Files.deleteIfExists(file);
                } finally {
                    jvmLock.unlock();
                }
            });
        } catch (IOException e) {
            throw new FailureException("cannot remove " + file + ": " + e.getMessage(),
                    "check the directory's permissions", e);
        }
        if (removed) {
            try {
                channel.close();
            } catch (IOException e) {
                // the file is gone; nothing of it can be lost
            }
        }
        return removed;
    }

    /** Opens an existing conversation to append to it, with default options. */
    public static EventLog open(Path file) {
        return open(file, Options.defaults());
    }

    /**
     * Opens an existing conversation to append to it (e.g. {@code chat --resume}); the next event continues the
     * chain from the file's last line. Find the file with {@link ConversationStore#resolve(String)}.
     *
     * @throws FailureException when the file cannot be opened
     */
    public static EventLog open(Path file, Options options) {
        try {
            return new EventLog(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    options);
        } catch (NoSuchFileException e) {
            throw new FailureException("no conversation log at " + file, "run 'llmo log list' to see the conversations", e);
        } catch (IOException e) {
            throw new FailureException("cannot open " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
    }

    /** The conversation id: the file name without {@code .jsonl}. */
    public synchronized String id() {
        return id;
    }

    /** The log file. */
    public synchronized Path file() {
        return file;
    }

    /**
     * Writes one event at the end of the chain and returns it (its {@link Event#seq()} is what a response or error
     * names as its {@code request}). Thread-safe.
     *
     * @throws IllegalArgumentException when the data holds a floating-point number or another value events cannot
     *     hold (a bug in the caller)
     * @throws LogVerificationException when the file ends with a torn or foreign line (exit 6)
     * @throws FailureException when the file cannot be written (exit 1)
     */
    public Event append(EventData data) {
        EventCodec.Encoded encoded = EventCodec.encode(data, random());
        ObjectNode json = encoded.data();
        byte[] canonicalData = CanonicalJson.write(json);
        ObjectNode content = encoded.content().isEmpty() ? null : encoded.content();
        byte[] canonicalContent = encoded.canonicalContent();
        long length = canonicalData.length + (canonicalContent == null ? 0L : canonicalContent.length);
        if (length > ChunkReader.MAX_LINE_BYTES - 1024) { // the envelope (seq, ts, hashes) is a few hundred bytes
            // a line no reader would read as an event: refused, so that llmo never writes what it cannot read back
            throw new FailureException("the " + data.type() + " event is " + (length >> 20) + " MiB, more than the "
                    + (ChunkReader.MAX_LINE_BYTES >> 20) + " MiB a line of the event log may have; nothing was written",
                    "send less text at once");
        }
        boolean sync = options.syncEachEvent() || data instanceof EventData.SessionEnd;
        Event event = write(data.type(), json, canonicalData, content, canonicalContent, sync);
        handForeign();
        if (data instanceof EventData.SessionEnd && options.ledger() != null && !memoryOnly) {
            // after the event is on disk and outside this file's lock: the ledger has its own
            options.ledger().record(file, event);
        }
        return event;
    }

    /** Writes an event of any type; see {@link #append(EventData)}. */
    public Event append(String type, ObjectNode data) {
        return append(new EventData.Custom(type, data));
    }

    // The salts of content entries (see EventCodec); made on first use, since most commands write no parts.
    private java.util.Random random;

    private synchronized java.util.Random random() {
        if (random == null) {
            random = options.salts() != null ? options.salts() : dev.llmo.secret.JdkCrypto.random();
        }
        return random;
    }

    private synchronized Event write(String type, ObjectNode json, byte[] canonicalData, ObjectNode content,
                                     byte[] canonicalContent, boolean sync) {
        if (channel == null) {
            return hold(type, json, canonicalData, content, canonicalContent, sync);
        }
        try {
            // An interrupted thread would close the channel mid-write (ClosedByInterruptException): Ctrl-C cancels a
            // call by interrupting its thread, and that call's last events must still be written.
            return Uninterruptible.call(new Uninterruptible.Action<Event>() { // not a lambda: start-up path (ADR-003)
                @Override
                public Event run() throws IOException {
                    return writeLine(type, json, canonicalData, content, canonicalContent, sync);
                }
            });
        } catch (Appends.Failure e) {
            throw new FailureException("cannot write to " + file + ": " + e.getMessage(), e.whole()
                    ? "free disk space (or raise the file size limit) and run again"
                    : "free disk space, then run 'llmo log verify " + id + " --repair'", e);
        } catch (IOException e) {
            throw new FailureException("cannot write to " + file + ": " + e.getMessage(),
                    "check free disk space and the file's permissions", e);
        }
    }

    private Event writeLine(String type, ObjectNode json, byte[] canonicalData, ObjectNode content,
                            byte[] canonicalContent, boolean sync) throws IOException {
        jvmLock.lock();
        try (FileLock ignored = channel.lock()) {
            long size = channel.size();
            if (size != knownSize) {
                List<Event> others = catchUpTo(size, foreign != null);
                if (!others.isEmpty()) {
                    caughtUp = others;
                }
            }
            String ts = EventJson.timestamp(options.clock().instant());
            long seq = nextSeq;
            String prev = lastHash;
            String hash = EventLines.hash(digest, Event.VERSION, canonicalData, 0, canonicalData.length, prev, seq,
                    ts, type);
            byte[] line = EventLines.line(seq, ts, type, canonicalData, prev, hash, canonicalContent);
            Appends.write(channel, size, ByteBuffer.wrap(line), sync);
            knownSize = size + line.length;
            nextSeq = seq + 1;
            lastHash = hash;
            return new Event(Event.VERSION, seq, ts, type, json, prev, hash, content);
        } finally {
            jvmLock.unlock();
        }
    }

    /** An event of a log not yet persisted: chained in memory, written by {@link #persist()}. */
    private Event hold(String type, ObjectNode json, byte[] canonicalData, ObjectNode content,
                       byte[] canonicalContent, boolean sync) {
        if (pending == null) {
            throw new IllegalStateException(id + " was discarded"); // a bug in the caller: it ended already
        }
        String ts = EventJson.timestamp(options.clock().instant());
        long seq = nextSeq;
        String prev = lastHash;
        String hash = EventLines.hash(digest, Event.VERSION, canonicalData, 0, canonicalData.length, prev, seq, ts,
                type);
        if (!memoryOnly) {
            pending.writeBytes(EventLines.line(seq, ts, type, canonicalData, prev, hash, canonicalContent));
        }
        pendingSync |= sync;
        nextSeq = seq + 1;
        lastHash = hash;
        return new Event(Event.VERSION, seq, ts, type, json, prev, hash, content);
    }

    /**
     * Where the events other writers appended since this log last wrote or read are handed (read under the file
     * lock, in log order, before the event this log then wrote): the conversation that owns this log folds them
     * into its history, so that what it sends next is the log's one linear history. Null: they are only skipped.
     */
    public synchronized void onForeign(java.util.function.Consumer<List<Event>> sink) {
        this.foreign = sink;
    }

    /**
     * Hands what the last write found other writers had appended to the {@link #onForeign} sink: on the caller's
     * thread and outside this log's monitor, since the write itself runs on another thread ({@link Uninterruptible})
     * while the caller holds its conversation's lock, which the sink takes too.
     */
    private void handForeign() {
        List<Event> others;
        java.util.function.Consumer<List<Event>> sink;
        synchronized (this) {
            others = caughtUp;
            caughtUp = null;
            sink = foreign;
        }
        if (others != null && sink != null) {
            sink.accept(others);
        }
    }

    /**
     * Reads, under the file lock, the events other writers appended since this log last wrote or read (for a log
     * just {@link #open}ed: every event of the file), and moves this log's end past them.
     *
     * @throws LogVerificationException when the file ends with a torn or foreign line (exit 6)
     * @throws FailureException when the file cannot be read
     */
    public synchronized List<Event> catchUp() {
        if (channel == null) {
            return List.of();
        }
        try {
            return Uninterruptible.call(() -> {
                jvmLock.lock();
                try (FileLock ignored = channel.lock()) {
                    long size = channel.size();
                    return size == knownSize ? List.<Event>of() : catchUpTo(size, true);
                } finally {
                    jvmLock.unlock();
                }
            });
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
    }

    /** The events between this log's known end and {@code size}, its end moved there; called under the lock. */
    private List<Event> catchUpTo(long size, boolean collect) throws IOException {
        List<Event> events = new ArrayList<>();
        // a file that shrank (a repair cut its torn line): only its last line is learnt
        if (collect && size > knownSize && size - knownSize <= Integer.MAX_VALUE) {
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - knownSize));
            while (buffer.hasRemaining() && channel.read(buffer, knownSize + buffer.position()) >= 0) {
                // fill
            }
            byte[] bytes = buffer.array();
            for (int from = 0; from < bytes.length; ) {
                int end = from;
                while (end < bytes.length && bytes[end] != '\n') {
                    end++;
                }
                if (end == bytes.length) {
                    break; // a torn last line: readTail refuses it
                }
                Event event = EventLines.parse(bytes, from, end - from);
                if (event != null) {
                    events.add(event);
                }
                from = end + 1;
            }
        }
        readTail(size);
        knownSize = size;
        return events;
    }

    /** Learns seq and hash of the last line; called under the lock when the file is not as this writer left it. */
    private void readTail(long size) throws IOException {
        if (size == 0) {
            nextSeq = 0;
            lastHash = Sha256.ZERO;
            return;
        }
        byte[] tail = lastLine(channel, size);
        JsonNode last;
        try {
            last = EventJson.read(tail, 0, tail.length);
        } catch (IOException e) {
            last = null;
        }
        if (tail.length == 0 || tail[tail.length - 1] != '\n' || last == null || !last.path("seq").canConvertToLong()
                || !Sha256.isDigest(last.path("hash").textValue())) {
            throw new LogVerificationException(file + " ends with a torn or foreign line; not appending to it",
                    "run 'llmo log verify " + id + " --repair'");
        }
        nextSeq = last.get("seq").longValue() + 1;
        lastHash = last.get("hash").textValue();
    }

    /**
     * The last line of a file of {@code size} bytes, its newline included when it has one; empty when it is longer
     * than any event ({@link ChunkReader#MAX_LINE_BYTES}), which no writer continues from.
     */
    static byte[] lastLine(FileChannel channel, long size) throws IOException {
        // scanned backwards in small blocks for the newline before it, then read whole: a long line costs its size once
        long start = 0;
        ByteBuffer block = ByteBuffer.allocate(TAIL_CHUNK);
        long to = size - 1; // the last byte itself is the last line's end
        search:
        while (to > 0) {
            int length = (int) Math.min(to, TAIL_CHUNK);
            long from = to - length;
            block.clear().limit(length);
            while (block.hasRemaining() && channel.read(block, from + block.position()) >= 0) {
                // fill
            }
            byte[] bytes = block.array();
            for (int i = length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    start = from + i + 1;
                    break search;
                }
            }
            if (size - from > ChunkReader.MAX_LINE_BYTES + 1L) {
                return new byte[0];
            }
            to = from;
        }
        if (size - start > ChunkReader.MAX_LINE_BYTES + 1L) {
            return new byte[0];
        }
        ByteBuffer line = ByteBuffer.allocate((int) (size - start));
        while (line.hasRemaining() && channel.read(line, start + line.position()) >= 0) {
            // fill
        }
        return line.array();
    }

    /** Syncs what was written to disk. */
    public synchronized void sync() {
        if (channel == null) {
            return;
        }
        FileChannel open = channel;
        try {
            Uninterruptible.call(() -> {
                open.force(false);
                return null;
            });
        } catch (IOException e) {
            throw new FailureException("cannot sync " + file + ": " + e.getMessage(), "check free disk space", e);
        }
    }

    /** Syncs and closes the file. */
    @Override
    public synchronized void close() {
        FileChannel open = channel;
        if (open == null) {
            return;
        }
        try (open) {
            if (open.isOpen()) {
                Uninterruptible.call(new Uninterruptible.Action<Void>() { // not a lambda: start-up path (ADR-003)
                    @Override
                    public Void run() throws IOException {
                        open.force(false);
                        return null;
                    }
                });
            }
        } catch (IOException e) {
            throw new FailureException("cannot close " + file + ": " + e.getMessage(), "check free disk space", e);
        }
    }

    /**
     * Every whole line of {@code file} that reads as an event, in file order. Lenient, for showing a conversation:
     * lines that do not parse are skipped and nothing is checked; {@link ChainVerifier} is the judge.
     *
     * @throws FailureException when the file cannot be read
     */
    public static List<Event> read(Path file) {
        List<Event> events = new ArrayList<>();
        forEach(file, events::add);
        return events;
    }

    /**
     * {@link #read}, one event at a time: for a log too long to hold (a batch record of many rows).
     *
     * @return how many lines were skipped unread for being longer than any event (128 MiB; see {@link ChunkReader})
     * @throws FailureException when the file cannot be read
     */
    public static long forEach(Path file, java.util.function.Consumer<Event> sink) {
        return forEach(file, null, sink);
    }

    /**
     * As {@link #forEach(Path, java.util.function.Consumer)}, with the {@code content} only of the events that
     * {@code withContent} takes, seen without it: a reader that needs a few events' content (a listing, the first
     * prompt) does not parse the text of every answer. A line whose content alone is not JSON is an event here.
     */
    public static long forEach(Path file, java.util.function.Predicate<Event> withContent,
                               java.util.function.Consumer<Event> sink) {
        long overlong = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ChunkReader chunks = new ChunkReader(in, 1 << 16);
            for (ChunkReader.Chunk chunk = chunks.next(); chunk != null; chunk = chunks.next()) {
                if (chunk.overlong()) {
                    overlong++;
                    continue;
                }
                for (int from = 0; from < chunk.length(); ) {
                    int end = chunk.lineEnd(from);
                    if (end == chunk.length()) {
                        break; // a torn last line
                    }
                    // the line read without its content first, when a filter may spare its content; read whole when
                    // there is no filter, when the filter wants its content, or when it does not read so (another
                    // order of members, a longer head: parseWithoutContent gives null)
                    Event event = withContent == null ? null
                            : EventLines.parseWithoutContent(chunk.bytes(), from, end - from);
                    if (event == null || withContent.test(event)) {
                        event = EventLines.parse(chunk.bytes(), from, end - from);
                    }
                    if (event != null) {
                        sink.accept(event);
                    }
                    from = end + 1;
                }
            }
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
        return overlong;
    }

    /** The id of the conversation stored in {@code file}. */
    static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    }

    static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir.getParent() == null ? dir : dir.getParent())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    static FileAttribute<?>[] privateFile(Path dir) {
        // Conversations hold prompts and answers: owner-only, like the vault.
        return posix(dir) ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
