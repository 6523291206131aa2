package dev.llmo.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;

/**
 * Reads resources of llmo's own jar (or classes directory) from it directly. {@code Class.getResourceAsStream} asks
 * the JDK's boot and platform loaders first, and for a name outside their modules' packages each of them looks in
 * every one of its modules: the three built-in configuration files cost a model call's configuration, which every
 * call waits for, ~6 ms before they were found where they are (ADR-003, "Tenth round").
 */
final class OwnResources {
    private OwnResources() {
    }

    /** The resource at {@code path} (absolute, as {@code /dev/llmo/...}), or null when there is none. */
    static InputStream open(String path) throws IOException {
        CodeSource source = OwnResources.class.getProtectionDomain().getCodeSource();
        return open(source == null ? null : source.getLocation(), path);
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
}
