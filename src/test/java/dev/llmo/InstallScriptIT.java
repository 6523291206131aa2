package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/install as the README has a new user run it, after the build the end-to-end tests use. */
class InstallScriptIT {
    private static final String SCRIPT = Path.of("scripts/install").toAbsolutePath().toString();

    @TempDir
    Path home;

    /** No start-up archive for the copy: its training would cost seconds of CPU and is LauncherIT's subject. */
    private BinaryRun install() {
        return BinaryRun.in(home).env("LLMO_CDS", "off");
    }

    @Test
    void installsTheBuiltBinaryUnderThePrefixAndSaysHowToPutItOnThePath() throws Exception {
        Path prefix = home.resolve("opt/llmo");

        BinaryRun.Result result = install().exec(List.of(SCRIPT, "--prefix", prefix.toString()));

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path installed = prefix.resolve("bin/llmo");
        assertThat(Files.mismatch(installed, BinaryRun.binary())).isEqualTo(-1L);
        assertThat(Files.isExecutable(installed)).isTrue();
        assertThat(result.out()).startsWith("llmo ").contains("installed " + installed + "; add it to your PATH");
        // the temporary copy the atomic move came from is gone
        try (var left = Files.list(prefix.resolve("bin"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".llmo."));
        }
    }

    @Test
    void aRelativePrefixIsTakenFromTheWorkingDirectoryAndShownAbsolute() throws Exception {
        BinaryRun.Result result = install().workingDir(home).exec(List.of(SCRIPT, "--prefix", "inst"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path installed = home.resolve("inst/bin/llmo");
        assertThat(Files.mismatch(installed, BinaryRun.binary())).isEqualTo(-1L);
        assertThat(result.out()).contains("installed " + installed + "; add it to your PATH: export PATH=\""
                + home.resolve("inst/bin") + ":$PATH\"");
    }

    @Test
    void helpAndBadArgumentsInstallNothing() throws Exception {
        BinaryRun.Result help = install().env("PREFIX", home.resolve("p").toString()).exec(List.of(SCRIPT, "--help"));
        BinaryRun.Result unknown = install().env("PREFIX", home.resolve("p").toString()).exec(List.of(SCRIPT, "--prefx", "x"));
        BinaryRun.Result empty = install().exec(List.of(SCRIPT, "--prefix="));

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: scripts/install [--prefix DIR]").contains("Examples:");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("scripts/install: unknown argument '--prefx'; see scripts/install --help\n");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("--prefix needs a directory");
        assertThat(home.resolve("p")).doesNotExist();
    }
}
