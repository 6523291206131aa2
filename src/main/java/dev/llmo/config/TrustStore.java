package dev.llmo.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.FailureException;
import dev.llmo.secret.JdkCrypto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The projects the user trusts, in {@code trusted.json} of the data directory:
 * <pre>{"format":"llmo-trust","version":1,"projects":[{"dir":"/real/path","digest":"sha256:…","trusted_at":"…"}]}</pre>
 * {@code dir} is the real path of the directory holding {@code .llmo/}; {@code digest} is {@link #digest} of its
 * configuration files when they were trusted. Writes are atomic (temporary file in the same directory, fsync,
 * rename, fsync of the directory) under a lock on {@code trusted.json.lock}, and the file is mode 0600. A file
 * that others may write is not honoured: whoever can write it could make any project trusted.
 */
public final class TrustStore {
    public static final String FILE_NAME = "trusted.json";
    private static final String FORMAT = "llmo-trust";
    private static final int VERSION = 1;
    private static final long MAX_BYTES = 4L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    /** One trusted project. */
    public record Entry(Path dir, String digest, Instant trustedAt) {
    }

    public TrustStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * SHA-256 over each configuration file that exists, config.yaml then models.yaml: the file name in UTF-8, a
     * line feed, its length in bytes in decimal, a line feed, then its bytes. Written {@code sha256:<64 hex>}.
     *
     * @param files file name to bytes, in that order
     */
    public static String digest(Map<String, byte[]> files) {
        MessageDigest sha256 = JdkCrypto.sha256();
        files.forEach((name, bytes) -> {
            sha256.update((name + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
            sha256.update(bytes);
        });
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }

    /** The recorded projects; a damaged or unsafe file is an error. */
    public List<Entry> entries() {
        return read(true);
    }

    /** The entry of {@code root}, if any; a damaged or unsafe file counts as empty (nothing is trusted). */
    public Optional<Entry> find(Path root) {
        return read(false).stream().filter(e -> e.dir().equals(root)).findFirst();
    }

    /** Records {@code root} as trusted with files of {@code digest}, replacing an earlier entry of it. */
    public void trust(Path root, String digest, Instant now) {
        update(entries -> {
            entries.removeIf(e -> e.dir().equals(root));
            entries.add(new Entry(root, digest, now));
            return true;
        });
    }

    /** Removes the entry of {@code root}; false when there was none. */
    public boolean untrust(Path root) {
        return update(entries -> entries.removeIf(e -> e.dir().equals(root)));
    }

    private interface Change {
        boolean apply(List<Entry> entries);
    }

    private boolean update(Change change) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, ownerOnly(dir, "rwx------"));
            }
            try (FileChannel lock = FileChannel.open(dir.resolve(FILE_NAME + ".lock"), Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), ownerOnly(dir, "rw-------"));
                 var held = lock.lock()) {
                List<Entry> entries = new ArrayList<>(read(true));
                boolean changed = change.apply(entries);
                if (changed) {
                    entries.sort(Comparator.comparing(e -> e.dir().toString()));
                    write(entries);
                }
                return changed;
            }
        } catch (IOException e) {
            throw new FailureException("cannot write " + file + ": " + e.getMessage(),
                    "check that " + dir + " is writable", e);
        }
    }

    private void write(List<Entry> entries) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode projects = root.putArray("projects");
        for (Entry entry : entries) {
            projects.addObject().put("dir", entry.dir().toString()).put("digest", entry.digest())
                    .put("trusted_at", entry.trustedAt().toString());
        }
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + FILE_NAME + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly(dir, "rw-------"))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename itself is atomic
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private List<Entry> read(boolean strict) {
        try {
            byte[] bytes;
            try {
                if (Files.size(file) > MAX_BYTES) {
                    throw damaged("it is larger than " + (MAX_BYTES >> 20) + " MiB", null);
                }
                if (writableByOthers(file)) {
                    throw new ConfigException(file + ": others may write it, so it is not honoured",
                            "run 'chmod 600 " + file + "'");
                }
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return List.of();
            }
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("version").asInt() != VERSION
                    || !root.path("projects").isArray()) {
                throw damaged("it is not a version " + VERSION + " " + FORMAT + " file", null);
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonNode project : root.get("projects")) {
                String dir = project.path("dir").asText("");
                String digest = project.path("digest").asText("");
                if (!dir.startsWith("/") || dir.indexOf('\0') >= 0 || !digest.matches("sha256:[0-9a-f]{64}")) {
                    throw damaged("an entry lacks an absolute 'dir' or a 'sha256:' digest", null);
                }
                Instant at = Instant.EPOCH;
                try {
                    at = Instant.parse(project.path("trusted_at").asText());
                } catch (java.time.format.DateTimeParseException e) {
                    // the time is for people; a bad one does not make the entry wrong
                }
                entries.add(new Entry(Path.of(dir), digest, at));
            }
            return entries;
        } catch (ConfigException e) {
            if (strict) {
                throw e;
            }
            return List.of();
        } catch (JsonProcessingException e) {
            if (strict) {
                throw damaged("it is not valid JSON", e);
            }
            return List.of();
        } catch (IOException e) {
            if (strict) {
                throw new ConfigException(file + ": cannot read: " + e.getMessage(), "check the file's permissions", e);
            }
            return List.of();
        }
    }

    private ConfigException damaged(String why, Throwable cause) {
        return new ConfigException(file + ": not a trust file llmo can read: " + why,
                "remove it and run 'llmo trust DIR' again for each project you trust", cause);
    }

    private static boolean writableByOthers(Path file) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return false;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        return permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static FileAttribute<?>[] ownerOnly(Path dir, String permissions) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))};
    }
}
