package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The canonical JSON of RFC 8785 (JCS) for values without floating-point numbers, which is all an event may hold:
 * object keys sorted by their UTF-16 code units, no whitespace, UTF-8, strings escaped exactly as RFC 8785 says
 * ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters as <code>&#92;u00xx</code> in lower case,
 * everything else literal), integers in plain decimal.
 *
 * <p>Integers are limited to the I-JSON safe range ±(2<sup>53</sup>−1): beyond it RFC 8785 would print the
 * number the way JavaScript prints a double, which is not the integer any more.
 *
 * <p>Two directions: {@link #write} turns a Jackson tree into canonical bytes (the writer), and {@link #end}
 * checks that bytes on disk already are canonical so the verifier can hash them as they are, without building a
 * tree (the fast path of {@link ChainVerifier}).
 */
public final class CanonicalJson {
    /** The largest integer an event may hold: 2^53 - 1. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    /** Objects nested deeper than this are left to the slow path, which has its own limit. */
    private static final int FAST_PATH_DEPTH = 64;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** A string longer than this gets room for all of it at once. */
    private static final int LONG_STRING = 4096;
    /** The most characters {@link #plainEnd} and {@link Bytes#addPlain} look at in one call. */
    private static final int PLAIN_RUN = 64;

    private CanonicalJson() {
    }

    /**
     * The canonical UTF-8 bytes of {@code value}.
     *
     * A lone surrogate (not UTF-8 encodable) is written as U+FFFD, the replacement character.
     *
     * @throws IllegalArgumentException for a floating-point number, an integer outside the safe range, or a node
     *     that is not plain JSON (binary, POJO); the message names the field
     */
    public static byte[] write(JsonNode value) {
        return canonical(value).toByteArray();
    }

    /** As {@link #write(JsonNode)}, without the final copy: the event log writes a long answer from where it is. */
    static Bytes canonical(JsonNode value) {
        Bytes out = new Bytes(256);
        write(value, out, "$");
        return out;
    }

    static void write(JsonNode value, Bytes out, String path) {
        switch (value.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(value.size());
                for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                // String.compareTo compares UTF-16 code units, which is exactly the order RFC 8785 asks for.
                names.sort(null);
                out.add((byte) '{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.add((byte) ',');
                    }
                    String name = names.get(i);
                    writeString(name, out, path);
                    out.add((byte) ':');
                    write(value.get(name), out, path + "." + name);
                }
                out.add((byte) '}');
            }
            case ARRAY -> {
                out.add((byte) '[');
                for (int i = 0; i < value.size(); i++) {
                    if (i > 0) {
                        out.add((byte) ',');
                    }
                    write(value.get(i), out, path + "[" + i + "]");
                }
                out.add((byte) ']');
            }
            case STRING -> writeString(value.textValue(), out, path);
            case NUMBER -> writeNumber(value, out, path);
            case BOOLEAN -> out.add(value.booleanValue() ? TRUE : FALSE);
            case NULL -> out.add(NULL);
            default -> throw new IllegalArgumentException(path + " is a " + value.getNodeType()
                    + " node, which is not plain JSON");
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private static void writeNumber(JsonNode value, Bytes out, String path) {
        if (!value.isIntegralNumber()) {
            throw new IllegalArgumentException(path + " is the floating-point number " + value
                    + "; events hold integers only (money in cost_micro_usd, other decimals as strings)");
        }
        if (!value.canConvertToLong() || Math.abs(value.longValue()) > MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException(path + " = " + value + " is outside the safe integer range ±(2^53-1)");
        }
        out.addAscii(Long.toString(value.longValue()));
    }

    /**
     * The canonical bytes of an object whose members' values are already canonical: {@code members} in its order,
     * which for {@link String} keys is the one {@link #write(JsonNode)} sorts them in.
     */
    static byte[] object(java.util.SortedMap<String, Bytes> members) {
        long size = 1;
        for (var member : members.entrySet()) {
            // exact for plain keys (a content's are digests), so that a long answer's bytes are not copied again
            String key = member.getKey();
            size += (plainEnd(key, 0, key.length()) == key.length() ? key.length() + 2L : key.length() * 6L + 2)
                    + 2 + member.getValue().size();
        }
        Bytes out = new Bytes((int) Math.min(size, Integer.MAX_VALUE - 8));
        out.add((byte) '{');
        boolean first = true;
        for (var member : members.entrySet()) {
            if (!first) {
                out.add((byte) ',');
            }
            first = false;
            writeString(member.getKey(), out, "$");
            out.add((byte) ':');
            out.add(member.getValue().array(), 0, member.getValue().size());
        }
        out.add((byte) '}');
        return out.toByteArray();
    }

    /** Writes {@code s} as a canonical JSON string. */
    static void writeString(String s, Bytes out, String path) {
        int n = s.length();
        boolean isLong = n > LONG_STRING;
        if (isLong) {
            // Room for the string as plain text and an eighth more: most answers fit, written in one pass. One that
            // does not gets room for exactly its rest when it runs out (below), once: a long answer is not copied
            // into ever larger arrays (up to twice its size), and is not measured first, which was a second pass
            // over all of it, interpreted (ADR-003, "Sixth round, streaming").
            out.reserve(n + (n >> 3) + 2L);
        }
        out.add((byte) '"');
        // Every string in runs of plain characters, also the short ones of every event: the run's method is then
        // compiled while the start-up writes the first events, before a long answer needs it (which otherwise began
        // in the interpreter: ~1 ms of a 140 KB answer's entry; ADR-003, "Twenty-fourth round").
        for (int i = 0; i < n; i++) {
            if (isLong && out.room() < 4 * PLAIN_RUN) {
                out.reserve(encodedLength(s, i) + 1);
            }
            i = out.addPlain(s, i, Math.min(n, i + PLAIN_RUN));
            if (i == n) {
                break;
            }
            char c = s.charAt(i);
            if (c < 0x80) {
                if (isPlain(c)) {
                    out.add((byte) c);
                } else {
                    escape(c, out);
                }
            } else if (c < 0x800) {
                out.add((byte) (0xc0 | c >> 6));
                out.add((byte) (0x80 | c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    // UTF-8 cannot encode a lone surrogate: it is written as U+FFFD, as any UTF-8 encoder does, so
                    // that a server's malformed text (an error message) is still recorded rather than lost
                    out.add((byte) 0xef);
                    out.add((byte) 0xbf);
                    out.add((byte) 0xbd);
                    continue;
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.add((byte) (0xf0 | cp >> 18));
                out.add((byte) (0x80 | cp >> 12 & 0x3f));
                out.add((byte) (0x80 | cp >> 6 & 0x3f));
                out.add((byte) (0x80 | cp & 0x3f));
            } else {
                out.add((byte) (0xe0 | c >> 12));
                out.add((byte) (0x80 | c >> 6 & 0x3f));
                out.add((byte) (0x80 | c & 0x3f));
            }
        }
        out.add((byte) '"');
    }

    /**
     * Where the run of characters written as they are (printable ASCII but {@code "} and a backslash) that starts at
     * {@code from} ends, looking no further than {@code to}. A long answer (hundreds of KiB) is written once per run,
     * cold: a loop over all of it in one call runs interpreted to its end, while this method, called once per
     * {@link #PLAIN_RUN} characters, is soon compiled (ADR-003, "Throughput").
     */
    static int plainEnd(String s, int from, int to) {
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (!isPlain(c)) {
                return i;
            }
            i++;
        }
        return i;
    }

    /** Whether {@code c} is written as it is, one byte: printable ASCII but {@code "} and a backslash. */
    private static boolean isPlain(char c) {
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    }

    /** The bytes {@link #writeString} writes for {@code s} from {@code from} on, up to its closing quote. */
    private static long encodedLength(String s, int from) {
        long bytes = 0;
        int n = s.length();
        for (int i = from; i < n; i++) {
            int plain = plainEnd(s, i, Math.min(n, i + PLAIN_RUN));
            bytes += plain - i;
            i = plain;
            if (i == n) {
                break;
            }
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += isPlain(c) ? 1
                        : c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 2 : 6;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // also a lone surrogate, written as U+FFFD
            }
        }
        return bytes;
    }

    private static void escape(char c, Bytes out) {
        out.add((byte) '\\');
        switch (c) {
            case '"' -> out.add((byte) '"');
            case '\\' -> out.add((byte) '\\');
            case '\b' -> out.add((byte) 'b');
            case '\f' -> out.add((byte) 'f');
            case '\n' -> out.add((byte) 'n');
            case '\r' -> out.add((byte) 'r');
            case '\t' -> out.add((byte) 't');
            default -> {
                out.add((byte) 'u');
                out.add((byte) '0');
                out.add((byte) '0');
                out.add(HEX[c >> 4]);
                out.add(HEX[c & 0xf]);
            }
        }
    }

    /**
     * Where the canonical JSON value starting at {@code from} ends (the index after it), or -1 when the bytes there
     * are not canonical JSON, or hold something the fast path leaves to the slow one (a float, deep nesting). A
     * value accepted here hashes the same as the tree Jackson would read from it and {@link #write} would print.
     */
    static int end(byte[] b, int from, int limit) {
        return value(b, from, limit, 0);
    }

    /** {@link #end} of a value nested {@code depth} objects or arrays deep, which counts towards the depth limit. */
    static int end(byte[] b, int from, int limit, int depth) {
        return value(b, from, limit, depth);
    }

    private static int value(byte[] b, int i, int limit, int depth) {
        if (i >= limit) {
            return -1;
        }
        switch (b[i]) {
            case '{':
                return depth >= FAST_PATH_DEPTH ? -1 : object(b, i + 1, limit, depth + 1);
            case '[':
                return depth >= FAST_PATH_DEPTH ? -1 : array(b, i + 1, limit, depth + 1);
            case '"':
                return string(b, i + 1, limit);
            case 't':
                return literal(b, i, limit, TRUE);
            case 'f':
                return literal(b, i, limit, FALSE);
            case 'n':
                return literal(b, i, limit, NULL);
            default:
                return number(b, i, limit);
        }
    }

    private static int object(byte[] b, int i, int limit, int depth) {
        if (i < limit && b[i] == '}') {
            return i + 1;
        }
        int previousKey = -1;
        int previousKeyEnd = -1;
        while (true) {
            if (i >= limit || b[i] != '"') {
                return -1;
            }
            int keyEnd = string(b, i + 1, limit);
            if (keyEnd < 0 || previousKey >= 0 && !ascending(b, previousKey, previousKeyEnd, i, keyEnd)) {
                return -1;
            }
            previousKey = i;
            previousKeyEnd = keyEnd;
            if (keyEnd >= limit || b[keyEnd] != ':') {
                return -1;
            }
            i = value(b, keyEnd + 1, limit, depth);
            if (i < 0 || i >= limit) {
                return -1;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i++;
        }
    }

    private static int array(byte[] b, int i, int limit, int depth) {
        if (i < limit && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = value(b, i, limit, depth);
            if (i < 0 || i >= limit) {
                return -1;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i++;
        }
    }

    /** Whether the key at [a, aEnd) sorts strictly before the key at [c, cEnd) (both include their quotes). */
    private static boolean ascending(byte[] b, int a, int aEnd, int c, int cEnd) {
        boolean plain = true;
        for (int k = a; k < aEnd && plain; k++) {
            plain = b[k] >= 0 && b[k] != '\\';
        }
        for (int k = c; k < cEnd && plain; k++) {
            plain = b[k] >= 0 && b[k] != '\\';
        }
        if (plain) {
            // ASCII without escapes: byte order is UTF-16 order, and a proper prefix sorts first.
            return Arrays.compare(b, a + 1, aEnd - 1, b, c + 1, cEnd - 1) < 0;
        }
        return decode(b, a + 1, aEnd - 1).compareTo(decode(b, c + 1, cEnd - 1)) < 0;
    }

    /** Decodes the inside of a string already checked by {@link #string}. */
    private static String decode(byte[] b, int from, int to) {
        StringBuilder s = new StringBuilder();
        int i = from;
        while (i < to) {
            if (b[i] == '\\') {
                byte e = b[i + 1];
                switch (e) {
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    case 'u' -> s.append((char) Integer.parseInt(new String(b, i + 2, 4,
                            java.nio.charset.StandardCharsets.US_ASCII), 16));
                    default -> s.append((char) e);
                }
                i += e == 'u' ? 6 : 2;
            } else {
                int start = i;
                while (i < to && b[i] != '\\') {
                    i++;
                }
                s.append(new String(b, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return s.toString();
    }

    /** Scans a string body starting after its opening quote; returns the index after the closing quote. */
    private static int string(byte[] b, int i, int limit) {
        while (i < limit) {
            if (i + 8 <= limit) {
                // eight bytes at once: the text of a log is mostly plain ASCII; else straight to the first other byte
                long special = Words.special(b, i);
                if (special == 0) {
                    i += 8;
                    continue;
                }
                i += Words.firstByte(special);
            }
            int c = b[i];
            if (c >= 0x20) {
                // printable ASCII, the hot case
                if (c == '"') {
                    return i + 1;
                }
                if (c == '\\') {
                    i = escapeEnd(b, i, limit);
                    if (i < 0) {
                        return -1;
                    }
                } else {
                    i++;
                }
            } else if (c >= 0) {
                return -1; // a raw control character
            } else {
                i = utf8Run(b, i, limit);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Checks the run of UTF-8 sequences at {@code b[i]} up to the next ASCII byte, and returns its index (or -1). A
     * text in Cyrillic or Japanese is such runs: taking them here, the common two- and three-byte forms checked in
     * line, costs the warm verifier ~10% less than going back to the eight-byte test after each character (ADR-003).
     * Accepts exactly what {@link #utf8End} accepts, which checks the rarer forms ({@code CanonicalJsonTest} holds
     * both to the JDK's strict decoder).
     */
    private static int utf8Run(byte[] b, int i, int limit) {
        while (i < limit) {
            int lead = b[i];
            if (lead >= 0) {
                return i;
            }
            if (lead >= (byte) 0xc2 && lead <= (byte) 0xdf) {
                // two bytes, U+0080..U+07FF: any continuation byte
                if (i + 1 >= limit || (b[i + 1] & 0xc0) != 0x80) {
                    return -1;
                }
                i += 2;
            } else if (lead >= (byte) 0xe1 && lead <= (byte) 0xef && lead != (byte) 0xed) {
                // three bytes without an overlong or a surrogate form: any continuation bytes
                if (i + 2 >= limit || (b[i + 1] & 0xc0) != 0x80 || (b[i + 2] & 0xc0) != 0x80) {
                    return -1;
                }
                i += 3;
            } else {
                i = utf8End(b, i, limit);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Eight bytes read as one word (the verifier's hot loops, here and in {@link LineAnalyzer}), in a class of its own:
     * the writer never loads it.
     */
    static final class Words {
        private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
                long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGH = 0x8080808080808080L;

        /**
         * The index (0 to 7) of the byte of the lowest set bit of {@code special}, whose set bits are high bits of
         * bytes: the lowest bit alone, moved to the bottom of its byte, times a word whose byte k holds 7 - k, puts k
         * in the top byte. {@code Long.numberOfTrailingZeros} would do, but C1 (which compiles the verifier's code,
         * see the launcher) has no intrinsic for it on JDK 17: its Java version, a binary search called twice, was an
         * eighth of the verifier threads' time (ADR-003, "Seventh round, log verify").
         */
        static int firstByte(long special) {
            return (int) ((((special & -special) >>> 7) * 0x0001020304050607L) >>> 56);
        }

        /**
         * Zero when {@code b[i, i + 8)} is printable ASCII without a quote or a backslash; else the lowest set bit is
         * in the first byte that is not (the zero-byte test: a byte that borrows sets its high bit; bits above the
         * first such byte may be set wrongly, the lowest one never is).
         */
        /**
         * Whether {@code b[i, i + 8)} are all lower-case hex digits: a digest is checked eight bytes at a time, not
         * byte by byte (in C1's code, the byte loop was 6% of the verifier threads' time). See {@link #hex}.
         */
        static boolean lowerHex(byte[] b, int i) {
            return hex((long) LONGS.get(b, i));
        }

        /**
         * Whether the eight bytes of {@code w} (little-endian) are all lower-case hex digits. Adding {@code 0x80 - x}
         * to a byte under 0x80 sets its high bit exactly when it is at least x, without a carry into the byte above.
         * A byte of 0x80 or more fails on its own (its sums either keep the high bit in both bounds or lose it in the
         * lower one); whatever its carry does to the bytes above cannot make the word pass.
         */
        static boolean hex(long w) {
            long digit = w + (0x80 - '0') * ONES & ~(w + (0x80 - '9' - 1) * ONES);
            long letter = w + (0x80 - 'a') * ONES & ~(w + (0x80 - 'f' - 1) * ONES);
            return ((digit | letter) & HIGH) == HIGH;
        }

        static long special(byte[] b, int i) {
            long w = (long) LONGS.get(b, i);
            long control = w - 0x20 * ONES;
            long quote = (w ^ '"' * ONES) - ONES;
            long backslash = (w ^ '\\' * ONES) - ONES;
            return ((control | quote | backslash) & ~w | w) & HIGH;
        }
    }

    private static int escapeEnd(byte[] b, int i, int limit) {
        if (i + 1 >= limit) {
            return -1;
        }
        switch (b[i + 1]) {
            case '"', '\\', 'b', 'f', 'n', 'r', 't':
                return i + 2;
            case 'u':
                // Only control characters without a short form are written as backslash-u00xx, in lower-case hex.
                if (i + 5 >= limit || b[i + 2] != '0' || b[i + 3] != '0' || (b[i + 4] != '0' && b[i + 4] != '1')) {
                    return -1;
                }
                int low = hexDigit(b[i + 5]);
                if (low < 0) {
                    return -1;
                }
                int c = (b[i + 4] - '0') << 4 | low;
                return c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? -1 : i + 6;
            default:
                return -1;
        }
    }

    private static int hexDigit(byte h) {
        if (h >= '0' && h <= '9') {
            return h - '0';
        }
        return h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
    }

    /** Checks one well-formed UTF-8 sequence (no overlong forms, no surrogates) and returns the index after it. */
    private static int utf8End(byte[] b, int i, int limit) {
        int lead = b[i] & 0xff;
        int n;
        int min;
        int max = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            n = 1;
            min = 0x80;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            n = 2;
            min = lead == 0xe0 ? 0xa0 : 0x80;
            max = lead == 0xed ? 0x9f : 0xbf;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            n = 3;
            min = lead == 0xf0 ? 0x90 : 0x80;
            max = lead == 0xf4 ? 0x8f : 0xbf;
        } else {
            return -1;
        }
        if (i + n >= limit) {
            return -1;
        }
        int second = b[i + 1] & 0xff;
        if (second < min || second > max) {
            return -1;
        }
        for (int k = 2; k <= n; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return i + n + 1;
    }

    private static int literal(byte[] b, int i, int limit, byte[] word) {
        if (i + word.length > limit) {
            return -1;
        }
        for (int k = 0; k < word.length; k++) {
            if (b[i + k] != word[k]) {
                return -1;
            }
        }
        return i + word.length;
    }

    /** A canonical integer: no sign on zero, no leading zeros, no fraction or exponent, inside the safe range. */
    private static int number(byte[] b, int i, int limit) {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        int digits = i;
        if (i >= limit || b[i] < '0' || b[i] > '9') {
            return -1;
        }
        if (b[i] == '0') {
            if (i > start) {
                return -1; // -0
            }
            i++;
        } else {
            while (i < limit && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
        }
        if (i < limit && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
            return -1;
        }
        if (i - digits > 16 || i - digits == 16 && Math.abs(parse(b, start, i)) > MAX_SAFE_INTEGER) {
            return -1;
        }
        return i;
    }

    private static long parse(byte[] b, int from, int to) {
        return Long.parseLong(new String(b, from, to - from, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A growable byte array that hands its bytes out without a copy when asked. */
    static final class Bytes {
        private byte[] buf;
        private int size;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        /**
         * Makes room for {@code bytes} more, and a little beyond for what usually follows (the small fields after an
         * answer's text), without doubling.
         */
        void reserve(long bytes) {
            long needed = size + bytes + 4096;
            if (needed > buf.length) {
                if (needed > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("a value of " + needed + " bytes is more than an event can hold");
                }
                buf = Arrays.copyOf(buf, (int) needed);
            }
        }

        /** How many more bytes fit without growing. */
        int room() {
            return buf.length - size;
        }

        void add(byte b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[size++] = b;
        }

        /**
         * Adds the characters of {@code s} from {@code from} up to {@code to} while they are written as they are
         * (see {@link #plainEnd}); the index of the first one not added.
         */
        int addPlain(String s, int from, int to) {
            if (size + (to - from) > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + (to - from)));
            }
            byte[] b = buf;
            int at = size;
            int i = from;
            while (i < to) {
                char c = s.charAt(i);
                if (!isPlain(c)) {
                    break;
                }
                b[at++] = (byte) c;
                i++;
            }
            size = at;
            return i;
        }

        void add(byte[] bytes) {
            add(bytes, 0, bytes.length);
        }

        void add(byte[] bytes, int from, int length) {
            if (size + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + length));
            }
            System.arraycopy(bytes, from, buf, size, length);
            size += length;
        }

        void addAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                add((byte) s.charAt(i));
            }
        }

        int size() {
            return size;
        }

        byte[] array() {
            return buf;
        }

        /** The bytes: the buffer itself when it is full (a long answer's bytes made once, not copied). */
        byte[] toByteArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}
