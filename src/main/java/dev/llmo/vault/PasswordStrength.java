package dev.llmo.vault;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A rough strength estimate for a new vault password, for the feedback of {@code llmo vault init} and
 * {@code passwd}. It is deliberately simple (character classes, length, repeats, a few notorious passwords): the
 * point is to catch weak choices, not to certify strong ones.
 *
 * @param level  the verdict
 * @param bits   the estimated entropy in bits
 * @param advice one sentence on how to do better; empty when there is nothing to add
 */
public record PasswordStrength(Level level, int bits, String advice) {
    /** Shorter than this is weak whatever it contains. */
    public static final int MIN_LENGTH = 8;

    /** The verdicts, weakest first. */
    public enum Level { WEAK, FAIR, GOOD, STRONG }

    private static final Set<String> NOTORIOUS = Set.of("password", "passw0rd", "123456", "12345678", "123456789",
            "1234567890", "qwerty", "qwertyuiop", "letmein", "welcome", "iloveyou", "admin", "monkey", "dragon",
            "abc123", "changeme", "secret", "trustno1", "llmo", "vault", "opensesame");

    /** Estimates the strength of {@code password} without copying it into a String. */
    public static PasswordStrength of(char[] password) {
        int length = password.length;
        boolean lower = false;
        boolean upper = false;
        boolean digit = false;
        boolean symbol = false;
        boolean other = false;
        Set<Character> distinct = new HashSet<>();
        for (char c : password) {
            distinct.add(c);
            if (c >= 'a' && c <= 'z') {
                lower = true;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c >= ' ' && c <= '~') {
                symbol = true;
            } else {
                other = true;
            }
        }
        int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0) + (other ? 100 : 0);
        // Repeating a few characters adds little: count each distinct character at most twice.
        int effective = Math.min(length, 2 * distinct.size());
        int bits = pool == 0 ? 0 : (int) Math.round(effective * Math.log(pool) / Math.log(2));
        if (isNotorious(password)) {
            return new PasswordStrength(Level.WEAK, Math.min(bits, 10),
                    "it is one of the most common passwords; use a passphrase of four or more random words");
        }
        if (length < MIN_LENGTH || bits < 45) {
            return new PasswordStrength(Level.WEAK, bits,
                    "use 12 or more characters, or a passphrase of four or more random words");
        }
        if (bits < 60) {
            return new PasswordStrength(Level.FAIR, bits, "a few more characters or words would make it stronger");
        }
        return new PasswordStrength(bits < 80 ? Level.GOOD : Level.STRONG, bits, "");
    }

    // Compared as char[] (lower-cased, with and without a trailing run of digits or punctuation) so that no String
    // copy of the password is ever made.
    private static boolean isNotorious(char[] password) {
        char[] lowered = new char[password.length];
        try {
            for (int i = 0; i < password.length; i++) {
                lowered[i] = Character.toLowerCase(password[i]);
            }
            int stem = lowered.length;
            while (stem > 0 && (Character.isDigit(lowered[stem - 1]) || lowered[stem - 1] == '!'
                    || lowered[stem - 1] == '.')) {
                stem--;
            }
            for (String word : NOTORIOUS) {
                char[] candidate = word.toCharArray();
                if (Arrays.equals(lowered, candidate) || Arrays.equals(lowered, 0, stem, candidate, 0, candidate.length)) {
                    return true;
                }
            }
            return false;
        } finally {
            Arrays.fill(lowered, '\0');
        }
    }

    /** A one-line summary such as {@code strength: fair (about 52 bits); a few more characters…}. */
    public String describe() {
        String text = "strength: " + level.name().toLowerCase(Locale.ROOT) + " (about " + bits + " bits)";
        return advice.isEmpty() ? text : text + "; " + advice;
    }
}
