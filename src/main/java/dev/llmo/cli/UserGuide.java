package dev.llmo.cli;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The user guide, docs/usage/*.md of the sources, bundled in the jar (under {@value #DIR}) so that the help of an
 * installed llmo points to pages that exist where it is installed: {@code llmo help TOPIC}. Read only by the help
 * command; nothing on the start-up path touches it.
 */
final class UserGuide {
    static final String DIR = "dev/llmo/docs/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** One page: its name (the file name without .md) and its title (the first {@code # } line). */
    record Topic(String name, String title) {
    }

    private UserGuide() {
    }

    /** Every page, by name. */
    static List<Topic> topics() {
        List<Topic> topics = new ArrayList<>();
        for (String name : names()) {
            page(name).ifPresent(text -> topics.add(new Topic(name, title(text))));
        }
        return topics;
    }

    /** The page named {@code name} ({@code chat} or {@code chat.md}), or empty when there is none. */
    static Optional<String> page(String name) {
        String plain = name.strip().endsWith(".md") ? name.strip().substring(0, name.strip().length() - 3)
                : name.strip();
        if (!NAME.matcher(plain).matches()) {
            return Optional.empty();
        }
        try (InputStream in = UserGuide.class.getClassLoader().getResourceAsStream(DIR + plain + ".md")) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FailureException("cannot read the bundled help page " + plain + ": " + e.getMessage(),
                    "reinstall llmo", e);
        }
    }

    private static String title(String text) {
        String first = text.lines().findFirst().orElse("").strip();
        return first.startsWith("# ") ? first.substring(2).replace("`", "") : "";
    }

    /**
     * The page names, sorted. A class loader cannot list a directory inside a jar, so the pages are listed from
     * where this class was loaded: the jar (llmo's executable is a launcher with the jar appended, which a zip
     * reader opens as well) or, in development, the classes directory.
     */
    private static List<String> names() {
        Path origin;
        try {
            origin = Path.of(UserGuide.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new FailureException("cannot find where llmo is installed: " + e.getMessage(), "reinstall llmo", e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(origin)) {
                Path dir = origin.resolve(DIR);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.list(dir)) {
                        files.map(p -> p.getFileName().toString()).forEach(file -> addPage(file, names));
                    }
                }
            } else {
                try (ZipFile zip = new ZipFile(origin.toFile())) {
                    Enumeration<? extends ZipEntry> entries = zip.entries();
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(DIR)) {
                            addPage(entry.substring(DIR.length()), names);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new FailureException("cannot list the bundled help pages in " + origin + ": " + e.getMessage(),
                    "reinstall llmo", e);
        }
        names.sort(null);
        return names;
    }

    private static void addPage(String file, List<String> names) {
        if (file.endsWith(".md") && NAME.matcher(file.substring(0, file.length() - 3)).matches()) {
            names.add(file.substring(0, file.length() - 3));
        }
    }
}
