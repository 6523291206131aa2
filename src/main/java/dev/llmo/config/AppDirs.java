package dev.llmo.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The places of design.md "Files and places": with {@code LLMO_HOME} everything lives there; otherwise the XDG
 * config and data directories. {@code LLMO_SYSTEM_CONFIG_DIR} replaces {@code /etc/llmo} (for packagers and tests).
 */
public record AppDirs(Path configDir, Path dataDir, Path systemConfigDir) {

    public static AppDirs fromEnvironment(Map<String, String> env, Path home) {
        Path system = Path.of(env.getOrDefault("LLMO_SYSTEM_CONFIG_DIR", "/etc/llmo"));
        String llmoHome = env.get("LLMO_HOME");
        if (llmoHome != null && !llmoHome.isBlank()) {
            Path dir = Path.of(llmoHome).toAbsolutePath();
            return new AppDirs(dir, dir, system);
        }
        Path config = xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("llmo");
        Path data = xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("llmo");
        return new AppDirs(config, data, system);
    }

    /**
     * llmo's cache directory, {@code $XDG_CACHE_HOME/llmo} or {@code ~/.cache/llmo}, with or without {@code LLMO_HOME}:
     * the launcher keeps its class archives there (it knows only the environment), and beside them the completion
     * names and the parsed configuration ({@link ConfigTreeCache}). Whatever is there can be deleted.
     */
    public static Path cacheDir(Map<String, String> env, Path home) {
        return xdg(env, "XDG_CACHE_HOME", home.resolve(".cache")).resolve("llmo");
    }

    // The XDG spec says relative paths are invalid and must be ignored.
    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String value = env.get(name);
        return value != null && Path.of(value).isAbsolute() ? Path.of(value) : fallback;
    }

    public Path conversationsDir() {
        return dataDir.resolve("conversations");
    }

    /** The batch records ({@code llmo batch}), one file per batch, beside the conversations. */
    public Path batchesDir() {
        return dataDir.resolve("batches");
    }

    /** Every directory of logs that record spending: what the daily budget and {@code llmo cost} read. */
    public java.util.List<Path> spendLogDirs() {
        return java.util.List.of(conversationsDir(), batchesDir());
    }

    public Path vaultFile() {
        return dataDir.resolve("vault.enc");
    }

    /** The projects the user trusts ({@link TrustStore}); in the data dir, which no repository ships. */
    public Path trustFile() {
        return dataDir.resolve(TrustStore.FILE_NAME);
    }

    /**
     * Where each MCP server's and command tool's stderr is appended ({@code NAME.log}); sandboxed ones get their
     * scratch directories beside it, in {@code tools/scratch}.
     */
    public Path toolLogDir() {
        return dataDir.resolve("tools").resolve("logs");
    }

    public Path historyFile() {
        return dataDir.resolve("history");
    }
}
