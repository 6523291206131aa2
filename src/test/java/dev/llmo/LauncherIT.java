package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built executable, run as a user would: from another directory, piped, with broken configuration. */
class LauncherIT {
    /**
     * How long a test waits for a background training: a bound, not a timing. A training runs the common paths in a
     * JVM (two on a JDK 25 or newer), which a shared machine under heavy load stretches to minutes.
     */
    private static final long TRAINING_BOUND_SECONDS = 300;
    private static final String CALL_ARCHIVE = ".call.jsa";

    @TempDir
    Path home;

    @Test
    void runsFromAnyDirectoryAndListsEveryCommand() throws Exception {
        Path elsewhere = Files.createDirectories(home.resolve("some/other/dir"));

        BinaryRun.Result result = BinaryRun.in(home).workingDir(elsewhere).run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("run", "chat", "chain", "vault", "models", "log", "cost", "install-completion");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void theGuideIsBundledInTheBinary() throws Exception {
        BinaryRun.Result topics = BinaryRun.in(home).run("help");
        BinaryRun.Result page = BinaryRun.in(home).run("help", "vault");

        assertThat(topics.exitCode()).isZero();
        assertThat(topics.out()).contains("  chat ", "  configuration ", "  vault-format ");
        assertThat(page.exitCode()).isZero();
        assertThat(page.out()).isEqualTo(Files.readString(Path.of("docs/usage/vault.md")));
    }

    @Test
    void versionAndTheJarAlone() throws Exception {
        BinaryRun.Result viaStub = BinaryRun.in(home).run("--version");
        assertThat(viaStub.exitCode()).isZero();
        assertThat(viaStub.out()).matches("llmo \\d+\\.\\d+\\.\\d+ \\(build \\d+\\.\\d+\\.\\d+-\\d{14}, Java .+\\)\n");

        Path jar = BinaryRun.binary().resolveSibling("llmo.jar");
        BinaryRun.Result viaJar = BinaryRun.in(home).exec(List.of("java", "-jar", jar.toString(), "models", "--json"));
        assertThat(viaJar.exitCode()).isZero();
        assertThat(viaJar.out()).contains("\"id\":\"openai/gpt-4o-mini\"");
    }

    /**
     * On a machine of one or two CPUs the commands that run C1 alone get one compiler thread (the JVM would start two,
     * which took the cores from the command's own threads); a larger machine keeps the JVM's count, and so does
     * {@code log verify}, whose C2 needs a thread of its own.
     */
    @Test
    void aMachineOfTwoCpusCompilesOnOneThread() throws Exception {
        Path online = Path.of("/sys/devices/system/cpu/online");
        assumeTrue(Files.isReadable(online), "a Linux machine");
        boolean small = List.of("0", "0-1").contains(Files.readString(online).strip());
        BinaryRun flags = BinaryRun.in(home).env("JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal");

        for (String[] args : List.of(new String[] {"--version"}, new String[] {"run", "--help"})) {
            String out = flags.run(args).out();
            assertThat(out).as(String.join(" ", args)).containsPattern("CICompilerCount += \\d+");
            if (small) {
                assertThat(out).as(String.join(" ", args)).containsPattern("CICompilerCount += 1 .*\\{command line\\}");
            } else {
                assertThat(out).as(String.join(" ", args)).doesNotContainPattern("CICompilerCount .*\\{command line\\}");
            }
        }
        String verify = flags.run("log", "verify", "--help").out();
        assertThat(verify).containsPattern("CICompilerCount += \\d+").doesNotContainPattern(
                "CICompilerCount .*\\{command line\\}");
    }

    @Test
    void configErrorsAndUsageErrorsExitWithTheirCodes() throws Exception {
        Path config = Files.createDirectories(home.resolve("llmo")).resolve("models.yaml");
        Files.writeString(config, "openai:\n  models:\n    - name: x\n      context_window: -5\n");

        BinaryRun.Result bad = BinaryRun.in(home).run("models");
        assertThat(bad.exitCode()).isEqualTo(3);
        assertThat(bad.err()).isEqualTo("llmo: error: " + config + ":4:23: 'context_window' of model 'openai/x' must be "
                + "a whole number above 0, got -5; write a whole number such as 128000, or leave 'context_window' out "
                + "for its default\n");

        BinaryRun.Result flag = BinaryRun.in(home).run("run", "--temperature", "2");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.err()).startsWith("llmo: error: Unknown option: '--temperature'").hasLineCount(1);
    }

