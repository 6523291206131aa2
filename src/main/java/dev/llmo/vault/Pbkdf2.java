package dev.llmo.vault;

import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) with a SHA-256 compression of its own, because the JDK's is slow where
 * llmo runs: the launcher starts the JVM with C1 only ({@code -XX:TieredStopAtLevel=1}, for start-up time), which
 * has none of C2's SHA intrinsics, and {@code SecretKeyFactory "PBKDF2WithHmacSHA256"} then takes 2–5 s for the
 * vault's 600,000 iterations. This one does the same arithmetic with half the work and no allocation per
 * iteration:
 *
 * <ul>
 *   <li>the HMAC key's inner and outer pad blocks are compressed once, not twice per iteration (RFC 2104 lets the
 *       two chaining states be precomputed);</li>
 *   <li>every later message is one 32-byte block (U<sub>j-1</sub>, or the inner hash), whose padding is constant,
 *       so each HMAC is exactly two compressions over eight ints, with no byte arrays in the loop.</li>
 * </ul>
 *
 * <p>The output is bit for bit PBKDF2WithHmacSHA256 of the password's UTF-8 bytes (tested against RFC 7914's
 * vectors and the JDK's SecretKeyFactory); the vault format does not change.
 */
final class Pbkdf2 {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    private static final int[] H0 = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    private static final int BLOCK = 64;
    private static final int HASH = 32;

    private Pbkdf2() {
    }

