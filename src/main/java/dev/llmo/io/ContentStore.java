package dev.llmo.io;

import dev.llmo.failure.FailureException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.message.ContentSource;
import dev.llmo.message.Part;
import dev.llmo.secret.JdkCrypto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The content store: attachments' and fragments' bytes, stored once by SHA-256 at {@code blobs/sha256/<hex>} beside
 * the conversations directory, so that events carry a reference and a conversation that sends a 5 MB PDF on every
 * turn grows its log by a reference, not 5 MB (design.md "Event log, version 2").
 *
 * <p>A blob is written atomically (a temporary file in the same directory, fsync, rename), never rewritten once there
 * (the same bytes have the same name), and checked against its name whenever it is read: a changed or missing blob
 * is an error, never different bytes sent in its place. Files are owner-only, like the conversations.
 */
public final class ContentStore implements ContentSource {
    /** The most bytes one blob may have when read back: well above any attachment llmo accepts. */
    public static final long MAX_BLOB_BYTES = 512L << 20;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    /** @param dir the store's directory, whose {@code sha256/} holds the blobs */
    public ContentStore(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The store of the data directory whose conversations are in {@code conversationsDir}: {@code ../blobs}. */
    public static ContentStore beside(Path conversationsDir) {
        Path absolute = conversationsDir.toAbsolutePath().normalize();
        return new ContentStore(absolute.resolveSibling("blobs"));
    }

    /** Where the blob of {@code sha256} is (or would be). */
    public Path path(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("a blob is named by 64 lower-case hex digits of SHA-256");
        }
        return dir.resolve("sha256").resolve(sha256);
    }

    /**
     * Stores {@code bytes} (unless a blob with their hash is already there) and returns the attachment that refers to
     * them: the one call for anything that sends content by reference (attachments, fragments).
     *
     * @param mediaType what the bytes are, e.g. {@code image/png} or {@code text/plain}
     * @param name      the file name or URL they came from, or null
     */
    public Part.Attachment store(byte[] bytes, String mediaType, String name) {
        return new Part.Attachment(mediaType, put(bytes), name);
    }

    /**
     * Stores {@code bytes} and returns their SHA-256 (hex). An existing blob is left as it is, not written again.
     *
     * @throws FailureException (exit 1) when the store cannot be written
     */
    public String put(byte[] bytes) {
        String sha256 = sha256(bytes);
        Path file = path(sha256);
        try {
            Uninterruptible.call(() -> {
                if (Files.isRegularFile(file) && Files.size(file) == bytes.length) {
                    return null; // the same name is the same bytes: a damaged blob is for `log verify` to find
                }
                write(file, bytes);
                return null;
            });
        } catch (IOException e) {
            throw new FailureException("cannot write to the content store " + dir + ": " + e.getMessage(),
                    "check that " + dir + " is writable and the disk is not full", e);
        }
        return sha256;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path parent = file.getParent();
        createPrivateDirectories(parent);
        Path temp = parent.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), privateFile(parent))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directory = FileChannel.open(parent, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename itself is atomic
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a temporary file is in the way: " + temp, e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The bytes of {@code sha256}, checked against it.
     *
     * @throws LogVerificationException (exit 6) when the blob is missing or its bytes no longer match its name
     */
    @Override
    public byte[] bytes(String sha256) {
        Path file = path(sha256);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BLOB_BYTES) {
                throw changed(sha256, file);
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_BLOB_BYTES);
            }
        } catch (NoSuchFileException e) {
            throw new LogVerificationException("attachment sha256:" + sha256 + " is missing from the content store ("
                    + file + ")", "restore the file from a backup, or attach the content again in a new conversation");
        } catch (IOException e) {
            throw new FailureException("cannot read attachment sha256:" + sha256 + " (" + file + "): "
                    + e.getMessage(), "check that " + file + " is readable", e);
        }
        if (!sha256(bytes).equals(sha256)) {
            throw changed(sha256, file);
        }
        return bytes;
    }

    /** What {@link #check} finds. */
    public enum State { INTACT, MISSING, CHANGED }

    /** Whether the blob of {@code sha256} is there and still has that hash (for {@code log verify}). */
    public State check(String sha256) {
        try {
            bytes(sha256);
            return State.INTACT;
        } catch (LogVerificationException e) {
            return Files.exists(path(sha256)) ? State.CHANGED : State.MISSING;
        }
    }

    /** The size of the blob of {@code sha256} in bytes, or -1 when it is not there. */
    public long size(String sha256) {
        try {
            return Files.size(path(sha256));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(JdkCrypto.sha256().digest(bytes));
    }

    private static LogVerificationException changed(String sha256, Path file) {
        return new LogVerificationException("attachment sha256:" + sha256 + " was changed in the content store ("
                + file + "): its bytes no longer have that hash", "restore the file from a backup");
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
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
