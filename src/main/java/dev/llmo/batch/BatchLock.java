package dev.llmo.batch;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who runs a batch now: an exclusive lock on {@code batches/<id>.lock}, held by the one process that sends the batch's
 * calls and writes its rows ({@code batch run}, {@code resume}, {@code wait}) for as long as it does. Without it, two
 * resumes of one batch would each send every missing call, and pay for it twice. The operating system drops the lock
 * when its process dies, so a {@code kill -9} never leaves a batch locked; the empty file stays (removing it could let a
 * third process lock a new file while a second still holds the old one).
 */
public final class BatchLock implements AutoCloseable {
    private final Path record;
    private final FileChannel channel;
    private final FileLock lock;

    private BatchLock(Path record, FileChannel channel, FileLock lock) {
        this.record = record;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the batch of {@code record}, or refuses at once: never waits, since the holder may run for hours.
     *
     * @throws FailureException (exit 1) when another process (or another command of this one) holds it
     */
    public static BatchLock take(Path record) {
        Path file = of(record);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    ownerOnly(file));
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException held) {
                lock = null; // held by this JVM (two commands in one process, as the tests run them)
            }
            if (lock == null) {
                channel.close();
                String id = BatchRecord.EventLogId.of(record);
                throw new FailureException("batch " + id + " is being run by another llmo (batch run, resume or "
                        + "wait); nothing was sent", "let that one finish, or stop it (Ctrl-C), then 'llmo batch "
                        + "resume " + id + "'");
            }
            return new BatchLock(record, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new FailureException("cannot lock batch " + BatchRecord.EventLogId.of(record) + " (" + file + "): "
                    + e.getMessage(), "check that the batches directory is writable", e);
        }
    }

    /** The lock file of a record. */
    static Path of(Path record) {
        return record.resolveSibling(BatchRecord.EventLogId.of(record) + ".lock");
    }

    /** The record this lock is of. */
    public Path record() {
        return record;
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel below drops the lock anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was written to it
            }
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
