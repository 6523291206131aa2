package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.llmo.failure.FailureException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the vault session's socket lives without XDG_RUNTIME_DIR: in the user's own cache directory, where no other
 * user can make the directory first; a directory another user made is refused with a fix that can work.
 */
class VaultSessionDirectoryTest {
    @TempDir
    Path home;

    @Test
    void withoutARuntimeDirTheSocketsAreInTheCacheDirectoryOfHome() throws Exception {
        Path runtime = Files.createDirectory(home.resolve("run"));

        assertThat(VaultSession.directory(Map.of("HOME", home.toString())))
                .isEqualTo(home.resolve(".cache/llmo/sessions"));
        assertThat(VaultSession.directory(Map.of("HOME", home.toString(), "XDG_CACHE_HOME",
                home.resolve("c").toString()))).isEqualTo(home.resolve("c/llmo/sessions"));
        assertThat(VaultSession.directory(Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", runtime.toString())))
                .isEqualTo(runtime.resolve("llmo"));
    }

    @Test
    void aCacheDirectoryTooLongForASocketsAddressFallsBackToTheTemporaryDirectory() {
        String deep = home.resolve("d".repeat(90)).toString();

        assertThat(VaultSession.directory(Map.of("HOME", deep))).isEqualTo(Path.of(System.getProperty(
                "java.io.tmpdir"), "llmo-" + System.getProperty("user.name")));
    }

    @Test
    void aSessionStartsInTheCacheDirectoryMadeOwnerOnly() throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        VaultSession session = startSession(home.resolve("vault.enc"), env);
        try {
            assertThat(session.socket().getParent()).isEqualTo(home.resolve(".cache/llmo/sessions"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session.socket().getParent())))
                    .isEqualTo("rwx------");
            assertThat(session.expires()).isPresent();
        } finally {
            assertThat(VaultSession.lockAll(env)).isEqualTo(1);
        }
    }

    @Test
    void lockEndsASessionUnlockedWithoutTheRuntimeDirFromAShellThatHasOne() throws Exception {
        Map<String, String> noRuntime = Map.of("HOME", home.toString());
        Path runtime = Files.createDirectory(home.resolve("run"));
        Map<String, String> withRuntime = Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", runtime.toString());
        VaultSession session = startSession(home.resolve("vault.enc"), noRuntime);
        assertThat(VaultSession.directory(withRuntime)).isNotEqualTo(session.socket().getParent());

        assertThat(VaultSession.lockAll(withRuntime)).isEqualTo(1);
        assertThat(session.socket()).doesNotExist();
        assertThat(VaultSession.lockAll(noRuntime)).isZero();
    }

    @Test
    void aSessionWhoseDirectoryWasOpenedToOthersIsNotUsedAndTheLockedVaultSaysWhy() throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        Path file = home.resolve("vault.enc");
        VaultSession session = startSession(file, env);
        Path directory = session.socket().getParent();
        try {
            assertThat(session.refusal()).isEmpty();
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));

            assertThat(session.refusal()).contains("its directory " + directory + " is not private to you (fix: "
                    + "chmod 700 " + directory + ")");
            VaultKeys keys = new VaultKeys(TestVaults.fast(file), PasswordSource.environment(Map.of()),
                    java.util.Optional.of(session));
            assertThatThrownBy(() -> keys.secret("A")).hasMessageContaining("is locked")
                    .hasMessageEndingWith("; the session of LLMO_VAULT_SESSION was not used: its directory " + directory
                            + " is not private to you (fix: chmod 700 " + directory + ")");
            // not used, but closed: it must not keep the key until it expires
            assertThat(VaultSession.lockAll(env)).isEqualTo(1);
            assertThat(session.socket()).doesNotExist();
        } finally {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aSessionDirectoryReplacedByALinkIsRefusedWithAFixThatWorks() throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        VaultSession session = startSession(home.resolve("vault.enc"), env);
        Path directory = session.socket().getParent();
        Path real = Files.move(directory, home.resolve("elsewhere"));
        Files.createSymbolicLink(directory, real);
        try {
            assertThat(session.refusal()).contains("its directory " + directory + " is a link, and only a real "
                    + "directory of yours is used (fix: remove the link and unlock again)");
        } finally {
            Files.delete(directory);
            Files.move(real, directory);
            assertThat(VaultSession.lockAll(env)).isEqualTo(1);
        }
    }

    @Test
    void aDirectoryAnotherUserMadeIsRefusedNamingXdgRuntimeDirNotChmod() throws Exception {
        assumeThat(System.getProperty("user.name")).as("only root can give a directory to another user")
                .isEqualTo("root");
        Path squatted = Files.createDirectory(home.resolve("llmo-root"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(squatted, FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName("nobody"));

        assertThatThrownBy(() -> VaultSession.privateDirectory(squatted)).isInstanceOf(FailureException.class)
                .hasMessage("the directory of vault sessions " + squatted + " belongs to another user (nobody)")
                .satisfies(e -> assertThat(((FailureException) e).fix()).isEqualTo("set XDG_RUNTIME_DIR to a "
                        + "directory of your own with mode 0700, e.g. mkdir -m 700 ~/.run && export "
                        + "XDG_RUNTIME_DIR=~/.run"));
    }

    @Test
    void anOwnDirectoryOpenToOthersIsRefusedWithChmod() throws Exception {
        Path open = Files.createDirectory(home.resolve("open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThatThrownBy(() -> VaultSession.privateDirectory(open)).isInstanceOf(FailureException.class)
                .hasMessageContaining("is not private to you")
                .satisfies(e -> assertThat(((FailureException) e).fix()).contains("chmod 700 " + open));
    }

    /** A session of a new vault at {@code file}, open for a minute, started with {@code env}. */
    private static VaultSession startSession(Path file, Map<String, String> env) {
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            return VaultSession.start(vault, Duration.ofMinutes(1), env);
        }
    }
}