    /**
     * Under the launcher a configuration file's tree is kept in the cache directory after its first parse; the same
     * bytes are then read from there, other bytes at the same path are parsed again, and an error is reported each
     * time, never kept.
     */
    @Test
    void aParsedConfigurationFileIsKeptUntilItChanges() throws Exception {
        Path config = Files.createDirectories(home.resolve("llmo")).resolve("models.yaml");
        Path trees = home.resolve("cache/llmo/config");
        BinaryRun run = BinaryRun.in(home).env("LLMO_CDS", "off").env("XDG_CACHE_HOME", home.resolve("cache").toString());
        Files.writeString(config, "first:\n  type: openai\n  base_url: http://127.0.0.1:8000/v1\n  models: [a]\n");

        assertThat(run.run("models").out()).contains("first/a");
        assertThat(files(trees, ".tree")).hasSize(1);
        assertThat(run.run("models").out()).contains("first/a");

        Files.writeString(config, "second:\n  type: openai\n  base_url: http://127.0.0.1:8000/v1\n  models: [b]\n");
        BinaryRun.Result changed = run.run("models");
        assertThat(changed.out()).contains("second/b").doesNotContain("first/a");
        assertThat(files(trees, ".tree")).hasSize(1);

        Files.writeString(config, "second:\n  models: [b\n");
        for (int i = 0; i < 2; i++) {
            BinaryRun.Result broken = run.run("models");
            assertThat(broken.exitCode()).isEqualTo(3);
            assertThat(broken.err()).startsWith("llmo: error: " + config + ":3:1: ").hasLineCount(1);
        }
    }

    @Test
    void projectConfigIsFoundWalkingUp() throws Exception {
        Path project = home.resolve("repo");
        Files.createDirectories(project.resolve(".llmo"));
        Files.writeString(project.resolve(".llmo/models.yaml"),
                "vllm:\n  type: openai\n  base_url: http://127.0.0.1:8000/v1\n  models: [Qwen/Qwen2.5-7B-Instruct]\n");
        Path deep = Files.createDirectories(project.resolve("src/main"));

        BinaryRun.Result result = BinaryRun.in(home).workingDir(deep).run("models");

        assertThat(result.exitCode()).isZero();
        // a keyless provider is harmless, so an untrusted project may add it; the SOURCE column says untrusted
        assertThat(result.out()).containsPattern("vllm/Qwen/Qwen2.5-7B-Instruct \\(default\\) .* project \\(untrusted\\) "
                + project.resolve(".llmo/models.yaml"));
    }

    /**
     * What scripts/install does: a copy of the binary elsewhere gets its own archive, made once in the background and
     * used, and must not find, and be refused, the original's; a replaced copy gets a new one. The copy is found as a
     * reinstall leaves it, with an archive at its path older than itself (the original's, which its JVM refuses), so
     * that one training shows both: a training costs seconds of CPU. A path with no archive at all is the original's
     * first start, which BinaryRun's archive (or {@link #originalArchive}) comes from. The original's archive is put
     * where the launcher looks in this test's cache.
     */
    @Test
    void aCopyOfTheBinaryGetsItsOwnArchiveMadeOnceInTheBackgroundAndUsedAndAReplacedOneANewOne() throws Exception {
        Path original = BinaryRun.binary();
        BinaryRun run = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString());
        Path originalArchive = originalArchive(run, original);
        assertThat(originalArchive.toString()).matches(".*/llmo\\.cds/\\d+\\.\\d+\\.\\d+-\\d{14}\\.jsa");
        BinaryRun.Result warm = run.run("models", "--json");
        assertThat(warm.exitCode()).isZero();
        assertThat(warm.err()).isEmpty();
        assertThat(warm.out()).contains("\"id\":\"anthropic/claude-sonnet-4-5\"");

