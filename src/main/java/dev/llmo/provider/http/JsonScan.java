package dev.llmo.provider.http;

/**
 * A strict, allocation-light reader of one JSON object in a String, for the decoders' fast paths: the few stream
 * chunks that make up nearly all of a long answer (an OpenAI text delta, an Anthropic {@code text_delta}) are read
 * with it instead of a Jackson parser or tree, whose set-up per chunk was most of what a streamed token cost llmo
 * (ADR-003, "Throughput"). It accepts a subset of JSON on purpose: anything it is not sure to read exactly as Jackson
 * does (a key with an escape, a number over 100 characters, nesting over 32 levels, a string over 1 MiB, trailing
 * text, any syntax error) makes it {@link #failed() fail}, and the caller then hands the chunk to the tree reading,
 * which reads or explains everything. Whitespace is JSON's four characters only, as Jackson's default.
 * <p>
 * Use: {@link #startObject()}, then {@code while (nextField())} with {@link #keyIs} and one of {@link #string()},
 * {@link #skipValue()}, {@link #isNull()}... per field, then {@link #end()}. Once failed, every method returns
 * false or null. Not thread-safe; one per chunk.
 */
public final class JsonScan {
    private static final int MAX_DEPTH = 32;
    private static final int MAX_NUMBER = 100;
    private static final int MAX_KEY = 256;
    private static final int MAX_STRING = 1 << 20;

    private final String s;
    private final int length;
    private int pos;
    private boolean failed;
    /** The current key's characters: [keyStart, keyEnd) of {@link #s}, escape-free. */
    private int keyStart;
    private int keyEnd;
    /** Bit d: whether the object or array at depth d has had a member, so that a comma must come first. */
    private long hadMember;
    private int depth;
    /** The body of the last string {@link #string()} read: after its opening quote to its closing one. */
    private int stringStart;
    private int stringEnd;
    private int markStart = -1;
    private int markEnd = -1;

    public JsonScan(String text) {
        this.s = text;
        this.length = text.length();
    }

    /** Whether the text was found not to be in the subset read here (or not JSON). */
    public boolean failed() {
        return failed;
    }

    private boolean fail() {
        failed = true;
        return false;
    }

    private void skipWhitespace() {
        while (pos < length) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** Enters an object: whether the next value is one. */
    public boolean startObject() {
        if (failed) {
            return false;
        }
        skipWhitespace();
        if (pos >= length || s.charAt(pos) != '{' || depth == MAX_DEPTH) {
            return fail();
        }
        pos++;
        hadMember &= ~(1L << depth++);
        return true;
    }

    /** Enters an array: whether the next value is one. Its elements are read with {@link #nextElement()}. */
    public boolean startArray() {
        if (failed) {
            return false;
        }
        skipWhitespace();
        if (pos >= length || s.charAt(pos) != '[' || depth == MAX_DEPTH) {
            return fail();
        }
        pos++;
        hadMember &= ~(1L << depth++);
        return true;
    }

    /**
     * Moves to the next field of the object being read and past its colon: true when there is one (its key is then
     * {@link #keyIs} tested), false at the object's end (consumed) or on failure.
     */
    public boolean nextField() {
        if (!nextMember('}')) {
            return false;
        }
        skipWhitespace();
        if (pos >= length || s.charAt(pos) != '"') {
            return fail();
        }
        int start = ++pos;
        while (pos < length) {
            char c = s.charAt(pos);
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20 || pos - start >= MAX_KEY) {
                return fail(); // an escaped key may spell a known one: the tree reads it
            }
            pos++;
        }
        if (pos >= length) {
            return fail();
        }
        keyStart = start;
        keyEnd = pos++;
        skipWhitespace();
        if (pos >= length || s.charAt(pos) != ':') {
            return fail();
        }
        pos++;
        return true;
    }

    /**
     * Moves to the next element of the array being read: true when there is one, false at the array's end (consumed)
     * or on failure.
     */
    public boolean nextElement() {
        return nextMember(']');
    }

    /**
     * Past the comma before the next member of the innermost object or array ({@code close} ends it): true when a
     * member follows, false at its end (consumed) or on failure.
     */
    private boolean nextMember(char close) {
        if (failed) {
            return false;
        }
        skipWhitespace();
        if (pos >= length) {
            return fail();
        }
        char c = s.charAt(pos);
        if (c == close) {
            pos++;
            depth--;
            return false;
        }
        long bit = 1L << (depth - 1);
        if ((hadMember & bit) != 0) {
            if (c != ',') {
                return fail();
            }
            pos++;
        }
        hadMember |= bit;
        return true;
    }

    /** Keeps the span of the last string value read, for {@link #markedStart()} and {@link #markedEnd()}. */
    public void markString() {
        markStart = stringStart;
        markEnd = stringEnd;
    }

    /** Where the body of the string marked by {@link #markString()} starts: after its opening quote (-1: none). */
    public int markedStart() {
        return markStart;
    }

    /** Where the body of the string marked by {@link #markString()} ends: the index of its closing quote. */
    public int markedEnd() {
        return markEnd;
    }

