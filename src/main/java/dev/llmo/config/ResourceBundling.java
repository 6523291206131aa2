package dev.llmo.config;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A build step: compiles resources into the class {@link OwnResources#BUNDLE_CLASS}, whose static initialiser hands
 * them to {@link OwnResources#bundle}. A class comes from the start-up archive; a resource is read from the jar, which
 * the JDK then opens and indexes for it (ADR-003, "Sixteenth round").
 */
final class ResourceBundling {
    /** A string constant holds at most 65,535 bytes of modified UTF-8, two of which a char above 0x7f may take. */
    private static final int PART_CHARS = 30_000;

    private ResourceBundling() {
    }

    /** Writes the bundle of {@code resources} (path to bytes) into {@code classes}, compiled with the build's JDK. */
    static void write(Path classes, Map<String, byte[]> resources) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("bundling the built-in configuration needs a JDK's compiler (javax.tools)");
        }
        Path sources = Files.createTempDirectory("llmo-bundle");
        try {
            String name = OwnResources.BUNDLE_CLASS;
            Path source = sources.resolve(name.substring(name.lastIndexOf('.') + 1) + ".java");
            Files.writeString(source, source(name, resources), StandardCharsets.UTF_8);
            StringWriter errors = new StringWriter();
            boolean compiled = compiler.getTask(errors, null, null, List.of("-d", classes.toString(), "-cp",
                    classes.toString(), "--release", "17", "-proc:none", "-implicit:none", "-encoding", "UTF-8"),
                    null, compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                            .getJavaFileObjects(source.toFile())).call();
            if (!compiled) {
                throw new IllegalStateException("cannot compile the resource bundle: " + errors);
            }
        } finally {
            try (var files = Files.list(sources)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(sources);
        }
    }

    /** The bundle's source: each resource's bytes as string constants of one char per byte. */
    static String source(String className, Map<String, byte[]> resources) {
        int dot = className.lastIndexOf('.');
        StringBuilder out = new StringBuilder();
        out.append("package ").append(className, 0, dot).append(";\n\n")
                .append("/** Made by the build (ResourceBundling) of llmo's built-in resources: not written by hand. */\n")
                .append("final class ").append(className.substring(dot + 1)).append(" {\n")
                .append("    static {\n");
        for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
            out.append("        OwnResources.bundle(").append(literal(resource.getKey().getBytes(StandardCharsets.UTF_8)));
            byte[] bytes = resource.getValue();
            for (int from = 0; from < bytes.length || from == 0; from += PART_CHARS) {
                byte[] part = java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + PART_CHARS));
                out.append(",\n                ").append(literal(part));
            }
            out.append(");\n");
        }
        return out.append("    }\n\n    private ").append(className.substring(dot + 1)).append("() {\n    }\n}\n")
                .toString();
    }

    /** A Java string literal whose chars are {@code bytes}, one char (0-255) per byte. */
    private static String literal(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 16).append('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                // three octal digits always, so that a digit after the escape is not read into it (a \\u escape
                // would be turned into its char before the string is read: a line feed would end the literal)
                out.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                        .append((char) ('0' + (c & 7)));
            }
        }
        return out.append('"').toString();
    }
}
