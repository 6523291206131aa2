package dev.llmo.eventlog;

import dev.llmo.failure.FailureException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.io.Uninterruptible;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The home-level ledger, {@code <data dir>/ledger.jsonl}: append-only and hash-chained, one entry per session end
 * naming the conversation and its head (seq and hash of its last event). A conversation file deleted, truncated,
 * swapped or re-chained no longer matches its last entry ({@link AnchorCheck}). With a key (derived from the vault
 * key, never stored) each entry also carries a MAC, so that someone without the vault password cannot write a
 * ledger that verifies with it.
 *
 * <p>Writers take the same locks as the event log (one per file in this JVM, then an exclusive OS lock) and re-read
 * the last line under them, so concurrent session ends in several processes and threads keep one chain.
 */
public final class Ledger {
    /** The ledger's file name in the data directory, beside {@code conversations/} (whose listing never sees it). */
    public static final String FILE_NAME = "ledger.jsonl";
    /** Entries written without the key while the ledger needs MACs, beside the ledger (see {@link #pendingFile}). */
    public static final String PENDING_FILE_NAME = "ledger-pending.jsonl";

    private final Path file;
    private final Path conversationsDir;
    private final KeySource keys;
    private final Clock clock;

    /** Where the MAC key of an entry comes from at the moment it is written. */
    @FunctionalInterface
    public interface KeySource {
        /** No key: entries are written without a MAC. */
        KeySource NONE = new KeySource() { // not a method reference: start-up path (ADR-003, "Eighteenth round")
            @Override
            public Optional<byte[]> key() {
                return Optional.empty();
            }
        };

        /** A fresh copy of the ledger key, or empty when none is at hand; the ledger zeroes it after use. */
        Optional<byte[]> key();

        /**
         * Whether a vault exists, so that a key could have been at hand: an entry written without it then waits in
         * the pending file until a process with the key moves it into the ledger with a MAC.
         */
        default boolean vaultExists() {
            return false;
        }
    }