    /** Whether the current field's key is {@code name}. */
    public boolean keyIs(String name) {
        return keyEnd - keyStart == name.length() && s.regionMatches(keyStart, name, 0, name.length());
    }

    /** What the next value starts with ({@code "}, {@code {}, {@code [}, {@code n}...), 0 at the end or on failure. */
    public char peek() {
        if (failed) {
            return 0;
        }
        skipWhitespace();
        return pos < length ? s.charAt(pos) : 0;
    }

    /** Reads a JSON {@code null}: whether the next value is one. */
    public boolean isNull() {
        return literal("null");
    }

    /** Reads the number {@code 0} exactly as written (not {@code -0}, {@code 0.0}, {@code 0e0}): whether it is. */
    public boolean isZero() {
        if (peek() != '0') {
            return fail();
        }
        pos++;
        if (pos < length) {
            char c = s.charAt(pos);
            if (c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9') {
                return fail();
            }
        }
        return true;
    }

    private boolean literal(String word) {
        if (failed) {
            return false;
        }
        skipWhitespace();
        if (!s.startsWith(word, pos)) {
            return fail();
        }
        pos += word.length();
        return true;
    }

    /** Reads a string value with its escapes decoded as Jackson decodes them; null (and failed) if it is not one. */
    public String string() {
        if (peek() != '"') {
            fail();
            return null;
        }
        int start = ++pos;
        stringStart = start;
        while (pos < length) {
            char c = s.charAt(pos);
            if (c == '"') {
                stringEnd = pos;
                return pos - start > MAX_STRING ? failString() : s.substring(start, pos++);
            }
            if (c == '\\') {
                return escaped(start);
            }
            if (c < 0x20) {
                return failString(); // a raw control character: not JSON
            }
            pos++;
        }
        return failString();
    }

    private String failString() {
        failed = true;
        return null;
    }

    /** The rest of a string from its first backslash at {@link #pos}, its plain start beginning at {@code start}. */
    private String escaped(int start) {
        StringBuilder out = new StringBuilder(pos - start + 16).append(s, start, pos);
        while (pos < length) {
            char c = s.charAt(pos++);
            if (c == '"') {
                stringEnd = pos - 1;
                return out.length() > MAX_STRING ? failString() : out.toString();
            }
            if (c < 0x20) {
                return failString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= length) {
                return failString();
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > length) {
                        return failString();
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = hex(s.charAt(pos++));
                        if (digit < 0) {
                            return failString();
                        }
                        code = code << 4 | digit;
                    }
                    out.append((char) code); // a lone surrogate stays one, as in Jackson; the sink repairs it
                }
                default -> {
                    return failString();
                }
            }
        }
        return failString();
    }

    /** Reads past the next value of any kind, checking its syntax: whether it was one. */
    public boolean skipValue() {
        char c = peek();
        switch (c) {
            case '"' -> {
                return skipString();
            }
            case '{' -> {
                if (!startObject()) {
                    return false;
                }
                while (nextField()) {
                    if (!skipValue()) {
                        return false;
                    }
                }
                return !failed;
            }
            case '[' -> {
                if (!startArray()) {
                    return false;
                }
                while (nextElement()) {
                    if (!skipValue()) {
                        return false;
                    }
                }
                return !failed;
            }
            case 't' -> {
                return literal("true");
            }
            case 'f' -> {
                return literal("false");
            }
            case 'n' -> {
                return literal("null");
            }
            default -> {
                return number();
            }
        }
    }

    private boolean skipString() {
        pos++;
        int start = pos;
        while (pos < length) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return pos - start <= MAX_STRING || fail();
            }
            if (c < 0x20) {
                return fail();
            }
            if (c == '\\') {
                if (pos >= length) {
                    return fail();
                }
                char e = s.charAt(pos++);
                if (e == 'u') {
                    if (pos + 4 > length) {
                        return fail();
                    }
                    for (int i = 0; i < 4; i++) {
                        if (hex(s.charAt(pos++)) < 0) {
                            return fail();
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return fail();
                }
            }
        }
        return fail();
    }

    /** A number as JSON writes one: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, at most 100 characters. */
    private boolean number() {
        int start = pos;
        if (pos < length && s.charAt(pos) == '-') {
            pos++;
        }
        if (pos >= length) {
            return fail();
        }
        char c = s.charAt(pos);
        if (c == '0') {
            pos++;
        } else if (c >= '1' && c <= '9') {
            pos = digits(pos);
        } else {
            return fail();
        }
        if (pos < length && s.charAt(pos) == '.') {
            int from = ++pos;
            pos = digits(pos);
            if (pos == from) {
                return fail();
            }
        }
        if (pos < length && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            pos++;
            if (pos < length && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            int from = pos;
            pos = digits(pos);
            if (pos == from) {
                return fail();
            }
        }
        return pos - start <= MAX_NUMBER || fail();
    }

    /** An ASCII hex digit's value, else -1 (Character.digit would take other scripts' digits too; JSON does not). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private int digits(int at) {
        while (at < length && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
            at++;
        }
        return at;
    }

    /** After the outermost object: whether it was read without failure and only whitespace follows it. */
    public boolean end() {
        if (failed || depth != 0) {
            return false;
        }
        skipWhitespace();
        return pos == length;
    }
}
