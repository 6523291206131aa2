package dev.llmo.secret;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;

/**
 * AES-GCM and HMAC-SHA256 from the JDK's SunJCE provider itself. Asked for by algorithm alone, or by the provider's
 * name, the JCA instantiates every provider configured before SunJCE (SunRsaSign, SunEC with its curve tables,
 * SunJSSE...) to ask it first or to read its name: ~20 ms of CPU in a run that opens the vault with its session's key,
 * for providers it never uses (ADR-003, "Seventeenth round"). The provider's class is internal: the launcher exports
 * its package to the commands that call models. Where it is not exported (the vault's own commands, another JDK's
 * internals, a FIPS set-up without SunJCE), the configured order serves, as it did before. Where it is exported, a
 * provider order configured in {@code java.security} is not consulted for these two algorithms.
 */
public final class SunJce {
    private SunJce() {
    }

    /** The provider, made once; null when its class cannot be reached. */
    private static final class Holder {
        static final Provider PROVIDER = provider();

        private static Provider provider() {
            try {
                return (Provider) Class.forName("com.sun.crypto.provider.SunJCE").getConstructor().newInstance();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }
    }

    /** {@code Cipher.getInstance(transformation)}, from SunJCE when it can be reached. */
    public static Cipher cipher(String transformation) throws GeneralSecurityException {
        Provider provider = Holder.PROVIDER;
        if (provider != null) {
            try {
                return Cipher.getInstance(transformation, provider);
            } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
                // not this provider's: the configured order finds another
            }
        }
        return Cipher.getInstance(transformation);
    }

    /** {@code Mac.getInstance(algorithm)}, from SunJCE when it can be reached. */
    public static Mac mac(String algorithm) throws GeneralSecurityException {
        Provider provider = Holder.PROVIDER;
        if (provider != null) {
            try {
                return Mac.getInstance(algorithm, provider);
            } catch (NoSuchAlgorithmException e) {
                // not this provider's: the configured order finds another
            }
        }
        return Mac.getInstance(algorithm);
    }
}