    /** PBKDF2-HMAC-SHA256 of the password's UTF-8 bytes; the caller zeroes the result. */
    static byte[] deriveUtf8(char[] password, byte[] salt, int iterations, int length) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            return derive(bytes, salt, iterations, length);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** PBKDF2-HMAC-SHA256 (RFC 8018) of {@code password}; the caller zeroes the result. */
    static byte[] derive(byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1 || length < 1) {
            throw new IllegalArgumentException("iterations and length must be positive");
        }
        byte[] key = password.length > BLOCK ? sha256(password) : password;
        int[] inner = padState(key, 0x36);
        int[] outer = padState(key, 0x5c);
        if (key != password) {
            Arrays.fill(key, (byte) 0);
        }
        byte[] out = new byte[length];
        int[] u = new int[8];
        int[] t = new int[8];
        int[] w = new int[64];
        int[] state = new int[8];
        for (int block = 1, offset = 0; offset < length; block++, offset += HASH) {
            // U1 = HMAC(P, S || INT(block)): the one message of arbitrary length
            byte[] message = Arrays.copyOf(salt, salt.length + 4);
            message[salt.length] = (byte) (block >>> 24);
            message[salt.length + 1] = (byte) (block >>> 16);
            message[salt.length + 2] = (byte) (block >>> 8);
            message[salt.length + 3] = (byte) block;
            hashAfter(inner, message, state, w);
            hashAfter(outer, toBytes(state), u, w);
            System.arraycopy(u, 0, t, 0, 8);
            for (int j = 1; j < iterations; j++) {
                hmacOfHash(inner, outer, u, w);
                for (int k = 0; k < 8; k++) {
                    t[k] ^= u[k];
                }
            }
            byte[] tBytes = toBytes(t);
            System.arraycopy(tBytes, 0, out, offset, Math.min(HASH, length - offset));
            Arrays.fill(tBytes, (byte) 0);
        }
        Arrays.fill(inner, 0);
        Arrays.fill(outer, 0);
        Arrays.fill(u, 0);
        Arrays.fill(t, 0);
        Arrays.fill(w, 0);
        Arrays.fill(state, 0);
        return out;
    }

    /** u = HMAC(key, u) for a 32-byte u, given the key's precomputed pad states: two compressions. */
    private static void hmacOfHash(int[] inner, int[] outer, int[] u, int[] w) {
        // inner hash: one block = u (32 bytes), 0x80, zeros, bit length (64 + 32) * 8
        oneBlockOfHash(w, u);
        compressFrom(inner, w, u);
        // outer hash: the same shape over the inner hash
        oneBlockOfHash(w, u);
        compressFrom(outer, w, u);
    }

    private static void oneBlockOfHash(int[] w, int[] hash) {
        System.arraycopy(hash, 0, w, 0, 8);
        w[8] = 0x80000000;
        for (int i = 9; i < 15; i++) {
            w[i] = 0;
        }
        w[15] = (BLOCK + HASH) * 8;
    }

    /** The chaining state after the block key XOR pad (RFC 2104's K ⊕ ipad or K ⊕ opad). */
    private static int[] padState(byte[] key, int pad) {
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            block[i] = (byte) ((i < key.length ? key[i] : 0) ^ pad);
        }
        int[] w = new int[64];
        load(block, 0, w);
        Arrays.fill(block, (byte) 0);
        int[] state = new int[8];
        compressFrom(H0, w, state);
        Arrays.fill(w, 0);
        return state;
    }

    /** SHA-256 of (the 64 bytes behind {@code start}) || message, into {@code result}. */
    private static void hashAfter(int[] start, byte[] message, int[] result, int[] w) {
        long bits = (BLOCK + (long) message.length) * 8;
        int padded = (message.length + 9 + BLOCK - 1) / BLOCK * BLOCK;
        byte[] data = Arrays.copyOf(message, padded);
        data[message.length] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            data[padded - 1 - i] = (byte) (bits >>> (8 * i));
        }
        int[] state = start.clone();
        for (int offset = 0; offset < padded; offset += BLOCK) {
            load(data, offset, w);
            compressFrom(state, w, state);
        }
        System.arraycopy(state, 0, result, 0, 8);
        Arrays.fill(data, (byte) 0);
        Arrays.fill(state, 0);
    }

    private static byte[] sha256(byte[] message) {
        int[] w = new int[64];
        int[] result = new int[8];
        long bits = (long) message.length * 8;
        int padded = (message.length + 9 + BLOCK - 1) / BLOCK * BLOCK;
        byte[] data = Arrays.copyOf(message, padded);
        data[message.length] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            data[padded - 1 - i] = (byte) (bits >>> (8 * i));
        }
        System.arraycopy(H0, 0, result, 0, 8);
        for (int offset = 0; offset < padded; offset += BLOCK) {
            load(data, offset, w);
            compressFrom(result, w, result);
        }
        Arrays.fill(data, (byte) 0);
        return toBytes(result);
    }

    private static void load(byte[] data, int offset, int[] w) {
        for (int i = 0; i < 16; i++) {
            int p = offset + 4 * i;
            w[i] = (data[p] & 0xff) << 24 | (data[p + 1] & 0xff) << 16 | (data[p + 2] & 0xff) << 8 | data[p + 3] & 0xff;
        }
    }

    private static byte[] toBytes(int[] words) {
        byte[] bytes = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            bytes[4 * i] = (byte) (words[i] >>> 24);
            bytes[4 * i + 1] = (byte) (words[i] >>> 16);
            bytes[4 * i + 2] = (byte) (words[i] >>> 8);
            bytes[4 * i + 3] = (byte) words[i];
        }
        return bytes;
    }

    /**
     * One SHA-256 compression (FIPS 180-4 section 6.2.2) of the block in {@code w[0..15]} from state {@code from}
     * into {@code to} (which may be {@code from}); {@code w} is the message schedule, overwritten.
     */
    private static void compressFrom(int[] from, int[] w, int[] to) {
        for (int i = 16; i < 64; i++) {
            int x = w[i - 15];
            int y = w[i - 2];
            int s0 = Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ (x >>> 3);
            int s1 = Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ (y >>> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        int a = from[0];
        int b = from[1];
        int c = from[2];
        int d = from[3];
        int e = from[4];
        int f = from[5];
        int g = from[6];
        int h = from[7];
        // eight rounds per pass, renaming the variables instead of moving them
        for (int i = 0; i < 64; i += 8) {
            h += (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25)) + ((e & f) ^ (~e & g)) + K[i + 0] + w[i + 0];
            d += h;
            h += (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            g += (Integer.rotateRight(d, 6) ^ Integer.rotateRight(d, 11) ^ Integer.rotateRight(d, 25)) + ((d & e) ^ (~d & f)) + K[i + 1] + w[i + 1];
            c += g;
            g += (Integer.rotateRight(h, 2) ^ Integer.rotateRight(h, 13) ^ Integer.rotateRight(h, 22)) + ((h & a) ^ (h & b) ^ (a & b));
            f += (Integer.rotateRight(c, 6) ^ Integer.rotateRight(c, 11) ^ Integer.rotateRight(c, 25)) + ((c & d) ^ (~c & e)) + K[i + 2] + w[i + 2];
            b += f;
            f += (Integer.rotateRight(g, 2) ^ Integer.rotateRight(g, 13) ^ Integer.rotateRight(g, 22)) + ((g & h) ^ (g & a) ^ (h & a));
            e += (Integer.rotateRight(b, 6) ^ Integer.rotateRight(b, 11) ^ Integer.rotateRight(b, 25)) + ((b & c) ^ (~b & d)) + K[i + 3] + w[i + 3];
            a += e;
            e += (Integer.rotateRight(f, 2) ^ Integer.rotateRight(f, 13) ^ Integer.rotateRight(f, 22)) + ((f & g) ^ (f & h) ^ (g & h));
            d += (Integer.rotateRight(a, 6) ^ Integer.rotateRight(a, 11) ^ Integer.rotateRight(a, 25)) + ((a & b) ^ (~a & c)) + K[i + 4] + w[i + 4];
            h += d;
            d += (Integer.rotateRight(e, 2) ^ Integer.rotateRight(e, 13) ^ Integer.rotateRight(e, 22)) + ((e & f) ^ (e & g) ^ (f & g));
            c += (Integer.rotateRight(h, 6) ^ Integer.rotateRight(h, 11) ^ Integer.rotateRight(h, 25)) + ((h & a) ^ (~h & b)) + K[i + 5] + w[i + 5];
            g += c;
            c += (Integer.rotateRight(d, 2) ^ Integer.rotateRight(d, 13) ^ Integer.rotateRight(d, 22)) + ((d & e) ^ (d & f) ^ (e & f));
            b += (Integer.rotateRight(g, 6) ^ Integer.rotateRight(g, 11) ^ Integer.rotateRight(g, 25)) + ((g & h) ^ (~g & a)) + K[i + 6] + w[i + 6];
            f += b;
            b += (Integer.rotateRight(c, 2) ^ Integer.rotateRight(c, 13) ^ Integer.rotateRight(c, 22)) + ((c & d) ^ (c & e) ^ (d & e));
            a += (Integer.rotateRight(f, 6) ^ Integer.rotateRight(f, 11) ^ Integer.rotateRight(f, 25)) + ((f & g) ^ (~f & h)) + K[i + 7] + w[i + 7];
            e += a;
            a += (Integer.rotateRight(b, 2) ^ Integer.rotateRight(b, 13) ^ Integer.rotateRight(b, 22)) + ((b & c) ^ (b & d) ^ (c & d));
        }
        to[0] = from[0] + a;
        to[1] = from[1] + b;
        to[2] = from[2] + c;
        to[3] = from[3] + d;
        to[4] = from[4] + e;
        to[5] = from[5] + f;
        to[6] = from[6] + g;
        to[7] = from[7] + h;
    }
}
