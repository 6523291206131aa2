package dev.llmo.eventlog;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checks the ledger: every line a version 1 entry, {@code seq} from 0 without gaps, each {@code prev} the hash of
 * the line before, each {@code hash} matching its content, and after the first entry with a MAC every entry with one
 * ({@code unauthenticated} otherwise); with the ledger key, each entry's MAC on its own: one that verifies
 * authenticates its entry (and, through the chain, every entry before it), one that does not is a forgery (exit 6).
 * A changed vault password re-MACs the ledger ({@link Ledger#remac}), so old MACs do not read as forged.
 */
public final class LedgerVerifier {
    private LedgerVerifier() {
    }

    /**
     * Checks {@code file}; {@code key} is the ledger key, or null to check the chain only.
     *
     * @throws FailureException when the file exists but cannot be read
     */
    public static LedgerReport verify(Path file, byte[] key) {
        if (!Files.exists(file)) {
            return new LedgerReport(file, false, List.of(), null, 0, key != null, 0);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = sharedLock(channel)) {
                return check(file, readAll(channel), key);
            } finally {
                jvmLock.unlock();
            }
        } catch (NoSuchFileException e) {
            return new LedgerReport(file, false, List.of(), null, 0, key != null, 0);
        } catch (IOException e) {
            throw new FailureException("cannot read the ledger " + file + ": " + e.getMessage(),
                    "check the file's permissions", e);
        }
    }

    /**
     * Cuts off a torn last line (a crash while an entry was written), keeping every whole entry; anything else is
     * left as found.
     *
     * @return the report on the ledger as left; {@code before} said what was wrong
     */
    public static LedgerReport repair(Path file, LedgerReport before) {
        if (!before.repairable()) {
            return before;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ReentrantLock jvmLock = FileLocks.of(file);
            jvmLock.lock();
            try (FileLock ignored = channel.lock()) {
                LedgerReport now = check(file, readAll(channel), null);
                if (now.repairable()) {
                    channel.truncate(now.validBytes());
                    channel.force(true);
                }
                return check(file, readAll(channel), null);
            } finally {
                jvmLock.unlock();
            }
        } catch (IOException e) {
            throw new FailureException("cannot repair the ledger " + file + ": " + e.getMessage(),
                    "check the file's permissions", e);
        }
    }

    private static FileLock sharedLock(FileChannel channel) {
        try {
            return channel.lock(0, Long.MAX_VALUE, true);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // a file system without locks: check anyway
        }
    }

    private static byte[] readAll(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("the ledger is larger than 2 GB");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // fill
        }
        return buffer.array();
    }

    static LedgerReport check(Path file, byte[] bytes, byte[] key) {
        List<LedgerEntry> entries = new ArrayList<>();
        LedgerReport.Problem problem = null;
        String prev = Sha256.ZERO;
        long validBytes = 0;
        int line = 0;
        int firstMac = 0; // the 1-based line of the first entry with a MAC, 0 before it
        for (int from = 0; from < bytes.length && problem == null; ) {
            line++;
            int end = from;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == bytes.length) {
                problem = new LedgerReport.Problem(line, "torn", "the last line has no newline (a write was "
                        + "interrupted)");
                break;
            }
            problem = link(line, bytes, from, end - from, entries.size(), prev);
            if (problem == null) {
                LedgerEntry entry = LedgerEntry.parse(bytes, from, end - from);
                if (entry.mac() == null && firstMac > 0) {
                    // llmo never writes this (a writer without the key uses the pending file once the ledger has
                    // a MAC): it is how someone without the vault password replaces MACed entries
                    problem = new LedgerReport.Problem(line, "unauthenticated", "it has no MAC, but entry "
                            + (firstMac - 1) + " before it has one (written without the vault password)");
                    break;
                }
                if (entry.mac() != null && firstMac == 0) {
                    firstMac = line;
                }
                entries.add(entry);
                prev = entry.hash();
                validBytes = end + 1;
            }
            from = end + 1;
        }
        int authenticated = 0;
        if (key != null) {
            for (int i = 0; i < entries.size(); i++) {
                LedgerEntry entry = entries.get(i);
                if (entry.mac() == null) {
                    continue;
                }
                if (!LedgerMac.verifies(key, entry.hash(), entry.mac())) {
                    problem = new LedgerReport.Problem(i + 1, "forged", "its MAC does not verify under the key of"
                            + " the vault (written without the vault password)");
                    entries = entries.subList(0, i);
                    break;
                }
                authenticated = i + 1; // its hash covers every entry before it
            }
        }
        return new LedgerReport(file, true, List.copyOf(entries), problem, validBytes, key != null, authenticated);
    }

    private static LedgerReport.Problem link(int line, byte[] bytes, int from, int length, long expectedSeq,
                                             String prev) {
        LedgerEntry entry;
        try {
            entry = LedgerEntry.parse(bytes, from, length);
        } catch (IllegalArgumentException e) {
            return new LedgerReport.Problem(line, "malformed", e.getMessage());
        }
        if (!LedgerEntry.hashOf(entry.node()).equals(entry.hash())) {
            return new LedgerReport.Problem(line, "edited", "its content does not match its hash");
        }
        if (entry.seq() > expectedSeq) {
            return new LedgerReport.Problem(line, "removed", "seq jumps to " + entry.seq() + " where " + expectedSeq
                    + " belongs");
        }
        if (entry.seq() < expectedSeq) {
            return new LedgerReport.Problem(line, "inserted", "it has seq " + entry.seq() + " where " + expectedSeq
                    + " belongs");
        }
        if (!entry.prev().equals(prev)) {
            return new LedgerReport.Problem(line, "edited", line == 1 ? "the first entry's prev is not "
                    + Sha256.ZERO : "its prev is not the hash of the line before (an entry was changed, "
                    + "removed or re-chained)");
        }
        return null;
    }
}
