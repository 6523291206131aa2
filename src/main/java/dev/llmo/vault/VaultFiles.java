package dev.llmo.vault;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The file-system side of the vault: reading, atomic replacement (temporary file in the same directory, fsync,
 * rename, fsync of the directory) with mode 0600, and the writer lock on the sidecar {@code vault.enc.lock}.
 *
 * <p>Why this is crash-safe: the old file is never opened for writing. Until the rename the directory still names
 * the old, complete file; after it, the new, complete and fsynced one. A process killed at any moment leaves at
 * worst a stray temporary file, which the next writer removes.
 */
final class VaultFiles {
    /** A vault holds a few keys; anything this large is not one, and reading it whole would be unwise. */
    static final long MAX_BYTES = 16L << 20;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final String TEMP_SUFFIX = ".tmp";

    /**
     * File locks belong to the whole JVM: a second FileChannel lock from another thread throws instead of waiting.
     * This in-process lock per vault path makes threads queue first, then the file lock orders processes.
     */
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private VaultFiles() {
    }

    /** The file's bytes, or empty when it does not exist. */
    static Optional<byte[]> read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw VaultErrors.damaged(file, "the file has " + size + " bytes, far more than a vault holds");
            }
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw VaultErrors.io("read the vault", file, e);
        }
    }

    /**
     * Replaces {@code file} with {@code content} atomically. Call with the writer lock held. A {@code file} that is a
     * symbolic link (a dotfile manager's) stays one: its target is what is replaced.
     */
    static void writeAtomically(Path link, byte[] content, SecureRandom random) {
        Path file = target(link);
        Path dir = file.toAbsolutePath().getParent();
        createDirectory(dir);
        removeStaleTemporaries(file);
        byte[] suffix = new byte[8];
        random.nextBytes(suffix);
        Path temp = dir.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(suffix) + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly(dir, OWNER_ONLY))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            restrict(temp, OWNER_ONLY);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException e) {
            throw VaultErrors.io("write the vault", file, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Removed by the next writer.
            }
        }
    }

    /**
     * What {@code file} names once its symbolic links are followed (the target may not exist yet); itself when it is
     * none. A rename onto the link would replace the link with a regular file and leave its target as it was.
     */
    static Path target(Path file) {
        Path at = file.toAbsolutePath();
        try {
            for (int hops = 0; Files.isSymbolicLink(at); hops++) {
                if (hops == 40) { // as the kernel's limit (ELOOP): a cycle of links
                    throw new IOException("too many levels of symbolic links");
                }
                at = at.getParent().resolve(Files.readSymbolicLink(at)).normalize();
            }
            return at;
        } catch (IOException e) {
            throw VaultErrors.io("follow the symbolic link", file, e);
        }
    }

    /**
     * Takes the writer lock: first this JVM's lock for the path, then an exclusive lock on {@code vault.enc.lock}.
     * The operating system drops the file lock when a process dies, so a crash never leaves the vault locked.
     */
    static WriterLock lock(Path file, Duration timeout) {
        Path key = file.toAbsolutePath().normalize();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        if (local.isHeldByCurrentThread()) {
            throw new IllegalStateException("vault writer lock taken twice by one thread");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy(file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(file);
        }
        Path lockFile = lockFile(file);
        FileChannel channel = null;
        try {
            createDirectory(lockFile.getParent());
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    ownerOnly(lockFile.getParent(), OWNER_ONLY));
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new WriterLock(local, channel, lock);
                }
                if (System.nanoTime() > deadline) {
                    throw busy(file);
                }
                Thread.sleep(25);
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            closeQuietly(channel);
            local.unlock();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw busy(file);
            }
            if (e instanceof IOException io) {
                throw VaultErrors.io("lock", lockFile, io);
            }
            throw (RuntimeException) e;
        }
    }

    static Path lockFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /** The POSIX permissions as {@code rw-------}, or empty on file systems without them. */
    static Optional<String> permissions(Path file) {
        try {
            return Optional.of(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
    }

    private static FailureException busy(Path file) {
        return new FailureException("the vault " + file + " is busy: another llmo process is changing it",
                "try again when the other llmo command has finished");
    }

    private static void createDirectory(Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, ownerOnly(dir.getRoot(), OWNER_DIR));
        } catch (FileAlreadyExistsException e) {
            // A concurrent creator won the race; the directory is there.
        } catch (IOException e) {
            throw VaultErrors.io("create the directory", dir, e);
        }
    }

    /**
     * Temporary files are only ever written with the lock held, so any found by a lock holder were left by a
     * killed process and can go.
     */
    private static void removeStaleTemporaries(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        String glob = "." + file.getFileName() + ".*" + TEMP_SUFFIX;
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, glob)) {
            for (Path path : stale) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // Left for a later writer; a stray temporary file never affects reading the vault.
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path anyPathOnTheFileSystem, Set<PosixFilePermission> permissions) {
        boolean posix = anyPathOnTheFileSystem != null
                && anyPathOnTheFileSystem.getFileSystem().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    // The creation mode is masked by the umask; setting it afterwards makes it exactly 0600.
    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to set.
        }
    }

    // The rename is only durable once the directory entry is on disk. Not every platform can open a directory.
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open directories; its rename is already durable enough (MoveFileEx).
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing releases the lock either way.
            }
        }
    }

    /** A held writer lock; closing releases the file lock, then the in-process lock. */
    static final class WriterLock implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;
        private final FileLock lock;

        private WriterLock(ReentrantLock local, FileChannel channel, FileLock lock) {
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // Closing the channel below releases it too.
            } finally {
                closeQuietly(channel);
                local.unlock();
            }
        }
    }
}
