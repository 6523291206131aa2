package dev.llmo.eventlog;

import dev.llmo.secret.JdkCrypto;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * SHA-256 digests written the way the event log writes them: {@code sha256:} and 64 lower-case hex digits. Use
 * {@link #of(byte[])} for the {@code body_sha256} of a request and the {@code config_sha256} of a session.
 */
public final class Sha256 {
    /** The algorithm tag in front of every digest. */
    public static final String PREFIX = "sha256:";
    /** The {@code prev} of the first event of a log. */
    public static final String ZERO = PREFIX + "0".repeat(64);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Sha256() {
    }

    /** {@code sha256:<hex>} of {@code bytes}. */
    public static String of(byte[] bytes) {
        return PREFIX + hex(newDigest().digest(bytes));
    }

    /** {@code sha256:<hex>} of {@code bytes[0, length)}. */
    static String of(byte[] bytes, int length) {
        MessageDigest digest = newDigest();
        digest.update(bytes, 0, length);
        return PREFIX + hex(digest.digest());
    }

    /** {@code sha256:<hex>} of the UTF-8 bytes of {@code text}. */
    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code s} is {@code sha256:} followed by 64 lower-case hex digits. */
    public static boolean isDigest(String s) {
        if (s == null || s.length() != PREFIX.length() + 64 || !s.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    static MessageDigest newDigest() {
        return JdkCrypto.sha256();
    }

    static String hex(byte[] digest) {
        byte[] out = new byte[digest.length * 2];
        hexInto(digest, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Writes the hex of {@code digest} into {@code out} at {@code at}. */
    static void hexInto(byte[] digest, byte[] out, int at) {
        for (int i = 0; i < digest.length; i++) {
            out[at + 2 * i] = HEX[digest[i] >> 4 & 0xf];
            out[at + 2 * i + 1] = HEX[digest[i] & 0xf];
        }
    }
}
