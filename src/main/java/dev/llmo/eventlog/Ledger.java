package dev.llmo.eventlog;

import dev.llmo.core.FailureException;
import dev.llmo.core.LogVerificationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
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

    private final Path file;
    private final Path conversationsDir;
    private final KeySource keys;
    private final Clock clock;

    /** Where the MAC key of an entry comes from at the moment it is written. */
    @FunctionalInterface
    public interface KeySource {
        /** No key: entries are written without a MAC. */
        KeySource NONE = Optional::empty;

        /** A fresh copy of the ledger key, or empty when none is at hand; the ledger zeroes it after use. */
        Optional<byte[]> key();
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
        // Ctrl-C interrupts the thread that ends the session; an interrupted channel would close mid-write.
        boolean interrupted = Thread.interrupted();
        byte[] key = keys.key().orElse(null);
        try {
            return Optional.of(append(id, head, key));
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private LedgerEntry append(String id, Event head, byte[] key) {
        try {
            EventLog.createPrivateDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE), EventLog.privateFile(file.getParent()))) {
                ReentrantLock jvmLock = FileLocks.of(file);
                jvmLock.lock();
                try (FileLock ignored = channel.lock()) {
                    long size = channel.size();
                    long seq = 0;
                    String prev = Sha256.ZERO;
                    if (size > 0) {
                        LedgerEntry last = lastEntry(EventLog.lastLine(channel, size));
                        seq = last.seq() + 1;
                        prev = last.hash();
                    }
                    LedgerEntry entry = LedgerEntry.create(seq, EventJson.timestamp(clock.instant()), id, head.seq(),
                            head.hash(), prev, key);
                    ByteBuffer buffer = ByteBuffer.wrap(entry.line());
                    long at = size;
                    while (buffer.hasRemaining()) {
                        at += channel.write(buffer, at);
                    }
                    channel.force(false);
                    return entry;
                } finally {
                    jvmLock.unlock();
                }
            }
        } catch (IOException e) {
            throw new FailureException("cannot write the ledger " + file + ": " + e.getMessage(),
                    "check free disk space and the file's permissions", e);
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

    private LedgerEntry lastEntry(byte[] tail) {
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
