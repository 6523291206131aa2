package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.CredentialsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup key resolution calls: lazy, at most one unlock (and one password request) per instance. */
class VaultKeysTest {
    @TempDir
    Path dir;

    @Test
    void noVaultFileMeansNoSecretAndNoPasswordRequest() {
        AtomicInteger asked = new AtomicInteger();
        VaultKeys keys = new VaultKeys(TestVaults.fast(dir.resolve("vault.enc")), (f, why) -> {
            asked.incrementAndGet();
            return pw("pw");
        });

        assertThat(keys.secret("OPENAI_API_KEY")).isEmpty();
        assertThat(asked).hasValue(0);
        assertThat(keys.isUnlocked()).isFalse();
    }

    @Test
    void unlocksOnceForManyLookupsAndZeroesThePasswordItWasGiven() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("OPENAI_API_KEY", "sk-1");
            vault.put("GEMINI_API_KEY", "g-1");
        }
        List<char[]> handedOut = new ArrayList<>();
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> {
            char[] password = pw("pw");
            handedOut.add(password);
            return password;
        });
        assertThat(keys.isUnlocked()).isFalse();

        assertThat(keys.secret("OPENAI_API_KEY")).contains("sk-1");
        assertThat(keys.secret("GEMINI_API_KEY")).contains("g-1");
        assertThat(keys.secret("ANTHROPIC_API_KEY")).isEmpty();

        assertThat(handedOut).hasSize(1);
        assertThat(handedOut.get(0)).containsOnly('\0');
        assertThat(keys.isUnlocked()).isTrue();
    }

    @Test
    void aFailedUnlockIsRememberedNotRetried() {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();
        AtomicInteger asked = new AtomicInteger();
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> {
            asked.incrementAndGet();
            return pw("wrong");
        });

        assertThatThrownBy(() -> keys.secret("A")).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("wrong password");
        assertThatThrownBy(() -> keys.secret("B")).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("wrong password");
        assertThat(asked).hasValue(1);
    }

    /** A model call's warm-up opens the vault with the session's key; it never asks for a password. */
    @Test
    void openWithSessionUnlocksWithTheSessionsKeyAndNeverAsks(@org.junit.jupiter.api.io.TempDir Path runtime)
            throws Exception {
        Path file = dir.resolve("vault.enc");
        java.util.Map<String, String> env = java.util.Map.of("XDG_RUNTIME_DIR", runtime.toString());
        VaultSession session;
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("A", "secret-a");
            session = VaultSession.start(vault, java.time.Duration.ofMinutes(1), env);
        }
        AtomicInteger asked = new AtomicInteger();
        try {
            VaultKeys withSession = new VaultKeys(TestVaults.fast(file), (f, why) -> {
                asked.incrementAndGet();
                return pw("pw");
            }, java.util.Optional.of(session));
            VaultKeys without = new VaultKeys(TestVaults.fast(file), (f, why) -> {
                asked.incrementAndGet();
                return pw("pw");
            }, java.util.Optional.empty());

            withSession.openWithSession();
            without.openWithSession();

            assertThat(withSession.isUnlocked()).isTrue();
            assertThat(without.isUnlocked()).isFalse();
            assertThat(asked).hasValue(0);
            assertThat(withSession.secret("A")).contains("secret-a");
        } finally {
            session.lock();
        }
    }

    /** A chat's next turn: the password can be typed again, and the right one unlocks. */
    @Test
    void afterForgetFailureTheNextNeedAsksAgain() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("A", "secret-a");
        }
        java.util.Deque<String> typed = new java.util.ArrayDeque<>(List.of("wrong", "pw"));
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> pw(typed.pop()));

        assertThatThrownBy(() -> keys.secret("A")).isInstanceOf(CredentialsException.class);
        keys.forgetFailure();

        assertThat(keys.secret("A")).contains("secret-a");
    }

    /** Ctrl-C at the password prompt cancels the question; it is not a wrong answer to keep. */
    @Test
    void aCancelledQuestionIsNotRememberedAsAFailure() {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("A", "secret-a");
        }
        AtomicInteger asked = new AtomicInteger();
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> {
            if (asked.incrementAndGet() == 1) {
                throw new dev.llmo.failure.InterruptedRunException("cancelled", null);
            }
            return pw("pw");
        });

        assertThatThrownBy(() -> keys.secret("A")).isInstanceOf(dev.llmo.failure.InterruptedRunException.class);

        assertThat(keys.secret("A")).contains("secret-a");
        assertThat(asked).hasValue(2);
    }

    @Test
    void theEnvironmentSourceNamesTheVariableWhenItIsMissing() {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();

        VaultKeys withoutPassword = new VaultKeys(TestVaults.fast(file), PasswordSource.environment(Map.of()));
        assertThatThrownBy(() -> withoutPassword.secret("A"))
                .isInstanceOf(CredentialsException.class)
                .hasMessageContaining("is locked")
                .satisfies(e -> assertThat(((CredentialsException) e).fix())
                        .isEqualTo("set LLMO_VAULT_PASSWORD to the vault password"));

        VaultKeys emptyPassword = new VaultKeys(TestVaults.fast(file),
                PasswordSource.environment(Map.of("LLMO_VAULT_PASSWORD", "")));
        assertThatThrownBy(() -> emptyPassword.secret("A")).hasMessageContaining("is locked");

        VaultKeys withPassword = new VaultKeys(TestVaults.fast(file),
                PasswordSource.environment(Map.of("LLMO_VAULT_PASSWORD", "pw")));
        assertThat(withPassword.secret("A")).isEmpty();
        assertThat(withPassword.isUnlocked()).isTrue();
    }

    @Test
    void concurrentLookupsStillUnlockOnce() throws Exception {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("K", "v");
        }
        AtomicInteger asked = new AtomicInteger();
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> {
            asked.incrementAndGet();
            return pw("pw");
        });
        List<Thread> threads = new ArrayList<>();
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> seen.add(keys.secret("K").orElse("?")));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(seen).hasSize(8).containsOnly("v");
        assertThat(asked).hasValue(1);
    }
}
