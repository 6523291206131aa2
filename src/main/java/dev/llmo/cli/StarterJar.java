package dev.llmo.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The jar a {@code run} with the call archive starts from (src/main/launcher/llmo.sh): a manifest and nothing else,
 * with the binary's main class and exports, and the binary on its class path through a link beside it. A JVM started
 * with {@code -jar} opens that jar before {@code main} to read its manifest, and opening a jar reads its whole central
 * directory: the binary's ~5,300 entries, in the interpreter, on the critical path of every model call (and read once
 * more later, when the class path is searched for a resource). The starter's directory has two entries. The link,
 * not a path of the binary, is what the manifest names: a {@code Class-Path} entry is a URL relative to the starter
 * (the binary's path may hold spaces or other characters a URL would have to escape), and the JVM's class archive
 * resolves it as a file name beside the starter, where the URL and the file system agree on what it means (ADR-003,
 * "Twenty-first round").
 */
final class StarterJar {
    static final String SUFFIX = ".start.jar";
    private static final String SAFE_NAME = "[A-Za-z0-9._-]+";

    private StarterJar() {
    }

    /**
     * Makes {@code starter} (a name ending in {@link #SUFFIX}) for {@code binary}, with the link beside it; true when
     * both are there. On any failure (a file system without symbolic links, a binary without a manifest) neither is
     * left, and the launcher starts the run from the binary itself.
     */
    static boolean make(Path starter, Path binary) {
        Path link = linkFor(starter);
        try {
            if (link == null) {
                Files.deleteIfExists(starter);
                return false;
            }
            Manifest own;
            try (JarFile jar = new JarFile(binary.toFile())) {
                own = jar.getManifest();
            }
            String mainClass = own == null ? null : own.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (mainClass == null) {
                throw new IOException(binary + " has no main class in its manifest");
            }
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, binary.toAbsolutePath());
            Manifest manifest = new Manifest();
            Attributes attributes = manifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.put(Attributes.Name.MAIN_CLASS, mainClass);
            String exports = own.getMainAttributes().getValue("Add-Exports");
            if (exports != null) {
                attributes.putValue("Add-Exports", exports);
            }
            attributes.put(Attributes.Name.CLASS_PATH, link.getFileName().toString());
            Path partial = starter.resolveSibling(starter.getFileName() + ".partial");
            try (OutputStream out = Files.newOutputStream(partial); JarOutputStream jar = new JarOutputStream(out,
                    manifest)) {
                jar.finish();
            }
            Files.move(partial, starter, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(starter);
                Files.deleteIfExists(starter.resolveSibling(starter.getFileName() + ".partial"));
                if (link != null && Files.isSymbolicLink(link)) {
                    Files.delete(link);
                }
            } catch (IOException ignored) {
                // the launcher checks both files before it uses them
            }
            return false;
        }
    }

    /** The link a starter names, beside it (its name without "start"); null for a name a manifest cannot hold as is. */
    static Path linkFor(Path starter) {
        String name = starter.getFileName().toString();
        if (!name.endsWith(SUFFIX) || !name.matches(SAFE_NAME) || name.length() == SUFFIX.length()) {
            return null;
        }
        return starter.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + ".jar");
    }
}
