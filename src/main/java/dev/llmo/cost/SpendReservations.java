package dev.llmo.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.FailureException;
import dev.llmo.io.Uninterruptible;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The worst-case costs held by the calls in flight of every llmo process of one home, so that the daily budget
 * holds across processes: two runs started together cannot both pass a budget that only one fits.
 *
 * <p>File: {@code reservations.jsonl} in the data directory ({@code LLMO_HOME}), owner-only, one hold per line:
 * {@code {"id":"<16 hex>","pid":1234,"pid_start":<epoch ms or null>,"micro_usd":9840,"at":<epoch ms>}}. Every read
 * and change happens under an OS lock on {@code reservations.lock} beside it (and a lock inside this JVM, as Java
 * refuses two locks of one process on one file), and the file is replaced atomically. A hold is ignored, and
 * dropped at the next change, when its process is gone (no process with that pid, or one started at another
 * time: the pid was reused) or when it is older than {@link #MAX_AGE}. A line that does not read as a hold, or is
 * longer than {@link #MAX_LINE_BYTES}, is ignored (and gone at the next change); a file larger than
 * {@link #MAX_FILE_BYTES} is damaged and refused with how to repair it, never read whole.
 *
 * <p>{@link #inProcess()} keeps the holds in memory, for one process alone.
 */
public final class SpendReservations {
    /** A hold older than this is ignored: no call of llmo runs that long; a hung process must not block the day. */
    public static final Duration MAX_AGE = Duration.ofHours(1);

    /** A hold's line is ~100 bytes: a longer line than this is damaged, skipped without being held in memory. */
    static final int MAX_LINE_BYTES = 4096;
    /** The holds of every call in flight take a few KiB: a file larger than this is damaged, and refused. */
    static final long MAX_FILE_BYTES = 16L << 20;

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * Made when a hold is first made or read: every {@code run} builds a guard with its reservations, and only a daily
     * budget holds anything (a mapper and a seeded random were ~150 classes on the main thread of each run).
     */
    private static final class Lazy {
        static final ObjectMapper JSON = new ObjectMapper();
        static final SecureRandom RANDOM = dev.llmo.secret.JdkCrypto.random();
    }

    /** This process, read once and only when a shared hold is made or checked. */
    private static final class Self {
        static final long PID = ProcessHandle.current().pid();
        static final Long START = startOf(ProcessHandle.current());
    }

    private final Path file;
    private final Path lockFile;
    private final Clock clock;
    private final ReentrantLock memoryLock = new ReentrantLock();
    private List<Entry> memory = new ArrayList<>();

    /**
     * A call's hold on its worst-case cost.
     *
     * @param id       unique among the holds
     * @param microUsd the amount held, in micro-USD
     */
    public record Hold(String id, long microUsd) {
    }

    private record Entry(String id, long pid, Long pidStart, long microUsd, long atMillis) {
        ObjectNode toJson() {
            ObjectNode json = Lazy.JSON.createObjectNode();
            json.put("id", id);
            json.put("pid", pid);
            if (pidStart == null) {
                json.putNull("pid_start");
            } else {
                json.put("pid_start", pidStart);
            }
            json.put("micro_usd", microUsd);
            json.put("at", atMillis);
            return json;
        }

        static Optional<Entry> of(JsonNode json) {
            if (!json.path("id").isTextual() || !json.path("pid").canConvertToLong()
                    || !json.path("micro_usd").canConvertToLong() || !json.path("at").canConvertToLong()) {
                return Optional.empty();
            }
            JsonNode start = json.path("pid_start");
            return Optional.of(new Entry(json.get("id").asText(), json.get("pid").asLong(),
                    start.canConvertToLong() ? start.asLong() : null, json.get("micro_usd").asLong(),
                    json.get("at").asLong()));
        }
    }

    private SpendReservations(Path file, Clock clock) {
        this.file = file;
        this.lockFile = file == null ? null : file.resolveSibling(stem(file.getFileName().toString()) + ".lock");
        this.clock = clock;
    }

    /** {@code name} without its {@code .jsonl}: no regular expression compiled in every run's start-up. */
    private static String stem(String name) {
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    }

    /** The holds of every process of the home whose data directory holds {@code file} ({@code reservations.jsonl}). */
    public static SpendReservations shared(Path file, Clock clock) {
        return new SpendReservations(file, clock);
    }

    /** Holds seen by this process only. */
    public static SpendReservations inProcess() {
        return new SpendReservations(null, Clock.systemUTC());
    }

    /** The lock file beside the reservations ({@code reservations.lock}). */
    Path lockFile() {
        return lockFile;
    }

    /**
     * Atomically, under the lock: hands {@code check} the sum of the live holds (micro-USD), and when it returns
     * (it refuses by throwing) adds a hold of {@code microUsd}.
     *
     * @throws FailureException when the files cannot be read or written
     */
    public Hold hold(long microUsd, LongConsumer check) {
        return locked(entries -> {
            check.accept(entries.stream().mapToLong(Entry::microUsd).sum());
            byte[] random = new byte[8];
            Lazy.RANDOM.nextBytes(random);
            Entry entry = new Entry(HexFormat.of().formatHex(random), Self.PID, Self.START, microUsd, clock.millis());
            entries.add(entry);
            return new Hold(entry.id(), microUsd);
        });
    }

    /** Removes {@code hold}; removing one already gone does nothing. */
    public void drop(Hold hold) {
        locked(entries -> entries.removeIf(entry -> entry.id().equals(hold.id())));
    }

    /** The sum of the live holds, in micro-USD. */
    public long heldMicroUsd() {
        return locked(entries -> entries.stream().mapToLong(Entry::microUsd).sum());
    }

    private interface Change<T> {
        T apply(List<Entry> entries);
    }

    private <T> T locked(Change<T> change) {
        if (file == null) {
            memoryLock.lock();
            try {
                List<Entry> entries = new ArrayList<>(memory);
                T result = change.apply(entries);
                memory = entries;
                return result;
            } finally {
                memoryLock.unlock();
            }
        }
        try {
            // a call's hold is released by the call's own thread, which Ctrl-C interrupts: an interrupt would close
            // the channel under the lock and leave the hold behind
            return Uninterruptible.call(() -> lockedOnDisk(change));
        } catch (IOException e) {
            throw new FailureException("cannot update the budget reservations in " + file + ": " + e.getMessage(),
                    "check that the directory is writable (or set LLMO_HOME)", e);
        }
    }

    private <T> T lockedOnDisk(Change<T> change) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        createPrivateDirectories(dir);
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                p -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), privateFile(dir));
             FileLock ignored = channel.lock()) {
            List<Entry> read = read();
            List<Entry> entries = new ArrayList<>();
            long now = clock.millis();
            for (Entry entry : read) {
                if (live(entry, now)) {
                    entries.add(entry);
                }
            }
            T result = change.apply(entries);
            if (!entries.equals(read)) {
                write(dir, entries);
            }
            return result;
        } finally {
            jvmLock.unlock();
        }
    }

    private List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            // holds of the calls in flight take a few KiB: a file this big is damaged (or not llmo's), and reading it
            // whole would stall or exhaust every budgeted run
            throw new FailureException("the budget reservations file " + file + " is " + size + " bytes, more than "
                    + (MAX_FILE_BYTES >> 20) + " MiB: it is damaged",
                    "delete it while no llmo runs (it holds only the worst-case costs of the calls in flight, no "
                            + "spending): rm '" + file + "'");
        }
        // line by line, each bounded: a damaged byte spoils its line only, never every budgeted run
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 14)) {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
            boolean overlong = false;
            int b;
            while ((b = in.read()) != -1) {
                if (b != '\n') {
                    if (!overlong && line.size() < MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        overlong = true; // not a hold (one is ~100 bytes): skipped unread, gone at the next change
                        line.reset();
                    }
                    continue;
                }
                if (!overlong) {
                    hold(line, entries);
                }
                line.reset();
                overlong = false;
            }
            if (!overlong) {
                hold(line, entries);
            }
        }
        return entries;
    }

    /** The hold on one line, added to {@code entries}; a line that is not one is ignored, and gone at the next change. */
    private static void hold(java.io.ByteArrayOutputStream line, List<Entry> entries) {
        // decoded leniently: a damaged byte spoils its line only
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return;
        }
        try {
            Entry.of(Lazy.JSON.readTree(text)).ifPresent(entries::add);
        } catch (IOException e) {
            // not a hold
        }
    }

    private void write(Path dir, List<Entry> entries) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Entry entry : entries) {
            text.append(Lazy.JSON.writeValueAsString(entry.toJson())).append('\n');
        }
        Path temp = Files.createTempFile(dir, ".reservations", ".tmp", privateFile(dir));
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A hold counts while its process runs (the same process: pids are reused) and for at most MAX_AGE. */
    private static boolean live(Entry entry, long nowMillis) {
        if (nowMillis - entry.atMillis() > MAX_AGE.toMillis()) {
            return false;
        }
        if (entry.pid() == Self.PID) {
            return entry.pidStart() == null || Self.START == null || entry.pidStart().equals(Self.START);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(entry.pid());
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Long started = startOf(process.get());
        return entry.pidStart() == null || started == null || started.equals(entry.pidStart());
    }

    private static Long startOf(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(null);
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir.getParent() == null ? dir : dir.getParent())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static FileAttribute<?>[] privateFile(Path dir) {
        return posix(dir) ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
