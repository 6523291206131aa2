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

    /** A copy of the key bytes, for the session agent's pipe; the caller zeroes it. */
    byte[] bytes() {
        if (isDestroyed()) {
            throw new IllegalStateException("vault key used after close");
        }
        return key.clone();
    }

    /** A JCE key for one operation (SecretKeySpec copies the bytes; the copy is garbage soon after). */
    SecretKeySpec spec() {
        if (isDestroyed()) {
            throw new IllegalStateException("vault key used after close");
        }
        return new SecretKeySpec(key, "AES");
    }

    /**
     * A key for another purpose, derived so that it reveals nothing of this one: HKDF-Expand (RFC 5869) with this
     * key as the pseudo-random key, {@code info} as the context, 32 bytes, i.e.
     * HMAC-SHA256(key, UTF-8(info) || 0x01). No extract step: a PBKDF2 output is already uniformly random.
     */
    byte[] derive(String info) {
        if (isDestroyed()) {
            throw new IllegalStateException("vault key used after close");
        }
        try {
            javax.crypto.Mac mac = dev.llmo.secret.JdkCrypto.mac("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(info.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
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
