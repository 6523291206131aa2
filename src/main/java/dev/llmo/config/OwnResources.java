package dev.llmo.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads resources of llmo's own jar (or classes directory) from it directly. {@code Class.getResourceAsStream} asks
 * the JDK's boot and platform loaders first, and for a name outside their modules' packages each of them looks in
 * every one of its modules: the three built-in configuration files cost a model call's configuration, which every
 * call waits for, ~6 ms before they were found where they are (ADR-003, "Tenth round").
 *
 * <p>In the jar, the built-in configuration files come from a class the build makes of them ({@link
 * ResourceBundling}). Read as resources, they made the JDK open the jar through a {@code jar:} address and parse its
 * central directory's ~5,000 entries in the interpreter, which nothing else in {@code llmo models} needs (its classes
 * come from the class archive): ~12 ms of its CPU (ADR-003, "Sixteenth round"). From a classes directory (tests, an
 * IDE) the files themselves are read, so that an edited file is seen without the build step.
 */
final class OwnResources {
    /** The class {@link ResourceBundling} writes; its static initialiser hands its resources to {@link #bundle}. */
    static final String BUNDLE_CLASS = "dev.llmo.config.BundledResources";
    private static final Map<String, byte[]> BUNDLED = new HashMap<>();
    private static boolean bundleLoaded;

    private OwnResources() {
    }

    /** The resource at {@code path} (absolute, as {@code /dev/llmo/...}), or null when there is none. */
    static InputStream open(String path) throws IOException {
        byte[] bundled = bundledInJar(path);
        return bundled != null ? new ByteArrayInputStream(bundled) : open(ownLocation(), path);
    }

    /** What the build bundled for {@code path} when llmo runs from its jar; null from a classes directory. */
    static byte[] bundledInJar(String path) {
        URL base = ownLocation();
        return base != null && !base.getPath().endsWith("/") ? bundled(path) : null;
    }

    private static URL ownLocation() {
        CodeSource source = OwnResources.class.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }

    /**
     * The resource at {@code path} in the jar or classes directory at {@code base}, or null when there is none. A
     * base that a {@code jar:} address cannot name (a path holding "!/"), or that fails to open, is left to the class
     * loader, which finds the same resource the slow way.
     */
    static InputStream open(URL base, String path) throws IOException {
        if (base != null && "file".equals(base.getProtocol()) && !base.toExternalForm().contains("!/")) {
            String where = base.toExternalForm();
            URL url = where.endsWith("/") ? new URL(base, path.substring(1)) : new URL("jar:" + where + "!" + path);
            try {
                return url.openStream();
            } catch (IOException e) {
                // not there, or not a jar: the class loader says which
            }
        }
        return OwnResources.class.getResourceAsStream(path);
    }

    /** The bytes the build bundled for {@code path}; null when it bundled none (or ran without the bundling step). */
    static byte[] bundled(String path) {
        synchronized (BUNDLED) {
            if (!bundleLoaded) {
                bundleLoaded = true;
                try {
                    Class.forName(BUNDLE_CLASS, true, OwnResources.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    // built without the step: the resources are read
                }
            }
            byte[] bytes = BUNDLED.get(path);
            return bytes == null ? null : bytes.clone();
        }
    }

    /**
     * Called by the bundle's static initialiser: the resource at {@code path}, its bytes held as the chars of {@code
     * latin1Parts} (one char per byte; a class's string constant holds at most 65,535 bytes, hence the parts).
     */
    static void bundle(String path, String... latin1Parts) {
        StringBuilder text = new StringBuilder();
        for (String part : latin1Parts) {
            text.append(part);
        }
        synchronized (BUNDLED) {
            BUNDLED.put(path, text.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
