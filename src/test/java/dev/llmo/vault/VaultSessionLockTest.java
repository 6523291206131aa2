package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock is final once answered: the agent wipes its key and removes its socket before it says OK, so no key
 * request made after the OK gets a key, and locking every session counts each agent once.
 */
class VaultSessionLockTest {
    @TempDir
    Path home;
    @TempDir
    Path runtime;

    @Test
    void aLockedAgentAnswersNothingAfterItsOkAndLockAllCountsEachAgentOnce() throws Exception {
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
        VaultSession first;
        VaultSession second;
        try (UnlockedVault vault = TestVaults.fast(home.resolve("vault.enc")).create(pw("pw"))) {
            first = VaultSession.start(vault, Duration.ofMinutes(1), env);
            second = VaultSession.start(vault, Duration.ofMinutes(1), env);
        }
        AtomicBoolean lockAnswered = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger keysBeforeLock = new AtomicInteger();
        AtomicInteger keysAfterLock = new AtomicInteger();
        Thread racer = new Thread(() -> {
            while (!stop.get()) {
                boolean afterLock = lockAnswered.get();
                if (first.key().isPresent()) {
                    (afterLock ? keysAfterLock : keysBeforeLock).incrementAndGet();
                }
            }
        });
        try {
            assertThat(first.key()).as("the session hands out its key while open").isPresent();
            racer.start();
            while (keysBeforeLock.get() == 0) {
                Thread.onSpinWait();
            }
            assertThat(first.lock()).as("the lock is answered").isTrue();
            lockAnswered.set(true);
            assertThat(first.key()).as("no key right after the OK").isEmpty();
            assertThat(first.expires()).isEmpty();
            assertThat(Files.exists(first.socket())).as("the socket is gone before the OK").isFalse();
            Thread.sleep(200);
            stop.set(true);
            racer.join(10_000);
            assertThat(keysAfterLock.get()).as("keys handed out to requests made after the lock's OK").isZero();

            assertThat(VaultSession.lockAll(env)).as("only the session still open").isEqualTo(1);
            assertThat(second.expires()).isEmpty();
            assertThat(VaultSession.lockAll(env)).as("nothing left to lock").isZero();
        } finally {
            stop.set(true);
            first.lock();
            second.lock();
        }
    }
}