        Path copy = Files.createDirectories(home.resolve("prefix/bin")).resolve("llmo");
        Files.copy(original, copy);
        Path stale = Files.createDirectories(archiveDir(copy)).resolve(originalArchive.getFileName());
        Files.copy(originalArchive, stale);
        FileTime made = FileTime.from(Instant.now().minusSeconds(60));
        Files.setLastModifiedTime(stale, made);
        assertThat(Files.getLastModifiedTime(copy)).isGreaterThan(made);
        assertThat(run.exec(List.of(copy.toString(), "--version")).exitCode()).isZero();
        Path copyArchive = awaitArchive(copy);
        assertThat(copyArchive.toString()).matches(".*/prefix/bin/llmo\\.cds/\\d+\\.\\d+\\.\\d+-\\d{14}\\.jsa");
        assertThat(Files.getLastModifiedTime(copyArchive)).isGreaterThan(made);
        assertThat(archives()).containsExactlyInAnyOrder(originalArchive, copyArchive);
        BinaryRun.Result copyWarm = run.exec(List.of(copy.toString(), "models", "--json"));
        assertThat(copyWarm.exitCode()).isZero();
        assertThat(copyWarm.err()).isEmpty();
        assertThat(copyWarm.out()).contains("\"id\":\"anthropic/claude-sonnet-4-5\"");
        assertThat(archives()).containsExactlyInAnyOrder(originalArchive, copyArchive);

