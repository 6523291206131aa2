package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locking every session of the user counts each agent once, whatever the caller locked just before. */
class VaultSessionLockTest {
    @TempDir
    Path home;
    @TempDir
    Path runtime;

    @Test
    void lockAllLeavesOutTheSessionTheCallerHasJustLocked() {
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
        VaultSession first;
        VaultSession second;
        try (UnlockedVault vault = TestVaults.fast(home.resolve("vault.enc")).create(pw("pw"))) {
            first = VaultSession.start(vault, Duration.ofMinutes(1), env);
            second = VaultSession.start(vault, Duration.ofMinutes(1), env);
        }
        try {
            // `vault lock` locks its own session first; until its agent is gone its socket is still listed
            assertThat(VaultSession.lockAll(env, first.socket())).as("only the other session").isEqualTo(1);
            assertThat(second.expires()).isEmpty();
            assertThat(first.expires()).as("the left-out session is untouched").isPresent();
        } finally {
            first.lock();
            second.lock();
        }
    }
}
