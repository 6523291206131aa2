package dev.llmo.vault;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Vaults for tests: PBKDF2 at {@link #FAST} iterations instead of 600,000, so that a test takes milliseconds. */
final class TestVaults {
    static final int FAST = 1_000;
    static final Instant T0 = Instant.parse("2026-11-21T19:40:48Z");

    private TestVaults() {
    }

    static Vault fast(Path file) {
        return new Vault(file, FAST, new SecureRandom(), Clock.fixed(T0, ZoneOffset.UTC));
    }

    static Vault fast(Path file, int iterations, Clock clock) {
        return new Vault(file, iterations, new SecureRandom(), clock);
    }

    static char[] pw(String password) {
        return password.toCharArray();
    }
}