    /**
     * @param file the ledger file
     * @param conversationsDir only conversations in this directory are recorded (a log opened by path elsewhere is
     *                         not part of this home's history)
     */
    public Ledger(Path file, Path conversationsDir, KeySource keys, Clock clock) {
        this.file = file;
        this.conversationsDir = conversationsDir.toAbsolutePath().normalize();
        this.keys = keys;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /**
     * Appends an entry: {@code head} is the newest event of {@code conversationFile}. Nothing is written for a file
     * outside the conversations directory or not named by a conversation id.
     *
     * @return the entry written, if any
     * @throws LogVerificationException when the ledger ends with a torn or foreign line (exit 6)
     * @throws FailureException when the ledger cannot be written
     */
    public Optional<LedgerEntry> record(Path conversationFile, Event head) {
        Path dir = conversationFile.toAbsolutePath().normalize().getParent();
        String id = EventLog.idOf(conversationFile);
        if (!conversationsDir.equals(dir) || !ConversationId.isValid(id)) {
            return Optional.empty();
        }
        try {
            // the key too: unlocking the vault reads its file, which an interrupt would close as well
            // not a lambda: start-up path (ADR-003, "Eighteenth round")
            return Uninterruptible.call(new Uninterruptible.Action<Optional<LedgerEntry>>() {
                @Override
                public Optional<LedgerEntry> run() throws IOException {
                    byte[] key = keys.key().orElse(null);
                    try {
                        return Optional.of(append(id, head, key));
                    } finally {
                        if (key != null) {
                            Arrays.fill(key, (byte) 0);
                        }
                    }
                }
            });
        } catch (IOException e) {
            throw cannotWrite(e);
        }
    }

    /**
     * Makes the ledger authenticated up to its end with {@code key}: the entries waiting in the pending file get
     * their MAC in the ledger, and a ledger whose last entry has none (written before the vault existed) gets one
     * entry re-recording that last head with a MAC, which vouches for every entry before it. Called by commands that
     * unlock the vault anyway, so that a home with a vault always has an authenticated ledger once it has entries.
     *
     * @return how many entries were appended
     * @throws FailureException when the ledger cannot be written
     */
    public int seal(byte[] key) {
        if (!java.nio.file.Files.exists(file) && !java.nio.file.Files.exists(pendingFile())) {
            return 0; // nothing to vouch for; not even an empty ledger is created
        }
        return write(null, key).size();
    }

    private LedgerEntry append(String id, Event head, byte[] key) {
        List<LedgerEntry> written = write(new Claim(EventJson.timestamp(clock.instant()), id, head.seq(), head.hash()),
                key);
        return written.get(written.size() - 1);
    }

    /** What an entry says, before it has a place in a chain. */
    private record Claim(String ts, String conversation, long headSeq, String headHash) {
        static Claim of(LedgerEntry entry) {
            return new Claim(entry.ts(), entry.conversation(), entry.headSeq(), entry.headHash());
        }
    }

    /**
     * Under the ledger's lock (and, inside it, the pending file's): with a key, the pending entries, then {@code own}
     * (or, when there is none and the ledger's last entry has no MAC, that entry's claim again) go to the ledger
     * with MACs; without one, {@code own} goes to the ledger when it can stay MAC-less there, else to the pending
     * file. Once an entry of the ledger has a MAC every later one has, so a MAC-less entry after a MACed one is a
     * forgery ({@link LedgerVerifier}).
     */
    private List<LedgerEntry> write(Claim own, byte[] key) {
        try {
            // Ctrl-C interrupts the thread that ends the session; an interrupted channel would close mid-write
            // not a lambda: start-up path (ADR-003, "Eighteenth round")
            return Uninterruptible.call(new Uninterruptible.Action<List<LedgerEntry>>() {
                @Override
                public List<LedgerEntry> run() throws IOException {
                    return writeLocked(own, key);
                }
            });
        } catch (IOException e) {
            throw cannotWrite(e);
        }
    }

    private FailureException cannotWrite(IOException e) {
        String fix = e instanceof Appends.Failure failure && failure.whole()
                ? "free disk space (or raise the file size limit) and run again"
                : "check free disk space and the file's permissions";
        return new FailureException("cannot write the ledger " + file + ": " + e.getMessage(), fix, e);
    }

    private List<LedgerEntry> writeLocked(Claim own, byte[] key) throws IOException {
        EventLog.createPrivateDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), EventLog.privateFile(file.getParent()))) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                long size = channel.size();
                LedgerEntry last = size > 0 ? lastEntry(file, EventLog.lastLine(channel, size)) : null;
                if (key == null) {
                    if (keys.vaultExists() || last != null && last.authenticated()) {
                        return List.of(appendPending(own));
                    }
                    return appendAll(channel, size, last, List.of(own), null);
                }
                List<Claim> claims = new ArrayList<>();
                boolean folded = takePending(claims);
                if (own != null) {
                    claims.add(own);
                } else if (claims.isEmpty() && last != null && !last.authenticated()) {
                    claims.add(Claim.of(last));
                }
                List<LedgerEntry> written = appendAll(channel, size, last, claims, key);
                if (folded) {
                    // after the ledger is on disk: a crash in between folds them twice, which only repeats claims
                    clearPending();
                }
                return written;
            } finally {
                jvmLock.unlock();
            }
        }
    }

    private List<LedgerEntry> appendAll(FileChannel channel, long size, LedgerEntry last, List<Claim> claims,
                                        byte[] key) throws IOException {
        long seq = last == null ? 0 : last.seq() + 1;
        String prev = last == null ? Sha256.ZERO : last.hash();
        List<LedgerEntry> written = new ArrayList<>();
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        for (Claim claim : claims) {
            LedgerEntry entry = LedgerEntry.create(seq++, claim.ts(), claim.conversation(), claim.headSeq(),
                    claim.headHash(), prev, key);
            lines.writeBytes(entry.line());
            prev = entry.hash();
            written.add(entry);
        }
        if (!written.isEmpty()) {
            Appends.write(channel, size, ByteBuffer.wrap(lines.toByteArray()), true);
        }
        return written;
    }

    /** The pending file: entries written without the key where the ledger needs MACs; its own chain from seq 0. */
    public Path pendingFile() {
        return pendingFile(file);
    }

    /** The pending file beside {@code ledgerFile}. */
    public static Path pendingFile(Path ledgerFile) {
        return ledgerFile.resolveSibling(PENDING_FILE_NAME);
    }

    private LedgerEntry appendPending(Claim own) throws IOException {
        Path pending = pendingFile();
        try (FileChannel channel = FileChannel.open(pending, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), EventLog.privateFile(pending.getParent()))) {
            ReentrantLock jvmLock = FileLocks.of(pending);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                long size = channel.size();
                LedgerEntry last = size > 0 ? lastEntry(pending, EventLog.lastLine(channel, size)) : null;
                return appendAll(channel, size, last, List.of(own), null).get(0);
            } finally {
                jvmLock.unlock();
            }
        }
    }

    /**
     * Adds the pending entries' claims to {@code claims} when the pending file is a whole chain; a damaged one is
     * left for {@code log verify --all} to report.
     *
     * @return whether there were entries to take
     */
    private boolean takePending(List<Claim> claims) throws IOException {
        Path pending = pendingFile();
        if (!java.nio.file.Files.exists(pending)) {
            return false;
        }
        LedgerReport report;
        try (FileChannel channel = FileChannel.open(pending, StandardOpenOption.READ)) {
            report = LedgerVerifier.check(pending, channel, null); // streamed: bounded memory whatever its size
        }
        if (!report.ok() || report.entries().isEmpty()) {
            return false;
        }
        report.entries().forEach(e -> claims.add(Claim.of(e)));
        return true;
    }

    private void clearPending() throws IOException {
        Path pending = pendingFile();
        try (FileChannel channel = FileChannel.open(pending, StandardOpenOption.WRITE)) {
            ReentrantLock jvmLock = FileLocks.of(pending);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                channel.truncate(0);
                channel.force(true);
            } finally {
                jvmLock.unlock();
            }
        }
    }

    /**
     * Re-MACs the ledger after the vault key changed ({@code llmo vault passwd}): every entry whose MAC verifies
     * under {@code oldKey} gets the MAC under {@code newKey}. The MAC is outside the hashed content and always the
     * same length, so each is overwritten in place, under the writers' lock: no hash, no kept anchor and no other
     * byte changes. A MAC that did not verify under the old key is left as it is (it stays a forgery).
     *
     * @return how many MACs were replaced
     * @throws FailureException when the ledger cannot be read or written
     */
    public int remac(byte[] oldKey, byte[] newKey) {
        if (!java.nio.file.Files.exists(file)) {
            return 0;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                byte[] bytes = new byte[(int) channel.size()];
                ByteBuffer read = ByteBuffer.wrap(bytes);
                while (read.hasRemaining() && channel.read(read, read.position()) >= 0) {
                    // fill
                }
                int replaced = 0;
                for (int from = 0; from < bytes.length; ) {
                    int end = from;
                    while (end < bytes.length && bytes[end] != '\n') {
                        end++;
                    }
                    if (end < bytes.length && remacLine(channel, bytes, from, end, oldKey, newKey)) {
                        replaced++;
                    }
                    from = end + 1;
                }
                channel.force(false);
                return replaced;
            } finally {
                jvmLock.unlock();
            }
        } catch (IOException e) {
            throw new FailureException("cannot re-MAC the ledger " + file + ": " + e.getMessage(),
                    "check the file's permissions; until then 'llmo log verify --all' reports its MACs as forged", e);
        }
    }

    private static boolean remacLine(FileChannel channel, byte[] bytes, int from, int end, byte[] oldKey,
                                     byte[] newKey) throws IOException {
        LedgerEntry entry;
        try {
            entry = LedgerEntry.parse(bytes, from, end - from);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (entry.mac() == null || !LedgerMac.verifies(oldKey, entry.hash(), entry.mac())) {
            return false;
        }
        byte[] old = entry.mac().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(bytes, from, end, old);
        if (at < 0) {
            return false; // written with escapes: left alone, it then reads as forged
        }
        channel.write(ByteBuffer.wrap(LedgerMac.of(newKey, entry.hash())
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)), at);
        return true;
    }

    private static int indexOf(byte[] bytes, int from, int end, byte[] needle) {
        outer:
        for (int i = from; i <= end - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static LedgerEntry lastEntry(Path file, byte[] tail) {
        if (tail.length > 0 && tail[tail.length - 1] == '\n') {
            try {
                return LedgerEntry.parse(tail, 0, tail.length - 1);
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw new LogVerificationException("the ledger " + file + " ends with a torn or foreign line; not appending "
                + "to it", "run 'llmo log verify --all --repair'");
    }
}
