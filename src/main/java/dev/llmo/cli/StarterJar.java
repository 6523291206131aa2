package dev.llmo.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The jar a {@code run} with the call archive starts from (src/main/launcher/llmo.sh), so that no jar with the
 * binary's ~5,300 central directory entries is opened in a model call: opening a jar reads its whole directory, in
 * the interpreter (ADR-003, "Twenty-first round"). It holds a manifest (the binary's main class and exports, and a
 * class path) and the binary's service file for the JDK's logger finder ({@link #LOGGER_FINDER}); two links beside it
 * make its class path:
 * <ul>
 * <li>{@code ID.finder.jar}, to the starter itself. When OkHttp makes its first logger the JDK looks on the class path
 * for a logger finder, and its lookup, having found one, always looks one jar further for the next: a second jar
 * naming the finder before the binary stops it there.</li>
 * <li>{@code ID.jar}, to the binary. A {@code Class-Path} entry is a URL relative to the starter (the binary's path
 * may hold spaces or other characters a URL would have to escape), and the JVM's class archive resolves it as a file
 * name beside the starter, where the URL and the file system agree on what it means.</li>
 * </ul>
 */
final class StarterJar {
    static final String SUFFIX = ".start.jar";
    /** The binary's service file naming llmo's logger finder ({@code LibraryLogs}), copied into the starter. */
    static final String LOGGER_FINDER = "META-INF/services/java.lang.System$LoggerFinder";
    private static final String SAFE_NAME = "[A-Za-z0-9._-]+";

    private StarterJar() {
    }

    /**
     * Makes {@code starter} (a name ending in {@link #SUFFIX}) for {@code binary}, with its links; true when all three
     * are there. On any failure (a file system without symbolic links, a binary without a manifest) none is left, and
     * the launcher starts the run from the binary itself.
     */
    static boolean make(Path starter, Path binary) {
        List<Path> links = links(starter);
        try {
            if (links.isEmpty()) {
                Files.deleteIfExists(starter);
                return false;
            }
            Manifest own;
            byte[] finder;
            try (JarFile jar = new JarFile(binary.toFile())) {
                own = jar.getManifest();
                JarEntry entry = jar.getJarEntry(LOGGER_FINDER);
                finder = entry == null ? null : jar.getInputStream(entry).readAllBytes();
            }
            String mainClass = own == null ? null : own.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (mainClass == null) {
                throw new IOException(binary + " has no main class in its manifest");
            }
            Path finderLink = links.get(0);
            Path binaryLink = links.get(1);
            for (Path link : links) {
                Files.deleteIfExists(link);
            }
            Files.createSymbolicLink(binaryLink, binary.toAbsolutePath());
            Manifest manifest = new Manifest();
            Attributes attributes = manifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.put(Attributes.Name.MAIN_CLASS, mainClass);
            String exports = own.getMainAttributes().getValue("Add-Exports");
            if (exports != null) {
                attributes.putValue("Add-Exports", exports);
            }
            // the three files always together: the launcher starts from the starter only when all are there
            Files.createSymbolicLink(finderLink, starter.getFileName());
            attributes.put(Attributes.Name.CLASS_PATH, finderLink.getFileName() + " " + binaryLink.getFileName());
            Path partial = partial(starter);
            try (OutputStream out = Files.newOutputStream(partial); JarOutputStream jar = new JarOutputStream(out,
                    manifest)) {
                if (finder != null) {
                    jar.putNextEntry(new JarEntry(LOGGER_FINDER));
                    jar.write(finder);
                    jar.closeEntry();
                }
                jar.finish();
            }
            Files.move(partial, starter, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(starter);
                Files.deleteIfExists(partial(starter));
                for (Path link : links) {
                    Files.deleteIfExists(link);
                }
            } catch (IOException ignored) {
                // the launcher checks the files before it uses them
            }
            return false;
        }
    }

    /**
     * The links a starter names, beside it: the finder's (to the starter) and the binary's, named as the starter
     * without "start"; none for a name a manifest cannot hold as is.
     */
    static List<Path> links(Path starter) {
        String name = starter.getFileName().toString();
        if (!name.endsWith(SUFFIX) || !name.matches(SAFE_NAME) || name.length() == SUFFIX.length()) {
            return List.of();
        }
        String id = name.substring(0, name.length() - SUFFIX.length());
        return List.of(starter.resolveSibling(id + ".finder.jar"), starter.resolveSibling(id + ".jar"));
    }

    private static Path partial(Path starter) {
        return starter.resolveSibling(starter.getFileName() + ".partial");
    }
}
