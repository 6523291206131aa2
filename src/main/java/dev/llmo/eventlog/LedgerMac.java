package dev.llmo.eventlog;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC of a ledger entry: {@code hmac-sha256:} and the lower-case hex HMAC-SHA256, under the ledger key, of the
 * entry's {@code hash} as ASCII text ({@code sha256:…}). The hash covers the entry and, through {@code prev}, every
 * entry before it, so one good MAC vouches for the whole ledger up to its entry.
 */
public final class LedgerMac {
    /** The algorithm tag in front of every MAC. */
    public static final String PREFIX = "hmac-sha256:";

    private LedgerMac() {
    }

    /** The MAC of {@code hash} under {@code key}. */
    static String of(byte[] key, String hash) {
        try {
            Mac mac = dev.llmo.secret.JdkCrypto.mac("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return PREFIX + Sha256.hex(mac.doFinal(hash.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    /** Whether {@code mac} is the MAC of {@code hash} under {@code key} (compared in constant time). */
    static boolean verifies(byte[] key, String hash, String mac) {
        return mac != null && MessageDigest.isEqual(of(key, hash).getBytes(StandardCharsets.US_ASCII),
                mac.getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether {@code s} has the shape of a MAC. */
    static boolean isMac(String s) {
        return s != null && s.startsWith(PREFIX) && Sha256.isDigest(Sha256.PREFIX + s.substring(PREFIX.length()));
    }
}
