package dev.llmo.vault;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256 key derived from the password, with the salt and iteration count it was derived with. Kept for the
 * life of an unlocked vault so that writes need no second PBKDF2 run (about a second each); {@link #destroy()}
 * zeroes it.
 */
final class VaultKey {
    private final byte[] key;
    private final byte[] salt;
    private final int iterations;
    private volatile boolean destroyed;

    VaultKey(byte[] key, byte[] salt, int iterations) {
        this.key = key;
        this.salt = salt.clone();
        this.iterations = iterations;
    }

    byte[] salt() {
        return salt.clone();
    }

    int iterations() {
        return iterations;
    }

    /** Whether a file with this salt and iteration count was written with this key's password derivation. */
    boolean derivedWith(byte[] otherSalt, int otherIterations) {
        return iterations == otherIterations && Arrays.equals(salt, otherSalt);
    }

    /** A JCE key for one operation (SecretKeySpec copies the bytes; the copy is garbage soon after). */
    SecretKeySpec spec() {
        if (isDestroyed()) {
            throw new IllegalStateException("vault key used after close");
        }
        return new SecretKeySpec(key, "AES");
    }

    void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "VaultKey[redacted, iterations=" + iterations + "]";
    }
}
