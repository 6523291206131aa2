package dev.llmo.eventlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Appending whole lines to a log or the ledger. A write that fails part-way (the disk full, the file at its size
 * limit) has usually put part of the line on disk already, and a torn last line blocks every later append until
 * {@code log verify --repair}; so the file is cut back to the length it had before the append, under the lock the
 * caller holds, and the log stays whole and continuable.
 */
final class Appends {
    private Appends() {
    }

    /** An append that failed: {@link #whole()} when the file was cut back to its length before it. */
    static final class Failure extends IOException {
        private final boolean whole;

        Failure(String message, boolean whole, IOException cause) {
            super(message, cause);
            this.whole = whole;
        }

        /** Whether the file is as it was before the append (nothing half-written). */
        boolean whole() {
            return whole;
        }
    }

    /**
     * Writes {@code lines} at {@code size}, the end of the file, syncing them when {@code sync}; when that fails the
     * file is cut back to {@code size}.
     *
     * @throws Failure when the write or sync failed; it says what failed and whether the file could be cut back
     */
    static void write(FileChannel channel, long size, ByteBuffer lines, boolean sync) throws Failure {
        try {
            long at = size;
            while (lines.hasRemaining()) { // one write for a regular file, unless it fails part-way
                at += channel.write(lines, at);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw cutBack(channel, size, e);
        }
    }

    /** Cuts the file back to {@code size} after {@code failure}, as far as that can be done. */
    static Failure cutBack(FileChannel channel, long size, IOException failure) {
        String what = describe(failure);
        try {
            if (channel.size() > size) {
                channel.truncate(size);
            }
            return new Failure(what + "; nothing was half-written (the file is as it was)", true, failure);
        } catch (IOException e) {
            failure.addSuppressed(e);
            return new Failure(what + ", and cutting the partial line back failed too (" + e.getMessage()
                    + "): its last line may be torn", false, failure);
        }
    }

    /** The failure in words: the two a user can fix are named. */
    private static String describe(IOException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("No space left on device")) {
            return "the disk is full (" + message + ")";
        }
        if (message.contains("File too large")) {
            return "the file reached the size limit (" + message + "; see 'ulimit -f')";
        }
        if (message.contains("Disk quota exceeded")) {
            return "the disk quota is used up (" + message + ")";
        }
        return message;
    }
}
