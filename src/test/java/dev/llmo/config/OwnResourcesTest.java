package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llmo's own resources read where its classes are: a classes directory (tests, IDEs) or the jar (the binary). */
class OwnResourcesTest {
    @Test
    void readsTheBuiltInFilesAsTheClassLoaderDoes() throws IOException {
        for (String path : new String[] {"/dev/llmo/defaults/models.yaml", "/dev/llmo/defaults/config.yaml",
                ConfigSnapshot.RESOURCE}) {
            try (InputStream own = OwnResources.open(path); InputStream loader = OwnResources.class
                    .getResourceAsStream(path)) {
                assertThat(own).as(path).isNotNull();
                assertThat(own.readAllBytes()).as(path).isEqualTo(loader.readAllBytes());
            }
        }
        assertThat(OwnResources.open("/dev/llmo/defaults/no-such-file.yaml")).isNull();
    }

    @Test
    void theBuildBundlesTheBuiltInFilesByteForByte() throws IOException {
        // the build step (ConfigSnapshot.main) compiled the bundle into the classes directory the tests run from
        for (String path : new String[] {"/dev/llmo/defaults/models.yaml", "/dev/llmo/defaults/config.yaml",
                ConfigSnapshot.RESOURCE}) {
            byte[] bundled = OwnResources.bundled(path);
            try (InputStream loader = OwnResources.class.getResourceAsStream(path)) {
                assertThat(bundled).as(path).isNotNull().isEqualTo(loader.readAllBytes());
            }
        }
        assertThat(OwnResources.bundled("/dev/llmo/defaults/no-such-file.yaml")).isNull();
    }

    @Test
    void aBundlesLiteralsEscapeWhatAJavaStringCannotHoldAsIs() {
        String source = ResourceBundling.source("dev.llmo.config.X",
                java.util.Map.of("/a", new byte[] {0, '7', '"', '\\', '\n', (byte) 0xff, 'z'}));

        // three octal digits each, so that the digit after the first escape is not read into it; no \\u escape,
        // which javac would turn into a line feed before reading the literal
        assertThat(source).contains("OwnResources.bundle(\"/a\",\n                \"\\0007\\042\\134\\012\\377z\");")
                .doesNotContain("\\u");
    }

    @Test
    void readsFromAJarWhoseNameNeedsEscaping(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("a jar with spaces#1.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("dev/llmo/defaults/x.yaml"));
            out.write("x: 1\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (InputStream in = OwnResources.open(jar.toUri().toURL(), "/dev/llmo/defaults/x.yaml")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("x: 1\n");
        }
        assertThat(OwnResources.open(jar.toUri().toURL(), "/dev/llmo/defaults/y.yaml")).isNull();
        // where a jar: address cannot point, or nothing is found, the class loader's copy is read
        Path odd = Files.createDirectories(dir.resolve("x!")).resolve("llmo.jar");
        Files.copy(jar, odd);
        try (InputStream in = OwnResources.open(odd.toUri().toURL(), "/dev/llmo/defaults/models.yaml");
             InputStream loader = OwnResources.class.getResourceAsStream("/dev/llmo/defaults/models.yaml")) {
            assertThat(in.readAllBytes()).isEqualTo(loader.readAllBytes());
        }
        Path classes = Files.createDirectories(dir.resolve("classes dir/dev/llmo/defaults"));
        Files.writeString(classes.resolve("x.yaml"), "y: 2\n");
        try (InputStream in = OwnResources.open(dir.resolve("classes dir").toUri().toURL(),
                "/dev/llmo/defaults/x.yaml")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("y: 2\n");
        }
    }
}
