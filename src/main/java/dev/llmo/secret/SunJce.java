package dev.llmo.secret;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;

/**
 * AES-GCM and HMAC-SHA256 from the JDK's own SunJCE classes. Asked for by algorithm alone, or by the provider's name,
 * the JCA instantiates every provider configured before SunJCE (SUN, SunRsaSign, SunEC with its curve tables,
 * SunJSSE...) to ask it first or to read its name, and SunJCE itself registers ~100 services: ~30 ms of CPU in a run
 * that opens the vault with its session's key, for providers and services it never uses (ADR-003, "Seventeenth round"
 * and "Twentieth round"). The classes are named to the JCA by a provider of llmo's, as {@link JdkCrypto} does for
 * SHA-256, so no export is needed. Where they cannot serve (another runtime's internals, a JCA that insists on signed
 * providers, a FIPS set-up), the configured order does, as it did before. Where they serve, a provider order
 * configured in {@code java.security} is not consulted for these two algorithms.
 */
public final class SunJce {
    private SunJce() {
    }

    /** {@code Cipher.getInstance(transformation)}, from SunJCE's class when it can be reached. */
    public static Cipher cipher(String transformation) throws GeneralSecurityException {
        try {
            return Cipher.getInstance(transformation, JdkCrypto.JDK_CLASSES);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException | SecurityException e) {
            // not one of the named classes, or not allowed from this provider: the configured order finds another
        }
        return Cipher.getInstance(transformation);
    }

    /** {@code Mac.getInstance(algorithm)}, from SunJCE's class when it can be reached. */
    public static Mac mac(String algorithm) throws GeneralSecurityException {
        try {
            return Mac.getInstance(algorithm, JdkCrypto.JDK_CLASSES);
        } catch (NoSuchAlgorithmException | SecurityException e) {
            // not one of the named classes, or not allowed from this provider: the configured order finds another
        }
        return Mac.getInstance(algorithm);
    }

    /** The provider the two come from, for tests. */
    static Provider provider() {
        return JdkCrypto.JDK_CLASSES;
    }
}
