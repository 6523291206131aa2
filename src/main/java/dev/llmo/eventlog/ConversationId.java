package dev.llmo.eventlog;

import dev.llmo.secret.JdkCrypto;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Conversation ids: ULIDs (26 characters of Crockford base32, 48 bits of milliseconds then 80 random bits), so
 * that ids sort by creation time as text, read well abbreviated ({@code llmo log show 01JD}) and never collide.
 * Ids made by one process are strictly increasing even within a millisecond.
 */
public final class ConversationId {
    static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    /** The length of a whole id. */
    public static final int LENGTH = 26;

    private static final SecureRandom RANDOM = JdkCrypto.random();
    private static long lastMillis = -1;
    private static final byte[] lastRandom = new byte[10];

    private ConversationId() {
    }

    /** A new id for a conversation started at {@code now}. */
    public static synchronized String next(Instant now) {
        long millis = now.toEpochMilli();
        if (millis <= lastMillis) {
            // Same millisecond (or a clock step back): count up from the last id so the order holds.
            millis = lastMillis;
            for (int i = lastRandom.length - 1; i >= 0 && ++lastRandom[i] == 0; i--) {
                // carry
            }
        } else {
            RANDOM.nextBytes(lastRandom);
            lastRandom[0] &= 0x7f; // room to count up without overflowing into the time
        }
        lastMillis = millis;
        char[] id = new char[LENGTH];
        for (int i = 9; i >= 0; i--) {
            id[i] = ALPHABET.charAt((int) (millis & 31));
            millis >>>= 5;
        }
        // 80 random bits = 16 base32 characters
        long high = 0;
        for (int i = 0; i < 5; i++) {
            high = high << 8 | (lastRandom[i] & 0xff);
        }
        long low = 0;
        for (int i = 5; i < 10; i++) {
            low = low << 8 | (lastRandom[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            id[i] = ALPHABET.charAt((int) (high & 31));
            high >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            id[i] = ALPHABET.charAt((int) (low & 31));
            low >>>= 5;
        }
        return new String(id);
    }

    /** Whether {@code s} looks like a whole id (what a file in the conversations directory is named). */
    public static boolean isValid(String s) {
        if (s == null || s.length() != LENGTH || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (ALPHABET.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code typed}, read as {@link #normalise} reads it, could be a whole id or the start of one: it is
     * spelt in the id alphabet and starts with a digit an id can start with (a time of 48 bits starts with 0 to 7).
     * A name like that would lose to an id prefix, so it is no name for a conversation.
     */
    public static boolean couldStartAnId(String typed) {
        String s = normalise(typed);
        if (s.isEmpty() || s.length() > LENGTH || s.charAt(0) < '0' || s.charAt(0) > '7') {
            return false;
        }
        return s.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0);
    }

    /** The creation time encoded in a whole id. */
    public static Instant timeOf(String id) {
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            millis = millis << 5 | ALPHABET.indexOf(id.charAt(i));
        }
        return Instant.ofEpochMilli(millis);
    }

    /**
     * What a user typed, normalised the way Crockford base32 reads it: upper case, O as 0, I and L as 1.
     */
    public static String normalise(String typed) {
        return typed.strip().toUpperCase(java.util.Locale.ROOT).replace('O', '0').replace('I', '1').replace('L', '1');
    }
}
