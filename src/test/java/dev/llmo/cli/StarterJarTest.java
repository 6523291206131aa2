package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarterJarTest {
    @TempDir
    Path dir;

    @Test
    void theStarterHoldsOnlyAManifestWithTheBinarysMainClassAndExportsAndTheLinkOnItsClassPath() throws Exception {
        Path binary = binary("dev.llmo.Main", "java.base/sun.security.jca", "dev.llmo.LibraryLogs$Finder\n");
        Path cds = Files.createDirectories(dir.resolve("cache/llmo/opt/my tools/llmo.cds"));
        Path starter = cds.resolve("0.2.0-20261206221218.start.jar");

        assertThat(StarterJar.make(starter, binary)).isTrue();

        Path link = cds.resolve("0.2.0-20261206221218.jar");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(binary);
        try (JarFile jar = new JarFile(starter.toFile())) {
            assertThat(jar.stream().map(JarEntry::getName)).containsExactly("META-INF/MANIFEST.MF",
                    StarterJar.LOGGER_FINDER);
            assertThat(jar.getInputStream(jar.getJarEntry(StarterJar.LOGGER_FINDER)).readAllBytes())
                    .asString().isEqualTo("dev.llmo.LibraryLogs$Finder\n");
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("dev.llmo.Main");
            assertThat(main.getValue("Add-Exports")).isEqualTo("java.base/sun.security.jca");
            assertThat(main.getValue(Attributes.Name.CLASS_PATH))
                    .isEqualTo("0.2.0-20261206221218.finder.jar 0.2.0-20261206221218.jar");
        }
        assertThat(Files.readSymbolicLink(cds.resolve("0.2.0-20261206221218.finder.jar")))
                .isEqualTo(Path.of("0.2.0-20261206221218.start.jar"));
        try (var files = Files.list(cds)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "0.2.0-20261206221218.start.jar", "0.2.0-20261206221218.jar", "0.2.0-20261206221218.finder.jar");
        }
        // the class path a JVM started from it has: the starter, itself again through the link, then the binary
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(
                new java.net.URL[] {starter.toUri().toURL()}, null)) {
            assertThat(java.util.Collections.list(loader.getResources(StarterJar.LOGGER_FINDER)))
                    .map(url -> url.toString().replaceAll("!.*", "").replaceAll(".*/", ""))
                    .containsExactly("0.2.0-20261206221218.start.jar", "0.2.0-20261206221218.finder.jar",
                            "0.2.0-20261206221218.jar");
            assertThat(loader.getResource("dev/llmo/Main.class").toString()).endsWith("0.2.0-20261206221218.jar"
                    + "!/dev/llmo/Main.class");
        }

        // made again (a training after the last): the same two files, the link replaced
        assertThat(StarterJar.make(starter, binary)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(binary);
    }

    @Test
    void aNameAManifestCouldNotHoldAsIsOrABinaryWithoutAMainClassLeavesNoStarter() throws Exception {
        Path binary = binary("dev.llmo.Main", null, null);
        Path spaced = dir.resolve("a b.start.jar");
        Files.writeString(spaced, "an older one");
        assertThat(StarterJar.make(spaced, binary)).isFalse();
        assertThat(spaced).doesNotExist();
        assertThat(StarterJar.make(dir.resolve("x.jar"), binary)).isFalse();

        Path noMain = binary(null, null, null);
        Path starter = dir.resolve("1.start.jar");
        assertThat(StarterJar.make(starter, noMain)).isFalse();
        assertThat(starter).doesNotExist();
        assertThat(dir.resolve("1.jar")).doesNotExist();
        assertThat(dir.resolve("1.finder.jar")).doesNotExist();
    }

    @Test
    void aBinaryWithoutExportsOrFinderGivesAStarterWithoutThem() throws Exception {
        Path starter = dir.resolve("2.start.jar");
        assertThat(StarterJar.make(starter, binary("dev.llmo.Main", null, null))).isTrue();
        try (JarFile jar = new JarFile(starter.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Add-Exports")).isNull();
            assertThat(jar.stream().map(JarEntry::getName)).containsExactly("META-INF/MANIFEST.MF");
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH))
                    .isEqualTo("2.finder.jar 2.jar");
        }
        assertThat(Files.readSymbolicLink(dir.resolve("2.finder.jar"))).isEqualTo(Path.of("2.start.jar"));
    }

    private Path binary(String mainClass, String exports, String finder) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        if (exports != null) {
            manifest.getMainAttributes().putValue("Add-Exports", exports);
        }
        Path binary = Files.createTempFile(dir, "llmo", "");
        try (OutputStream out = Files.newOutputStream(binary); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("dev/llmo/Main.class"));
            jar.write(new byte[] {(byte) 0xca, (byte) 0xfe});
            jar.closeEntry();
            if (finder != null) {
                jar.putNextEntry(new JarEntry(StarterJar.LOGGER_FINDER));
                jar.write(finder.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return binary;
    }
}
