package dev.llmo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the built executable ({@code target/llmo}, system property {@code llmo.binary}) as a real process with a
 * private HOME and LLMO_HOME, for end-to-end tests. Every run starts as a user's does, with the launcher's start-up
 * archive: one, made once for the binary under {@code target/it-cache} ({@link #startUpArchive}), serves every test.
 */
public final class BinaryRun {
    private static final long TRAINING_SECONDS = 180;
    private static Map<String, String> archiveEnv;

    private final Map<String, String> env = new HashMap<>();
    private Path workingDir;
    private String stdin = "";
    private long timeoutSeconds = 60;

    private BinaryRun(Path home, Map<String, String> startUp) {
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("LLMO_HOME", home.resolve("llmo").toString());
        env.put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc-llmo").toString());
        env.putAll(startUp);
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        workingDir = home;
    }

    public static BinaryRun in(Path home) {
        return new BinaryRun(home, startUpArchive());
    }

    public static Path binary() {
        String path = System.getProperty("llmo.binary");
        if (path == null) {
            throw new IllegalStateException("llmo.binary is not set: run end-to-end tests with 'mvn verify'");
        }
        return Path.of(path);
    }

    /**
     * The environment of a start with the binary's start-up archive: {@code XDG_CACHE_HOME} of the cache where the
     * launcher made it, and {@code LLMO_CDS=on}. The first call has the launcher make it (in the background, as for a
     * user) and waits for it, so that no test runs while it is made and no maker outlives the tests; the archive
     * stays in {@code target/it-cache} until the binary changes. Where no archive can be made, the runs go without.
     */
    public static synchronized Map<String, String> startUpArchive() {
        if (archiveEnv != null) {
            return archiveEnv;
        }
        Path cache = binary().toAbsolutePath().resolveSibling("it-cache");
        Path dir = archiveDir(cache, binary());
        Map<String, String> with = Map.of("XDG_CACHE_HOME", cache.toString(), "LLMO_CDS", "on");
        try {
            if (!trained(dir)) {
                Path home = Files.createDirectories(cache.resolve("home"));
                new BinaryRun(home, with).run("--version");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_SECONDS);
                while (!trained(dir) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }
            archiveEnv = trained(dir) ? with : Map.of("LLMO_CDS", "off");
        } catch (IOException e) {
            archiveEnv = Map.of("LLMO_CDS", "off");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("LLMO_CDS", "off");
        }
        return archiveEnv;
    }

    /**
     * Starts with the shared start-up archive ({@link #startUpArchive}) while {@code XDG_CACHE_HOME} is {@code cache}, a
     * test's own (whose other contents, such as completion caches, must not be shared). Without a shared archive, the
     * runs go without.
     */
    public BinaryRun startUpArchiveIn(Path cache) throws IOException {
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("LLMO_CDS", linkStartUpArchive(cache) ? "on" : "off");
        return this;
    }

    /**
     * Links the shared start-up archive's directory into {@code cache} where the launcher looks for the binary's, so
     * that a run with that XDG_CACHE_HOME maps it; false when there is no shared archive.
     */
    public static boolean linkStartUpArchive(Path cache) throws IOException {
        String shared = startUpArchive().get("XDG_CACHE_HOME");
        if (shared == null) {
            return false;
        }
        Path link = archiveDir(cache, binary());
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, archiveDir(Path.of(shared), binary()));
        }
        return true;
    }

    /** Where the launcher keeps {@code binary}'s start-up archives under the cache directory {@code cache}. */
    public static Path archiveDir(Path cache, Path binary) {
        return Path.of(cache + "/llmo" + binary.toAbsolutePath() + ".cds");
    }

    /** The archive is there, newer than the binary, and its maker is done (the launcher's lock directory is gone). */
    private static boolean trained(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            boolean making = all.stream().anyMatch(f -> f.toString().endsWith(".lock"));
            // a class archive, or on a JDK 25 or newer (JAVA_HOME) an AOT cache
            return !making && all.stream().anyMatch(f -> (f.toString().endsWith(".jsa") || f.toString().endsWith(".aot"))
                    && isNewerThanBinary(f));
        }
    }

    private static boolean isNewerThanBinary(Path archive) {
        try {
            return Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(binary())) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    public BinaryRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs without this environment variable (one of those set for isolation, e.g. LLMO_HOME). */
    public BinaryRun without(String name) {
        env.remove(name);
        return this;
    }

    /** How long the process may take before the test fails (default 60 s). */
    public BinaryRun timeoutSeconds(long seconds) {
        timeoutSeconds = seconds;
        return this;
    }

    public BinaryRun workingDir(Path dir) {
        workingDir = dir;
        return this;
    }

    public BinaryRun stdin(String text) {
        stdin = text;
        return this;
    }

    public Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        return exec(command);
    }

    /**
     * Writes {@code home}'s models.yaml: one provider, {@code mock}, of type openai at {@code baseUrl} (the server's
     * {@code /v1}) with the key MOCK_API_KEY and one model, {@code m1}.
     */
    public static void mockProvider(Path home, String baseUrl) throws IOException {
        Files.writeString(Files.createDirectories(home.resolve("llmo")).resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [m1]
                """.formatted(baseUrl));
    }

    /**
     * Starts {@code llmo ARGS} and returns at once, stdin closed, stdout and stderr to {@code out} and {@code err}: for
     * a test that signals or kills it on the way. The caller ends it.
     */
    public Process start(Path out, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        return process;
    }

    public Result exec(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("llmo-out", ".txt");
        Path err = Files.createTempFile("llmo-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("llmo did not finish in " + timeoutSeconds + " s: " + command);
            }
        } finally {
            if (process.isAlive()) {   // timed out or interrupted: nothing of it may outlive the test
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        try {
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** What one process did. */
    public record Result(int exitCode, String out, String err) {
    }
}
