package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.FAST;
import static dev.llmo.vault.TestVaults.T0;
import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storing, listing, removing, changing the password, and what happens when two writers meet. */
class VaultOperationsTest {
    @TempDir
    Path dir;

    /** A vault.enc that is a symbolic link (a dotfile manager's) stays one: its target is what a write replaces. */
    @Test
    void aSymbolicLinkIsWrittenThroughToItsTarget() throws Exception {
        Path dotfiles = Files.createDirectories(dir.resolve("dotfiles/llmo"));
        Path target = dotfiles.resolve("vault.enc");
        Path file = Files.createDirectories(dir.resolve("home")).resolve("vault.enc");
        Files.createSymbolicLink(file, Path.of("../dotfiles/llmo/vault.enc")); // relative, as stow makes them
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            assertThat(vault.put("OPENAI_API_KEY", "sk-1")).isTrue();
        }
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            assertThat(vault.put("ANTHROPIC_API_KEY", "sk-ant")).isTrue();
        }
        assertThat(Files.isSymbolicLink(file)).isTrue();
        try (UnlockedVault vault = TestVaults.fast(target).unlock(pw("pw"))) {
            assertThat(vault.entries()).extracting(VaultEntry::name).containsExactly("ANTHROPIC_API_KEY", "OPENAI_API_KEY");
        }
        try (var left = Files.list(dir.resolve("home"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file beside the link")
                    .allMatch(name -> name.equals("vault.enc") || name.equals("vault.enc.lock"));
        }
    }

    @Test
    void putListGetRemove() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            assertThat(vault.put("OPENAI_API_KEY", "sk-1")).isTrue();
            assertThat(vault.put("ANTHROPIC_API_KEY", "sk-ant")).isTrue();
        }
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            assertThat(vault.entries()).extracting(VaultEntry::name).containsExactly("ANTHROPIC_API_KEY", "OPENAI_API_KEY");
            assertThat(vault.secret("OPENAI_API_KEY")).contains("sk-1");
            assertThat(vault.secret("MISSING")).isEmpty();
            assertThat(vault.remove("ANTHROPIC_API_KEY")).isTrue();
            assertThat(vault.remove("ANTHROPIC_API_KEY")).isFalse();
        }
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            assertThat(vault.entries()).extracting(VaultEntry::name).containsExactly("OPENAI_API_KEY");
        }
    }

    @Test
    void replacingAValueKeepsItsCreationDate() {
        Path file = dir.resolve("vault.enc");
        Instant later = T0.plusSeconds(3600);
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("K", "one");
        }
        try (UnlockedVault vault = TestVaults.fast(file, FAST, Clock.fixed(later, ZoneOffset.UTC)).unlock(pw("pw"))) {
            assertThat(vault.put("K", "two")).isFalse();
            assertThat(vault.entries()).containsExactly(new VaultEntry("K", T0, later));
            assertThat(vault.secret("K")).contains("two");
        }
    }

    @Test
    void createNeverOverwritesAnExistingVault() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> TestVaults.fast(file).create(pw("other")))
                .isInstanceOf(UsageException.class)
                .hasMessage("a vault already exists at " + file);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void emptyPasswordsAreRefused() {
        Path file = dir.resolve("vault.enc");
        assertThatThrownBy(() -> TestVaults.fast(file).create(new char[0])).isInstanceOf(UsageException.class)
                .hasMessage("the vault password is empty");
        TestVaults.fast(file).create(pw("pw")).close();
        assertThatThrownBy(() -> TestVaults.fast(file).unlock(new char[0])).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("no password given");
    }

    @Test
    void unlockingAMissingVaultSaysHowToCreateOne() {
        Path file = dir.resolve("vault.enc");
        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("pw")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("there is no vault at " + file);
    }

    @Test
    void changePasswordKeepsEveryEntryAndRetiresTheOldPassword() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("old"))) {
            vault.put("K", "v");
            vault.changePassword(pw("new"));
            vault.put("K2", "v2");  // the open vault keeps working with the new key
        }

        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("old"))).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("wrong password");
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("new"))) {
            assertThat(vault.secret("K")).contains("v");
            assertThat(vault.secret("K2")).contains("v2");
        }
    }

    @Test
    void aWriterWhoseFileChangedPasswordMeanwhileIsStoppedAndTheFileKept() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("old")).close();
        try (UnlockedVault first = TestVaults.fast(file).unlock(pw("old"));
             UnlockedVault second = TestVaults.fast(file).unlock(pw("old"))) {
            second.changePassword(pw("new"));
            byte[] afterChange = Files.readAllBytes(file);

            assertThatThrownBy(() -> first.put("K", "v"))
                    .isInstanceOf(CredentialsException.class)
                    .hasMessageContaining("was changed by another llmo process");
            assertThat(Files.readAllBytes(file)).isEqualTo(afterChange);
        }
    }

    @Test
    void writersInterleaveWithoutLosingEachOthersEntries() {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();
        try (UnlockedVault a = TestVaults.fast(file).unlock(pw("pw"));
             UnlockedVault b = TestVaults.fast(file).unlock(pw("pw"))) {
            a.put("A", "1");
            b.put("B", "2");  // b read the file before a's write; the write under the lock reads it again
            a.remove("B");
            b.put("C", "3");
        }
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            assertThat(vault.entries()).extracting(VaultEntry::name).containsExactly("A", "C");
        }
    }

    @Test
    void aHeldLockMakesAnotherWriterGiveUpWithABusyMessage() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();
        AtomicReference<Throwable> other = new AtomicReference<>();
        try (VaultFiles.WriterLock held = VaultFiles.lock(file, Duration.ofSeconds(1))) {
            Thread thread = new Thread(() -> {
                try {
                    VaultFiles.lock(file, Duration.ofMillis(200)).close();
                } catch (Throwable e) {
                    other.set(e);
                }
            });
            thread.start();
            thread.join();
        }
        assertThat(other.get()).isInstanceOf(FailureException.class)
                .hasMessage("the vault " + file.toAbsolutePath() + " is busy: another llmo process is changing it");
        VaultFiles.lock(file, Duration.ofMillis(200)).close();  // released: free again
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsRemovedByTheNextWrite() throws Exception {
        Path file = dir.resolve("vault.enc");
        Path stale = dir.resolve(".vault.enc.0123456789abcdef.tmp");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            Files.writeString(stale, "half a vault");
            vault.put("K", "v");
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void toStringNeverShowsAValueOrTheKey() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("K", "sk-secret-value");
            VaultContents contents = new VaultContents(java.util.Map.of("K",
                    new VaultContents.Secret("sk-secret-value", T0, T0)));
            assertThat(vault.toString()).doesNotContain("sk-secret-value").contains("1 entries");
            assertThat(contents.toString()).doesNotContain("sk-secret-value");
            assertThat(contents.get("K").orElseThrow().toString()).doesNotContain("sk-secret-value").contains("redacted");
        }
    }

    @Test
    void closingZeroesTheKeySoNoFurtherWriteIsPossible() {
        Path file = dir.resolve("vault.enc");
        UnlockedVault vault = TestVaults.fast(file).create(pw("pw"));
        vault.close();
        assertThatThrownBy(() -> vault.put("K", "v")).isInstanceOf(IllegalStateException.class)
                .hasMessage("vault key used after close");
    }
}
