package dev.llmo.template;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigFiles;
import dev.llmo.config.ConfigLayer;
import dev.llmo.config.ConfigLoader;
import dev.llmo.config.NameSuggestions;
import dev.llmo.config.ProjectTrust;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import dev.llmo.io.Uninterruptible;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where templates live: {@code templates/NAME.yaml} in the user config dir (or {@code LLMO_HOME}), and in the
 * nearest project's {@code .llmo/templates/}. A project's template wins over the user's of the same name (as the
 * project's configuration layer does) and is used only when the project is trusted ({@code llmo trust}), since a
 * template can name tools and models. Templates are saved, edited and removed only in the user's directory.
 */
public final class TemplateStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final String SUFFIX = ".yaml";
    private final AppDirs dirs;
    private final Path userDir;
    private final Path projectConfigDir;

    /** A template found: its name, its file, and whether a project holds it. */
    public record Listed(String name, Path file, boolean project) {
    }

    /** The templates of the user of {@code dirs}, and of the project at or above {@code workingDir}. */
    public TemplateStore(AppDirs dirs, Path workingDir) {
        this.dirs = dirs;
        this.userDir = dirs.configDir().resolve(ConfigLoader.TEMPLATES_DIR);
        Path project = ConfigLoader.nearestProjectDir(workingDir);
        // the user's own config dir found as a project (LLMO_HOME=~/proj/.llmo) is the user layer, once
        this.projectConfigDir = project != null && !same(project, dirs.configDir()) ? project : null;
    }

    /**
     * Checks a template name: letters, digits, {@code _ . -}, not starting with a dot, at most 64 characters, so
     * that it names a file in the templates directory and nothing else.
     *
     * @throws UsageException when it is not such a name (exit 2)
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UsageException("'" + name + "' is not a template name",
                    "use letters, digits, '_', '.' and '-' (at most 64, not starting with '.'), e.g. summarise");
        }
        return name;
    }

    /** The user's file for {@code name}, whether or not it exists. */
    public Path userFile(String name) {
        return userDir.resolve(checkName(name) + SUFFIX);
    }

    /**
     * The template {@code name}: the project's when it has one (and is trusted), else the user's.
     *
     * @throws ConfigException exit 3: unknown (with the names closest to it), a bad file ({@code path:line:column}),
     *                         or a template of an untrusted project (with the {@code llmo trust} fix)
     */
    public SavedTemplate load(String name) {
        checkName(name);
        Path projectFile = projectFile(name);
        if (projectFile != null && Files.exists(projectFile)) {
            ProjectTrust trust = ConfigLoader.projectTrust(dirs, projectConfigDir);
            if (!trust.trusted()) {
                throw new ConfigException(projectFile + ": template '" + name + "' is in a project that is "
                        + trust.status().label() + " (a template can name tools and models)", trust.fix());
            }
            return read(projectFile, ConfigLayer.PROJECT);
        }
        Path userFile = userFile(name);
        if (Files.exists(userFile)) {
            return read(userFile, ConfigLayer.USER);
        }
        List<String> names = list().stream().map(Listed::name).toList();
        String hint = NameSuggestions.didYouMean(name, names);
        throw new ConfigException("unknown template '" + name + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                names.isEmpty() ? "save one with 'llmo run --save " + name + " PROMPT'" : "see 'llmo templates list'");
    }

    /** Reads and checks a template file. */
    public static SavedTemplate read(Path file, String layer) {
        byte[] bytes = ConfigFiles.read(file);
        if (bytes == null) {
            throw new ConfigException(file + ": no such template file", "see 'llmo templates list'");
        }
        return TemplateFile.parse(ConfigFiles.text(bytes, file.toString()), file.toString(), layer);
    }

    /** Every template, by name; a project's shadows the user's of the same name. */
    public List<Listed> list() {
        TreeMap<String, Listed> found = new TreeMap<>();
        names(userDir).forEach(name -> found.put(name, new Listed(name, userDir.resolve(name + SUFFIX), false)));
        if (projectConfigDir != null) {
            Path dir = projectConfigDir.resolve(ConfigLoader.TEMPLATES_DIR);
            names(dir).forEach(name -> found.put(name, new Listed(name, dir.resolve(name + SUFFIX), true)));
        }
        return List.copyOf(found.values());
    }

    /** The file of the project's template {@code name}, whether or not it exists; null without a project. */
    public Path projectFile(String name) {
        return projectConfigDir == null ? null
                : projectConfigDir.resolve(ConfigLoader.TEMPLATES_DIR).resolve(checkName(name) + SUFFIX);
    }

    /** Where {@link #keepPrevious} keeps the version of the user's template {@code name} a save replaced. */
    public Path previousFile(String name) {
        Path file = userFile(name);
        return file.resolveSibling(file.getFileName() + ".previous");
    }

    /**
     * Keeps the user's template {@code name}, when there is one, beside it as {@code NAME.yaml.previous} (which no
     * listing reads), before a save replaces it: a {@code --save} under a name in use would otherwise lose it.
     *
     * @return where the previous one is kept, or empty when there was none
     */
    public Optional<Path> keepPrevious(String name) {
        Path file = userFile(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Path previous = previousFile(name);
        try {
            write(previous, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FailureException("cannot keep the template " + name + " before replacing it: "
                    + e.getMessage(), "check that " + file.getParent() + " is writable");
        }
        return Optional.of(previous);
    }

    /** Saves {@code template} as the user's {@code name} (replacing one of that name), atomically. */
    public Path save(String name, SavedTemplate template) {
        Path file = userFile(name);
        write(file, TemplateFile.yaml(template));
        return file;
    }

    /**
     * Writes {@code text} to {@code file} atomically (a temporary file in the same directory, synced, renamed over
     * it): a crash leaves the old file or the new one, never half of one.
     */
    public static void write(Path file, String text) {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Uninterruptible.call(() -> {
                Files.createDirectories(dir);
                try {
                    try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE))) {
                        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                        channel.force(true);
                    }
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
                try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                    directory.force(true);
                } catch (IOException e) {
                    // some file systems cannot sync a directory; the rename itself is atomic
                }
                return null;
            });
        } catch (IOException e) {
            throw new FailureException("cannot write " + file + ": " + e.getMessage(),
                    "check that " + dir + " is writable", e);
        }
    }

    /**
     * Removes the user's template {@code name}.
     *
     * @return false when the user has none of that name
     */
    public boolean remove(String name) {
        Path file = userFile(name);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new FailureException("cannot remove " + file + ": " + e.getMessage(),
                    "check the directory's permissions", e);
        }
    }

    private static List<String> names(Path dir) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(file -> file.getFileName().toString())
                    .filter(file -> file.endsWith(SUFFIX))
                    .map(file -> file.substring(0, file.length() - SUFFIX.length()))
                    .filter(name -> NAME.matcher(name).matches())
                    .limit(ConfigLoader.MAX_TEMPLATES)
                    .forEach(names::add);
        } catch (IOException e) {
            throw new ConfigException(dir + ": cannot list: " + e.getMessage(), "check the directory's permissions",
                    e);
        }
        return names;
    }

    private static boolean same(Path a, Path b) {
        try {
            return a.equals(b) || Files.isDirectory(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