        // -Xshare:on makes the JVM fail rather than quietly run without the archive: each archive serves its own file
        assertThat(strictlyWithArchive(copyArchive, copy).exitCode()).isZero();
        assertThat(strictlyWithArchive(originalArchive, original).exitCode()).isZero();
        assertThat(strictlyWithArchive(originalArchive, copy).exitCode()).isNotZero();
    }

    /**
     * JDK 17 takes none of an archive's classes from a class path that a URL writes otherwise (a space, here): a binary
     * at such a path keeps its archives under its path written with ~20 for the space, and starts every command from
     * its starter jar, whose class path names it through a link, so that its commands, short ones and model calls, map
     * their classes from the archives. An earlier build's directory of that binary, named with the space, is deleted.
     */
    @Test
    void aBinaryAtAPathWithASpaceTakesItsClassesFromItsArchives() throws Exception {
        Path binary = Files.createDirectories(home.resolve("my tools/bin")).resolve("llmo");
        Files.copy(BinaryRun.binary(), binary);
        Path earlier = Files.createDirectories(archiveDir(binary));
        Path dir = home.resolve("cache/llmo" + binary.toAbsolutePath().toString().replace(" ", "~20") + ".cds");
        BinaryRun on17 = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString())
                .env("JAVA_HOME", System.getProperty("java.home"));
        assertThat(on17.exec(List.of(binary.toString(), "--version")).exitCode()).isZero();
        await(dir, CALL_ARCHIVE, binary);
        assertThat(Files.readString(dir.resolve("binary"))).isEqualTo(binary.toAbsolutePath() + "\n");
        // the trainer's cleanup comes after its lock is gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(earlier) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(earlier).doesNotExist();
        int n = 0;
        for (List<String> args : List.of(List.of("--version"), List.of("models", "--json"), List.of("--help"),
                List.of("run", "--help"))) {
            Path log = home.resolve("spaced-" + n++ + ".log");
            String options = "-Xlog:class+load=info:file=" + log;
            List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
            command.addAll(args);
            BinaryRun.Result result = on17.env("JAVA_TOOL_OPTIONS", options).exec(command);
            assertThat(result.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(result.err()).isEqualTo("Picked up JAVA_TOOL_OPTIONS: " + options + "\n");
            assertThat(Files.readString(log)).as(String.join(" ", args)).contains("dev.llmo.Main source: shared objects file")
                    .doesNotContain("source: file:");
        }
        // completion's cache is keyed by the binary the shell runs, not by the starter jar it starts from
        assertThat(on17.exec(List.of(binary.toString(), "__complete", "models")).exitCode()).isZero();
        assertThat(Files.readAllLines(home.resolve("cache/llmo/complete/models")).get(1))
                .endsWith("\t" + binary.toAbsolutePath());

        // a JDK 25's AOT cache of that binary goes in the same directory, and its trainer's cleanup keeps it
        Path jdk = jdk25OrNewer();
        if (jdk != null) {
            BinaryRun on25 = BinaryRun.in(home).env("LLMO_CDS", "on")
                    .env("XDG_CACHE_HOME", home.resolve("cache").toString()).env("JAVA_HOME", jdk.toString())
                    .timeoutSeconds(TRAINING_BOUND_SECONDS);
            assertThat(on25.exec(List.of(binary.toString(), "--version")).exitCode()).isZero();
            Path aot = await(dir, ".aot", binary);
            Thread.sleep(2_000); // the cleanup comes after the lock is gone
            assertThat(aot).exists();
            assertThat(files(dir, CALL_ARCHIVE)).hasSize(1);
            Path log = home.resolve("spaced-25.log");
            String options = "-Xlog:class+load=info:file=" + log;
            BinaryRun.Result warm = on25.env("JAVA_TOOL_OPTIONS", options).exec(List.of(binary.toString(), "models"));
            assertThat(warm.exitCode()).isZero();
            assertThat(Files.readString(log)).contains("dev.llmo.cli.LlmoCli source: shared objects file");
        }
    }

    /**
     * The original binary's archive in this test's cache: BinaryRun's copied there, or, where BinaryRun could make none,
     * made here by a first start.
     */
    private Path originalArchive(BinaryRun run, Path original) throws Exception {
        String shared = BinaryRun.startUpArchive().get("XDG_CACHE_HOME");
        List<Path> made = shared == null ? List.of()
                : jsaFiles(BinaryRun.archiveDir(Path.of(shared), original));
        if (made.size() == 1) {
            Path dir = Files.createDirectories(archiveDir(original));
            return Files.copy(made.get(0), dir.resolve(made.get(0).getFileName()));
        }
        assertThat(run.run("--version").exitCode()).isZero();
        Path archive = awaitArchive(original);
        assertThat(archives()).containsExactly(archive);
        return archive;
    }

    /**
     * JDK 17 relocates the class archives at every start unless told otherwise: a command that uses little of them maps
     * them at the address they were made for, one that calls models (or holds keys) keeps them at a random address;
     * both take their classes from the archive, and nothing of the choice reaches stdout or stderr.
     */
    @Test
    void shortCommandsMapTheArchiveWhereItWasMadeAndModelCallsRelocateIt() throws Exception {
        Path binary = BinaryRun.binary();
        BinaryRun on17 = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString())
                .env("JAVA_HOME", System.getProperty("java.home"));
        originalArchive(on17, binary);
        record Case(boolean relocated, String... args) {
        }
        int n = 0;
        for (Case c : List.of(new Case(false, "--version"), new Case(false, "models", "--json"),
                new Case(false, "--no-color", "--help"), new Case(true, "run", "--help"),
                new Case(true, "--no-color", "chat", "--help"), new Case(true, "vault", "--help"),
                new Case(true, "models", "--remote", "--help"))) {
            Path log = home.resolve("cds-" + n++ + ".log");
            String options = "-Xlog:cds=info,class+load=info:file=" + log;
            BinaryRun.Result result = on17.env("JAVA_TOOL_OPTIONS", options).run(c.args());
            assertThat(result.exitCode()).as(String.join(" ", c.args())).isZero();
            assertThat(result.err()).isEqualTo("Picked up JAVA_TOOL_OPTIONS: " + options + "\n");
            String logged = Files.readString(log);
            assertThat(logged).contains("dev.llmo.Main source: shared objects file (top)");
            if (c.relocated()) {
                assertThat(logged).as(String.join(" ", c.args())).contains("ArchiveRelocationMode == 1");
            } else {
                assertThat(logged).as(String.join(" ", c.args())).doesNotContain("ArchiveRelocationMode == 1");
            }
            // G1 maps the module graph from the archive; the model calls take their exports from the jar's manifest,
            // not from an option that would turn it off (ADR-003, "Nineteenth round" and "Twentieth round")
            assertThat(logged).as(String.join(" ", c.args())).contains("full module graph: enabled");
        }
    }

    /**
     * JDK 17's {@code run} maps an archive of its own (the JDK's classes and llmo's of the training's runs, each run in
     * a JVM of its own), at a random address. One the JVM refuses (as it refuses an archive made by another JDK build,
     * after the JDK was updated in place) is deleted with the general one beside it, so that the next start makes
     * both again, instead of every run going without an archive.
     */
    @Test
    void aRunMapsAnArchiveOfItsOwnAndOneTheJvmRefusesIsDeleted() throws Exception {
        Path binary = BinaryRun.binary();
        String shared = BinaryRun.startUpArchive().get("XDG_CACHE_HOME");
        assumeTrue(shared != null, "no start-up archive could be made here");
        Path sharedDir = BinaryRun.archiveDir(Path.of(shared), binary);
        List<Path> calls = files(sharedDir, CALL_ARCHIVE);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getFileName().toString()).matches("\\d+\\.\\d+\\.\\d+-\\d{14}\\.call\\.jsa");
        BinaryRun on17 = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString())
                .env("JAVA_HOME", System.getProperty("java.home"));
        Path general = originalArchive(on17, binary);
        Path call = Files.copy(calls.get(0), archiveDir(binary).resolve(calls.get(0).getFileName()));
        // the archive is made for the starter jar's class path: the run starts from it, through links to the same
        // files (the JVM compares the files, not their names)
        String id = calls.get(0).getFileName().toString().replace(CALL_ARCHIVE, "");
        Path starter = sharedDir.resolve(id + ".start.jar");
        Path link = sharedDir.resolve(id + ".jar");
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(starter.toFile())) {
            assertThat(jar.stream().map(java.util.jar.JarEntry::getName)).containsExactly("META-INF/MANIFEST.MF",
                    "META-INF/services/java.lang.System$LoggerFinder");
            java.util.jar.Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.llmo.Main");
            assertThat(main.getValue("Add-Exports"))
                    .isEqualTo("java.base/sun.security.jca java.base/sun.net.www.protocol.http");
            assertThat(main.getValue("Class-Path")).isEqualTo(id + ".finder.jar " + id + ".jar");
        }
        assertThat(Files.readSymbolicLink(link)).isEqualTo(binary.toAbsolutePath());
        Files.createSymbolicLink(archiveDir(binary).resolve(starter.getFileName()), starter);
        Files.createSymbolicLink(archiveDir(binary).resolve(link.getFileName()), link);
        Files.createSymbolicLink(archiveDir(binary).resolve(id + ".finder.jar"), sharedDir.resolve(id + ".finder.jar"));

        BinaryRun.Result settings = BinaryRun.in(home).env("LLMO_CDS", "on")
                .env("XDG_CACHE_HOME", home.resolve("cache").toString()).env("JAVA_HOME", System.getProperty("java.home"))
                .env("JDK_JAVA_OPTIONS", "-XshowSettings:properties").run("run", "--help");
        assertThat(settings.exitCode()).isZero();
        assertThat(settings.err()).contains("java.class.path = " + archiveDir(binary).resolve(starter.getFileName()));

        Path log = home.resolve("call.log");
        String options = "-Xlog:cds=info,class+load=info:file=" + log;
        BinaryRun.Result help = BinaryRun.in(home).env("LLMO_CDS", "on")
                .env("XDG_CACHE_HOME", home.resolve("cache").toString()).env("JAVA_HOME", System.getProperty("java.home"))
                .env("JAVA_TOOL_OPTIONS", options).run("run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: llmo run");
        String logged = Files.readString(log);
        assertThat(logged).contains("dev.llmo.Main source: shared objects file\n").contains("ArchiveRelocationMode == 1")
                .doesNotContain("source: shared objects file (top)");

        // another JDK build's archive: the same bytes but for the JVM's identity in the header
        byte[] bytes = Files.readAllBytes(call);
        String head = new String(bytes, 0, 4096, java.nio.charset.StandardCharsets.ISO_8859_1);
        int version = head.indexOf(System.getProperty("java.vm.version"));
        assertThat(version).isPositive();
        bytes[version] = (byte) (bytes[version] == '9' ? '8' : '9');
        call.toFile().setWritable(true);
        Files.write(call, bytes);
        BinaryRun.Result refused = on17.run("run", "--help");
        assertThat(refused.exitCode()).isZero();
        assertThat(refused.out()).contains("Usage: llmo run");
        assertThat(refused.err()).isEmpty();
        assertThat(call).doesNotExist();
        assertThat(general).doesNotExist();
    }

    /**
     * On a JDK 25 or newer the launcher makes and uses an AOT cache instead, one per JDK; JDK 17 keeps its archive
     * beside it. The JDK 17 archive is there first (BinaryRun's, as in the copy's test): the AOT cache's training
     * must leave it, and JDK 17 go on using it, so that one training here shows both kinds side by side.
     */
    @Test
    void aJdk25OrNewerGetsAnAotCacheAndJdk17ItsArchive() throws Exception {
        Path jdk = jdk25OrNewer();
        assumeTrue(jdk != null, "no JDK 25 or newer in /usr/lib/jvm or LLMO_TEST_JDK25");
        Path binary = BinaryRun.binary();
        Path dir = archiveDir(binary);
        BinaryRun on17 = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString())
                .env("JAVA_HOME", System.getProperty("java.home"));
        Path archive = originalArchive(on17, binary);
        FileTime archived = Files.getLastModifiedTime(archive);
        BinaryRun on25 = BinaryRun.in(home).env("LLMO_CDS", "on").env("XDG_CACHE_HOME", home.resolve("cache").toString())
                .env("JAVA_HOME", jdk.toString()).timeoutSeconds(TRAINING_BOUND_SECONDS);

        BinaryRun.Result first = on25.run("--version");
        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).contains(", Java " + release(jdk, "JAVA_VERSION"));
        Path cache = await(dir, ".aot", binary);
        assertThat(cache.getFileName().toString()).matches("\\d+\\.\\d+\\.\\d+-\\d{14}\\.jdk-"
                + java.util.regex.Pattern.quote(release(jdk, "JAVA_RUNTIME_VERSION")) + "\\.aot");
        assertThat(files(dir, ".jsa")).containsExactly(archive);
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(archived);

        // used: llmo's classes come from the cache, and nothing of it reaches stdout or stderr
        Path loaded = home.resolve("classes.log");
        BinaryRun.Result warm = on25.env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + loaded)
                .run("models", "--json");
        assertThat(warm.exitCode()).isZero();
        assertThat(warm.err()).isEqualTo("Picked up JAVA_TOOL_OPTIONS: -Xlog:class+load=info:file=" + loaded + "\n");
        assertThat(warm.out()).startsWith("{\"id\":");
        assertThat(Files.readString(loaded)).contains("dev.llmo.cli.LlmoCli source: shared objects file");
        // a command that calls models too: the JVM refuses the cache to one started with other module options
        Path loadedRun = home.resolve("classes-run.log");
        BinaryRun.Result runHelp = on25.env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + loadedRun)
                .run("run", "--help");
        assertThat(runHelp.exitCode()).isZero();
        assertThat(Files.readString(loadedRun)).contains("dev.llmo.cli.LlmoCli source: shared objects file");

        // JDK 17 beside it still takes its class archive, and leaves the cache alone
        Path loaded17 = home.resolve("classes17.log");
        BinaryRun.Result warm17 = on17.env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + loaded17)
                .run("--version");
        assertThat(warm17.out()).contains(", Java 17");
        assertThat(Files.readString(loaded17)).contains("dev.llmo.Main source: shared objects file");
        assertThat(files(dir, ".jsa")).containsExactly(archive);
        assertThat(files(dir, ".lock")).isEmpty();
        assertThat(files(dir, ".aot")).containsExactly(cache);
    }

    /** A JDK 25 or newer: LLMO_TEST_JDK25, else the newest such in /usr/lib/jvm; null when there is none. */
    private static Path jdk25OrNewer() throws Exception {
        String given = System.getenv("LLMO_TEST_JDK25");
        if (given != null) {
            return Path.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && !Files.isSymbolicLink(h))
                    .filter(h -> major(release(h, "JAVA_VERSION")) >= 25).findFirst().orElse(null);
        }
    }

    private static int major(String version) {
        java.util.regex.Matcher digits = java.util.regex.Pattern.compile("^\\d+").matcher(version);
        return digits.find() ? Integer.parseInt(digits.group()) : 0;
    }

    /** A value of the JDK's release file, unquoted ("" when absent). */
    private static String release(Path jdk, String key) {
        try {
            return Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith(key + "="))
                    .map(l -> l.substring(key.length() + 1).replace("\"", "")).findFirst().orElse("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Waits (bounded) for the one file ending in {@code suffix} in {@code dir}, made after the binary, its maker done. */
    private static Path await(Path dir, String suffix, Path binary) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            List<Path> found = files(dir, suffix);
            if (found.size() == 1 && files(dir, ".lock").isEmpty()
                    && Files.getLastModifiedTime(found.get(0)).compareTo(Files.getLastModifiedTime(binary)) > 0) {
                return found.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + suffix + " for " + binary + " in " + dir + " after " + TRAINING_BOUND_SECONDS
                + " s: " + files(dir, ""));
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private BinaryRun.Result strictlyWithArchive(Path archive, Path binary) throws Exception {
        return BinaryRun.in(home).exec(List.of("java", "-Xshare:on", "-XX:SharedArchiveFile=" + archive,
                "-cp", binary.toString(), "dev.llmo.Main", "--version")); // as the launcher starts it
    }

    /**
     * Waits (bounded) until the binary's general archive, under the cache at the binary's own path, exists and is newer
     * than it, and its maker is done (the run's archive is made after it).
     */
    private Path awaitArchive(Path binary) throws Exception {
        Path dir = archiveDir(binary);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            List<Path> found = jsaFiles(dir);
            if (found.size() == 1 && files(dir, ".lock").isEmpty()
                    && Files.getLastModifiedTime(found.get(0)).compareTo(Files.getLastModifiedTime(binary)) > 0) {
                return found.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no start-up archive for " + binary + " in " + dir + " after "
                + TRAINING_BOUND_SECONDS + " s: " + jsaFiles(dir));
    }

    /** Where the launcher keeps {@code binary}'s archives in this test's cache. */
    private Path archiveDir(Path binary) {
        return BinaryRun.archiveDir(home.resolve("cache"), binary);
    }

    private List<Path> archives() throws Exception {
        return jsaFiles(home.resolve("cache/llmo"));
    }

    /** The general archives under {@code dir} (not the ones of {@code run}). */
    private static List<Path> jsaFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".jsa") && !f.toString().endsWith(CALL_ARCHIVE)).toList();
        }
    }
}
