package dev.llmo.cli;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import dev.llmo.io.CacheFiles;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The names of one completion kind as the last {@code llmo __complete KIND} found them, for the completion scripts
 * to read at the next TAB without starting a JVM (completion.md, "How it works"). A file per kind under
 * {@code $XDG_CACHE_HOME/llmo/complete/}:
 *
 * <pre>
 * llmo-complete 1
 * KEY        project dir, LLMO_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, LLMO_SYSTEM_CONFIG_DIR, HOME, binary (tab-separated)
 * N          how many source paths follow
 * SOURCE...  the files and directories the names come from, one per line
 * SIGNATURE  their state: '+' or '-' per source (exists or not), then ";inode size mtime ctime" per existing one
 * NAME...    the names, one per line
 * </pre>
 *
 * <p>The scripts recompute the key and the signature (the shell's {@code pwd -P}, its variables, and one
 * {@code stat -L} of the sources) and use the names only when both are equal; else they run llmo. The signature is
 * taken before the names are read, so a change while they are read makes it differ next time; and a cache is not
 * written while a source changed within the last two seconds, since the times have a resolution of one second and
 * a second change in the same second could keep inode, size and both times. ctime cannot be set back by a user,
 * so a file replaced by an older copy ({@code cp -p}, {@code mv}) changes it too. Nothing secret is in it: the
 * names are those {@code __complete} prints (vault key names are the configuration's {@code api_key_name}s, never
 * the vault's entries).
 */
record CompletionCache(String key, List<Path> sources) {
    static final String FORMAT = "llmo-complete 1";
    private static final long SETTLE_SECONDS = 2;

    /**
     * The key and sources of {@code kind} for this environment, or null when it cannot be cached (a path with a tab
     * or a line break, which the file's lines cannot hold).
     */
    static CompletionCache of(String kind, CliEnvironment environment, Path binary) {
        Map<String, String> env = environment.env();
        AppDirs dirs = AppDirs.fromEnvironment(env, environment.home());
        Path project = ConfigLoader.nearestProjectDir(environment.workingDir());
        String key = String.join("\t", project == null ? "" : project.toString(), env.getOrDefault("LLMO_HOME", ""),
                env.getOrDefault("XDG_CONFIG_HOME", ""), env.getOrDefault("XDG_DATA_HOME", ""),
                env.getOrDefault("LLMO_SYSTEM_CONFIG_DIR", ""), env.getOrDefault("HOME", ""), binary.toString());
        List<Path> sources = new ArrayList<>();
        sources.add(binary); // the built-in layer, and the code that reads the others
        if (project != null) {
            // whether the project is the user's own config dir (LLMO_HOME=~/proj/.llmo), read as the user layer once
            sources.add(project);
            sources.add(dirs.configDir());
        }
        switch (kind) {
            case "conversations" -> sources.add(dirs.conversationsDir());
            case "templates" -> {
                sources.add(dirs.configDir().resolve(ConfigLoader.TEMPLATES_DIR));
                if (project != null) {
                    sources.add(project.resolve(ConfigLoader.TEMPLATES_DIR));
                }
            }
            default -> {
                for (Path dir : project == null ? List.of(dirs.systemConfigDir(), dirs.configDir())
                        : List.of(dirs.systemConfigDir(), dirs.configDir(), project)) {
                    sources.add(dir.resolve(ConfigLoader.CONFIG_FILE));
                    sources.add(dir.resolve(ConfigLoader.MODELS_FILE));
                }
            }
        }
        if (key.contains("\n")) {
            return null;
        }
        for (Path source : sources) {
            String s = source.toString();
            if (s.contains("\n") || s.contains("\t") || !s.startsWith("/")) {
                return null;
            }
        }
        return new CompletionCache(key, List.copyOf(sources));
    }

    /** Where the cache files are: the launcher's cache directory (its AppCDS archives), {@code complete/}. */
    static Path directory(Map<String, String> env, Path home) {
        return dev.llmo.config.AppDirs.cacheDir(env, home).resolve("complete");
    }

    /**
     * The file of the llmo that runs, as the shell found it on PATH: the launcher runs {@code java -jar} with that
     * path (the class loader's code source would be its real path, with symlinks resolved, which the shell does not
     * see), or names it in {@code llmo.self} when the class path is its starter jar (a path with a space). Without the
     * launcher (tests), the classes' location.
     */
    static Path binary() {
        String named = System.getProperty("llmo.self", "");
        if (named.startsWith("/") && Files.isRegularFile(Path.of(named))) {
            return Path.of(named);
        }
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.startsWith("/") && !classPath.contains(java.io.File.pathSeparator)
                && Files.isRegularFile(Path.of(classPath))) {
            return Path.of(classPath);
        }
        try {
            return Path.of(CompletionCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The sources' state as the scripts compute it, or null when it cannot be read, or when a source changed too
     * recently to tell a later change in the same second from this state.
     */
    String signature(long nowMillis) {
        StringBuilder mask = new StringBuilder();
        StringBuilder stats = new StringBuilder();
        long settled = TimeUnit.MILLISECONDS.toSeconds(nowMillis) - SETTLE_SECONDS;
        for (Path source : sources) {
            if (!Files.exists(source)) {
                mask.append('-');
                continue;
            }
            try {
                Map<String, Object> a = Files.readAttributes(source, "unix:ino,size,lastModifiedTime,ctime");
                long ctime = seconds(a.get("ctime"));
                if (ctime > settled) {
                    return null;
                }
                mask.append('+');
                stats.append(';').append(a.get("ino")).append(' ').append(a.get("size")).append(' ')
                        .append(seconds(a.get("lastModifiedTime"))).append(' ').append(ctime);
            } catch (IOException | RuntimeException e) {
                return null; // no unix attributes here, or the file went away meanwhile: no cache
            }
        }
        return mask.append(stats).toString();
    }

    private static long seconds(Object time) {
        return Math.floorDiv(((FileTime) time).toMillis(), 1000L);
    }

    /**
     * Replaces the kind's file with these names, atomically; a name with a line break is left out (it could not be
     * told from two). Nothing is reported: completion must not disturb the shell, and a missing cache only costs time.
     */
    void write(Path directory, String kind, String signature, Collection<String> names) {
        StringBuilder text = new StringBuilder(FORMAT).append('\n').append(key).append('\n').append(sources.size())
                .append('\n');
        for (Path source : sources) {
            text.append(source).append('\n');
        }
        text.append(signature).append('\n');
        for (String name : names) {
            text.append(name).append('\n');
        }
        CacheFiles.replace(directory.resolve(kind), text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
