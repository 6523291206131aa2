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
    /**
     * The longest line a ledger may have: 64 KiB. llmo writes entries of a few hundred bytes, so a longer line is not
     * an entry (nor a torn one) but something else, reported as malformed without reading it whole: the ledger is
     * read a chunk at a time, in memory bounded by this whatever its size.
     */
    static final int MAX_LINE_BYTES = 64 << 10;
    private static final int CHUNK = 64 << 10;

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
                return check(file, channel, key);
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
                LedgerReport now = check(file, channel, null);
                if (now.repairable()) {
                    channel.truncate(now.validBytes());
                    channel.force(true);
                }
                return check(file, channel, null);
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

    /** Checks the ledger {@code channel} holds, read from its start. */
    static LedgerReport check(Path file, FileChannel channel, byte[] key) throws IOException {
        return check(file, new Lines(channel), key);
    }

    private static LedgerReport check(Path file, Lines lines, byte[] key) throws IOException {
        List<LedgerEntry> entries = new ArrayList<>();
        LedgerReport.Problem problem = null;
        String prev = Sha256.ZERO;
        long validBytes = 0;
        long line = 0;
        long firstMac = 0; // the 1-based line of the first entry with a MAC, 0 before it
        while (problem == null && lines.next()) {
            line++;
            if (lines.overlong()) {
                problem = new LedgerReport.Problem(line, "malformed", "it is longer than "
                        + (MAX_LINE_BYTES >> 10) + " KiB, which no ledger entry is");
                break;
            }
            if (!lines.ended()) {
                problem = new LedgerReport.Problem(line, "torn", "the last line has no newline (a write was "
                        + "interrupted)");
                break;
            }
            problem = link(line, lines.bytes(), 0, lines.length(), entries.size(), prev);
            if (problem == null) {
                LedgerEntry entry = LedgerEntry.parse(lines.bytes(), 0, lines.length());
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
                validBytes = lines.end();
            }
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

    private static LedgerReport.Problem link(long line, byte[] bytes, int from, int length, long expectedSeq,
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

    /**
     * The lines of a ledger, one at a time, read in chunks from the channel's start: a line longer than
     * {@link #MAX_LINE_BYTES} is marked overlong where it passes the bound, and neither held nor read further.
     */
    private static final class Lines {
        private final FileChannel channel;
        private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        private byte[] line = new byte[1024];
        private int length;
        private boolean ended;
        private boolean overlong;
        private long end; // the offset after this line's newline
        private boolean eof;

        Lines(FileChannel channel) throws IOException {
            this.channel = channel;
            channel.position(0);
            chunk.flip();
        }

        /** Reads the next line; false at the end of the file. */
        boolean next() throws IOException {
            length = 0;
            ended = false;
            overlong = false;
            boolean any = false;
            while (!ended) {
                if (!chunk.hasRemaining() && !fill()) {
                    break;
                }
                any = true;
                byte b = chunk.get();
                end++;
                if (b == '\n') {
                    ended = true;
                } else if (length < MAX_LINE_BYTES) {
                    if (length == line.length) {
                        line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
                    }
                    line[length++] = b;
                } else {
                    overlong = true; // not read on: the check stops at this line
                    return true;
                }
            }
            return any;
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            chunk.clear();
            int read;
            do {
                read = channel.read(chunk);
            } while (read == 0);
            chunk.flip();
            eof = read < 0;
            return read > 0;
        }

        byte[] bytes() {
            return line;
        }

        int length() {
            return length;
        }

        boolean ended() {
            return ended;
        }

        boolean overlong() {
            return overlong;
        }

        long end() {
            return end;
        }
    }
}
