package dev.llmo.config;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.io.CacheFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trees of configuration files parsed before, one entry per file under the cache directory: reading a
 * models.yaml with snakeyaml set up ~100 classes and parsed it on the path a model call's main thread waits for
 * (ADR-003, "Eleventh round"), for files that seldom change.
 *
 * <p>An entry records the build that parsed the file, the file's layer and name, and its exact bytes; it gives its
 * tree only when all four match, byte for byte, so it can only give what parsing those bytes with this build gives
 * (a trust decision made on the bytes holds for the tree). Anything else (no entry, another build, another file at
 * that name, a damaged or foreign file) parses the YAML and, when that succeeds, writes the entry again, atomically.
 * An error is never cached: a file with an error is parsed, and reported, every time. The directory is the user's
 * own, which no repository writes; its entries are read as damaged-until-checked bytes all the same (bounded size,
 * depth and counts) and are the user's alone to read, like the files they copy.
 */
public final class ConfigTreeCache {
    /** The most entries kept: one per file read, so a directory of projects each with its .llmo/ could grow it. */
    static final int MAX_ENTRIES = 200;
    private static final long MAX_ENTRY_BYTES = 8 * ConfigFiles.MAX_BYTES;
    private static final String SUFFIX = ".tree";

    private final Path dir;
    private final String build;

    /** Entries in {@code dir}, valid for {@code build} (llmo's build id: another build may parse differently). */
    public ConfigTreeCache(Path dir, String build) {
        this.dir = dir;
        this.build = build;
    }

    /** The tree of {@code source} (decoded as {@code text}), as {@link YamlFiles#parse} gives it. */
    MapNode parse(byte[] source, String text, String file, String layer) {
        Path entry = dir.resolve(name(layer, file));
        byte[] bytes = read(entry);
        MapNode tree = bytes == null ? null : ConfigSnapshot.decodeEntry(bytes, build, layer, file, source);
        if (tree != null) {
            return tree;
        }
        tree = YamlFiles.parse(text, file, layer);
        write(entry, ConfigSnapshot.encodeEntry(build, layer, file, source, tree));
        return tree;
    }

    /** An entry's file name: a 64-bit FNV-1a hash of the layer and the file's name (its content is checked inside). */
    static String name(String layer, String file) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (layer + '\0' + file).getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(hash); // not String.format: its parser's classes, on the path this cache shortens
        return "0".repeat(16 - hex.length()) + hex + SUFFIX;
    }

    private static byte[] read(Path entry) {
        try (InputStream in = Files.newInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) MAX_ENTRY_BYTES + 1);
            return bytes.length > MAX_ENTRY_BYTES ? null : bytes;
        } catch (IOException | RuntimeException e) {
            return null; // none, or unreadable: parsed instead, and written again if it can be
        }
    }

    /** Nothing is reported: the cache only saves time, and a run must not fail or warn because of it. */
    private void write(Path entry, byte[] bytes) {
        if (bytes.length <= MAX_ENTRY_BYTES && CacheFiles.replace(entry, bytes)) {
            try {
                prune();
            } catch (IOException | RuntimeException e) {
                // pruned at the next write
            }
        }
    }

    /** Beyond {@link #MAX_ENTRIES}, the entries written longest ago go (a file still in use is parsed again once). */
    private void prune() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                entries.add(file);
            }
        }
        if (entries.size() <= MAX_ENTRIES) {
            return;
        }
        List<Written> written = new ArrayList<>();
        for (Path file : entries) {
            try {
                written.add(new Written(file, Files.getLastModifiedTime(file).toMillis()));
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        written.sort(Comparator.comparingLong(Written::millis));
        for (int i = 0; i < written.size() - MAX_ENTRIES; i++) {
            Files.deleteIfExists(written.get(i).file());
        }
    }

    private record Written(Path file, long millis) {
    }
}
