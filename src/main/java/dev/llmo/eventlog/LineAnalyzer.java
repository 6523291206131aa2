package dev.llmo.eventlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks one line on its own: does it read as an event, does its hash match its data, and (format version 2) does
 * each entry of its {@code content} match the digest its data names it by. Lines in the exact layout llmo writes,
 * with canonical data, are hashed straight from the bytes read (the fast path); anything else goes through a
 * Jackson tree and {@link CanonicalJson#write} (the slow path), which also has the last word on a mismatch. Not
 * thread-safe: one per thread.
 */
final class LineAnalyzer {
    private static final byte[] SESSION_END = EventLines.ascii("\"session.end\"");
    private static final byte[] PREFIX = EventLines.ascii("\"sha256:");
    private static final byte[] HASH_KEY = EventLines.ascii(",\"hash\":");
    private static final byte[] CONTENT_KEY = EventLines.ascii(",\"content\":");
    private static final int DIGEST_LENGTH = 7 + 64; // sha256: + hex
    private static final byte[] NAMED = EventLines.ascii("\"" + EventCodec.CONTENT_DIGEST + "\":\"");

    private final MessageDigest digest = Sha256.newDigest();
    private final byte[] sum = new byte[32];
    private final byte[] hex = new byte[64];
    /** The hashed form of a line in llmo's layout (grows to the longest data seen). */
    private byte[] preimage = new byte[4096];

    /** Facts of the line {@code b[from, to)} whose newline (if any) is at {@code to}; {@code base} is b[0]'s file offset. */
    LineFacts analyze(byte[] b, int from, int to, long base, boolean terminated) {
        long end = base + to + (terminated ? 1 : 0);
        LineFacts fast = fast(b, from, to, end, terminated);
        return fast != null ? fast : slow(b, from, to, end, terminated);
    }

    /**
     * Facts of the line starting at {@code from} in {@code b[.., limit)}, finding its end on the way: one pass over
     * the bytes for a line in llmo's own layout (canonical JSON never holds a raw newline, so the scan cannot run
     * past the line), a line-end search and the slow path otherwise.
     */
    LineFacts analyzeNext(byte[] b, int from, int limit, long base) {
        int close = layout(b, from, limit, marks);
        if (close > 0 && (close == limit || b[close] == '\n')) {
            boolean terminated = close < limit;
            LineFacts fast = fromMarks(b, base + close + (terminated ? 1 : 0), terminated);
            if (fast != null) {
                return fast;
            }
        }
        int to = from;
        while (to < limit && b[to] != '\n') {
            to++;
        }
        return analyze(b, from, to, base, to < limit);
    }

    // seq, ts, type and data spans; the version; the content object's span (-1 when the line has none)
    private final int[] marks = new int[11];

    private LineFacts fast(byte[] b, int from, int to, long end, boolean terminated) {
        if (layout(b, from, to, marks) != to) {
            return null;
        }
        return fromMarks(b, end, terminated);
    }

    /** Hashes the line whose fields {@link #layout} found. */
    private LineFacts fromMarks(byte[] b, long end, boolean terminated) {
        int[] m = marks;
        int seqStart = m[0], seqEnd = m[1], tsStart = m[2], tsEnd = m[3], typeStart = m[4], typeEnd = m[5];
        int dataStart = m[6], dataEnd = m[7];
        int prevStart = dataEnd + EventLines.HASHED_PREV.length;
        int hashStart = prevStart + DIGEST_LENGTH + 2 + HASH_KEY.length;
        LineFacts facts = hashed(b, m[8], seqStart, seqEnd, tsStart, tsEnd, typeStart, typeEnd, dataStart, dataEnd,
                prevStart, hashStart, end, terminated);
        if (facts == null) {
            return null;
        }
        if (contains(b, dataStart, dataEnd, BlobCheck.MARKER)) {
            try {
                facts = withAttachments(facts, EventJson.read(b, dataStart, dataEnd - dataStart));
            } catch (IOException e) {
                return null; // canonical JSON always parses; the slow path explains anything else
            }
        }
        if (m[9] < 0) {
            return facts;
        }
        // the content is outside the hash: each entry must still be what its data names by digest
        if (contentChecked || contentMatches(b, dataStart, dataEnd, m[9], m[10])) {
            return facts;
        }
        try {
            String problem = contentProblem(EventJson.read(b, dataStart, dataEnd - dataStart),
                    EventJson.read(b, m[9], m[10] - m[9]));
            return problem == null ? facts : new LineFacts(LineFacts.Status.HASH_MISMATCH, problem, facts.seq(),
                    facts.prev(), facts.hash(), false, end, terminated);
        } catch (IOException e) {
            return null; // the slow path explains
        }
    }

    private static LineFacts withAttachments(LineFacts facts, JsonNode data) {
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        BlobCheck.collect(data, found);
        return found.isEmpty() ? facts : new LineFacts(facts.status(), facts.detail(), facts.seq(), facts.prev(),
                facts.hash(), facts.sessionEnd(), facts.end(), facts.terminated(), found);
    }

    /** Whether {@code b[from, to)} holds {@code word}: the data of an event is short, a plain search will do. */
    private static boolean contains(byte[] b, int from, int to, byte[] word) {
        byte first = word[0];
        for (int i = from, last = to - word.length; i <= last; i++) {
            if (b[i] == first && java.util.Arrays.equals(b, i, i + word.length, word, 0, word.length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every entry of the content object {@code b[from, to)} is named by a {@code content_sha256} of the data
     * {@code b[dataFrom, dataTo)} and is the SHA-256 of its own bytes: {@link #contentProblem}'s verdict on llmo's own
     * lines without parsing them ({@link #layout} found both canonical, so an entry's bytes are its canonical JSON).
     * False for anything else, which the tree check then decides and explains.
     */
    private boolean contentMatches(byte[] b, int dataFrom, int dataTo, int from, int to) {
        int i = from + 1;
        if (b[i] == '}') {
            return true;
        }
        while (true) {
            int keyEnd = digestString(b, i, to);
            if (keyEnd < 0 || b[keyEnd] != ':' || !named(b, dataFrom, dataTo, i + 1)) {
                return false;
            }
            int valueStart = keyEnd + 1;
            int valueEnd = CanonicalJson.end(b, valueStart, to);
            if (valueEnd < 0) {
                return false;
            }
            if (!hashes(b, valueStart, valueEnd, i + PREFIX.length)) {
                return false;
            }
            if (b[valueEnd] == '}') {
                return true;
            }
            if (b[valueEnd] != ',') {
                return false;
            }
            i = valueEnd + 1;
        }
    }

    /** Whether {@link #layout}'s scan of the line's content found every entry named by the data and matching it. */
    private boolean contentChecked;

    /**
     * The content object at {@code b[from]} in the shape llmo writes, scanned once: {@link #contentMatches} done in
     * the same pass as the canonical check of {@link #layout} (content is most of a log's bytes; two passes over it
     * were a third of the verifier's time). Keys are digests in ascending order, values canonical JSON. Returns the
     * index after the object's closing brace, setting {@link #contentChecked} when every entry is named by the data
     * {@code b[dataFrom, dataTo)} and matches its digest; -1 when the object is not in that shape, for
     * {@link CanonicalJson#end} and {@link #contentMatches} to decide as for any other line.
     */
    private int checkedContent(byte[] b, int from, int to, int dataFrom, int dataTo) {
        int i = from + 1;
        if (i >= to) {
            return -1;
        }
        if (b[i] == '}') {
            contentChecked = true;
            return i + 1;
        }
        boolean matches = true;
        int previousKey = -1;
        while (true) {
            int keyEnd = digestString(b, i, to);
            if (keyEnd < 0 || keyEnd >= to || b[keyEnd] != ':') {
                return -1;
            }
            int hexStart = i + PREFIX.length;
            if (previousKey >= 0 && java.util.Arrays.compare(b, previousKey, previousKey + 64, b, hexStart,
                    hexStart + 64) >= 0) {
                return -1; // not in canonical order (or a key twice)
            }
            previousKey = hexStart;
            int valueStart = keyEnd + 1;
            int valueEnd = CanonicalJson.end(b, valueStart, to, 1);
            if (valueEnd < 0 || valueEnd >= to) {
                return -1;
            }
            matches = matches && named(b, dataFrom, dataTo, i + 1) && hashes(b, valueStart, valueEnd, hexStart);
            if (b[valueEnd] == '}') {
                contentChecked = matches;
                return valueEnd + 1;
            }
            if (b[valueEnd] != ',') {
                return -1;
            }
            i = valueEnd + 1;
        }
    }

    /** Whether the SHA-256 of {@code b[from, to)} is the 64 hex digits at {@code b[hexAt]}. */
    private boolean hashes(byte[] b, int from, int to, int hexAt) {
        digest.update(b, from, to - from);
        try {
            digest.digest(sum, 0, sum.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        Sha256.hexInto(sum, hex, 0);
        return java.util.Arrays.equals(hex, 0, 64, b, hexAt, hexAt + 64);
    }

    /**
     * Whether the canonical data {@code b[from, to)} has a field {@code "content_sha256":"<digest>"} (at any depth, as
     * {@link EventCodec#contentDigests} finds them) for the digest at {@code b[digest, digest + 71)}. A match right
     * after '{' or ',' is a key: in valid JSON a quote there cannot be inside a string.
     */
    private static boolean named(byte[] b, int from, int to, int digest) {
        int last = to - NAMED.length - DIGEST_LENGTH - 1;
        for (int i = from + 1; i <= last; i++) {
            if (b[i] == '"' && (b[i - 1] == '{' || b[i - 1] == ',')
                    && java.util.Arrays.equals(b, i, i + NAMED.length, NAMED, 0, NAMED.length)
                    && java.util.Arrays.equals(b, i + NAMED.length, i + NAMED.length + DIGEST_LENGTH, b, digest,
                    digest + DIGEST_LENGTH)
                    && b[i + NAMED.length + DIGEST_LENGTH] == '"') {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses the exact layout llmo writes, recording where the fields are in {@code m}; returns the index after the
     * closing brace, or -1.
     */
    private int layout(byte[] b, int from, int to, int[] m) {
        int version = 2;
        int i = expect(b, from, to, EventLines.LINE_START_V2);
        if (i < 0) {
            version = 1;
            i = expect(b, from, to, EventLines.LINE_START_V1);
        }
        int seqStart = i;
        i = digits(b, i, to);
        int seqEnd = i;
        i = expect(b, i, to, EventLines.LINE_TS);
        int tsStart = i;
        i = plainString(b, i, to);
        int tsEnd = i;
        i = expect(b, i, to, EventLines.LINE_TYPE);
        int typeStart = i;
        i = plainString(b, i, to);
        int typeEnd = i;
        i = expect(b, i, to, EventLines.LINE_DATA);
        int dataStart = i;
        if (i < 0 || i >= to || b[i] != '{') {
            return -1;
        }
        i = CanonicalJson.end(b, i, to);
        int dataEnd = i;
        i = expect(b, i, to, EventLines.HASHED_PREV);
        i = digestString(b, i, to); // prev
        i = expect(b, i, to, HASH_KEY);
        i = digestString(b, i, to); // hash
        int contentStart = -1;
        int contentEnd = -1;
        contentChecked = false;
        if (version == 2 && i >= 0 && i < to && b[i] == ',') {
            i = expect(b, i, to, CONTENT_KEY);
            contentStart = i;
            if (i < 0 || i >= to || b[i] != '{') {
                return -1;
            }
            int checked = checkedContent(b, i, to, dataStart, dataEnd);
            i = checked > 0 ? checked : CanonicalJson.end(b, i, to);
            contentEnd = i;
        }
        if (i < 0 || i >= to || b[i] != '}') {
            return -1;
        }
        m[8] = version;
        m[9] = contentStart;
        m[10] = contentEnd;
        m[0] = seqStart;
        m[1] = seqEnd;
        m[2] = tsStart;
        m[3] = tsEnd;
        m[4] = typeStart;
        m[5] = typeEnd;
        m[6] = dataStart;
        m[7] = dataEnd;
        return i + 1;
    }

    private LineFacts hashed(byte[] b, int version, int seqStart, int seqEnd, int tsStart, int tsEnd, int typeStart, int typeEnd,
                             int dataStart, int dataEnd, int prevStart, int hashStart, long end, boolean terminated) {
        // The hashed form is put together here and handed to the digest whole: piece by piece, each short piece went
        // through the digest's block buffer, hashed by the JDK's Java rounds (not the SHA-256 instructions) until C2
        // has compiled the digest's update method, i.e. for most of a cold run (ADR-003, "Sixth round").
        byte[] close = version == 1 ? EventLines.HASHED_END_V1 : EventLines.HASHED_END_V2;
        int n = EventLines.HASHED_DATA.length + (dataEnd - dataStart) + EventLines.HASHED_PREV.length + DIGEST_LENGTH
                + 2 + EventLines.HASHED_SEQ.length + (seqEnd - seqStart) + EventLines.HASHED_TS.length + (tsEnd - tsStart)
                + EventLines.HASHED_TYPE.length + (typeEnd - typeStart) + close.length;
        if (preimage.length < n) {
            preimage = new byte[Math.max(n, preimage.length * 2)];
        }
        byte[] p = preimage;
        int at = put(p, 0, EventLines.HASHED_DATA, 0, EventLines.HASHED_DATA.length);
        at = put(p, at, b, dataStart, dataEnd - dataStart);
        at = put(p, at, EventLines.HASHED_PREV, 0, EventLines.HASHED_PREV.length);
        at = put(p, at, b, prevStart, DIGEST_LENGTH + 2);
        at = put(p, at, EventLines.HASHED_SEQ, 0, EventLines.HASHED_SEQ.length);
        at = put(p, at, b, seqStart, seqEnd - seqStart);
        at = put(p, at, EventLines.HASHED_TS, 0, EventLines.HASHED_TS.length);
        at = put(p, at, b, tsStart, tsEnd - tsStart);
        at = put(p, at, EventLines.HASHED_TYPE, 0, EventLines.HASHED_TYPE.length);
        at = put(p, at, b, typeStart, typeEnd - typeStart);
        at = put(p, at, close, 0, close.length);
        digest.update(p, 0, at);
        try {
            digest.digest(sum, 0, sum.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        Sha256.hexInto(sum, hex, 0);
        if (!java.util.Arrays.equals(hex, 0, 64, b, hashStart + 8, hashStart + 8 + 64)) {
            return null; // let the slow path confirm and explain
        }
        boolean sessionEnd = java.util.Arrays.equals(b, typeStart, typeEnd, SESSION_END, 0, SESSION_END.length);
        return new LineFacts(LineFacts.Status.OK, null, parseLong(b, seqStart, seqEnd), latin1(b, prevStart + 1),
                latin1(b, hashStart + 1), sessionEnd, end, terminated);
    }

    private static int put(byte[] to, int at, byte[] from, int offset, int length) {
        System.arraycopy(from, offset, to, at, length);
        return at + length;
    }

    private static String latin1(byte[] b, int from) {
        return new String(b, from, DIGEST_LENGTH, StandardCharsets.ISO_8859_1);
    }

    private static long parseLong(byte[] b, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    private static int expect(byte[] b, int i, int to, byte[] literal) {
        if (i < 0 || i + literal.length > to) {
            return -1;
        }
        for (int k = 0; k < literal.length; k++) {
            if (b[i + k] != literal[k]) {
                return -1;
            }
        }
        return i + literal.length;
    }

    /** A canonical non-negative integer of at most 15 digits. */
    private static int digits(byte[] b, int i, int to) {
        if (i < 0 || i >= to || b[i] < '0' || b[i] > '9') {
            return -1;
        }
        if (b[i] == '0') {
            return i + 1;
        }
        int start = i;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i - start > 15 ? -1 : i;
    }

    /** A quoted string of printable ASCII without escapes (timestamps, types); index after the closing quote. */
    private static int plainString(byte[] b, int i, int to) {
        if (i < 0 || i >= to || b[i] != '"') {
            return -1;
        }
        for (i++; i < to; i++) {
            byte c = b[i];
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20 || c == '\\') {
                return -1;
            }
        }
        return -1;
    }

    /** {@code "sha256:<64 lower-case hex>"}; index after the closing quote. */
    private static int digestString(byte[] b, int i, int to) {
        i = expect(b, i, to, PREFIX);
        if (i < 0 || i + 65 > to) {
            return -1;
        }
        for (int k = 0; k < 64; k += 8) {
            if (!CanonicalJson.Words.lowerHex(b, i + k)) {
                return -1;
            }
        }
        return b[i + 64] == '"' ? i + 65 : -1;
    }

    private LineFacts slow(byte[] b, int from, int to, long end, boolean terminated) {
        if (from == to) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, "the line is empty", end, terminated);
        }
        JsonNode node;
        try {
            node = EventJson.read(b, from, to - from);
        } catch (JsonProcessingException e) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, "not valid JSON ("
                    + dev.llmo.json.JsonErrors.reason(e) + ")", end, terminated);
        } catch (IOException e) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, "not valid JSON (" + e.getMessage() + ")", end,
                    terminated);
        }
        if (node == null || !node.isObject()) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, "not a JSON object", end, terminated);
        }
        String shape = shapeProblem(node);
        if (shape != null) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, shape, end, terminated);
        }
        ObjectNode hashed = ((ObjectNode) node).deepCopy();
        hashed.remove("hash");
        boolean version2 = node.get("v").longValue() == 2;
        if (version2) {
            hashed.remove("content"); // outside the hash: checked against the digests below
        }
        byte[] canonical;
        try {
            canonical = CanonicalJson.write(hashed);
        } catch (IllegalArgumentException e) {
            return LineFacts.bad(LineFacts.Status.NOT_AN_EVENT, e.getMessage(), end, terminated);
        }
        digest.reset();
        String actual = Sha256.PREFIX + Sha256.hex(digest.digest(canonical));
        String claimed = node.get("hash").textValue();
        if (!actual.equals(claimed)) {
            return new LineFacts(LineFacts.Status.HASH_MISMATCH, "its content does not match its hash",
                    node.get("seq").longValue(), node.get("prev").textValue(), claimed, false, end, terminated);
        }
        String content = version2 ? contentProblem(node.get("data"), node.get("content")) : null;
        if (content != null) {
            return new LineFacts(LineFacts.Status.HASH_MISMATCH, content, node.get("seq").longValue(),
                    node.get("prev").textValue(), claimed, false, end, terminated);
        }
        return withAttachments(new LineFacts(LineFacts.Status.OK, null, node.get("seq").longValue(),
                node.get("prev").textValue(), claimed, "session.end".equals(node.get("type").textValue()), end,
                terminated), node.get("data"));
    }

    /**
     * Why the {@code content} of a version 2 line does not belong to its {@code data}, or null when it does: every
     * entry must be named by a {@code content_sha256} of the data and be the SHA-256 of its own canonical JSON. A
     * digest without an entry is content removed on purpose (redacted), which the chain allows.
     */
    private String contentProblem(JsonNode data, JsonNode content) {
        if (content == null) {
            return null;
        }
        if (!content.isObject()) {
            return "its \"content\" is not an object";
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        EventCodec.contentDigests(data, named);
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> entry = it.next();
            if (!named.contains(entry.getKey())) {
                return "its content holds " + abbreviated(entry.getKey()) + ", which no part of the event names";
            }
            byte[] canonical;
            try {
                canonical = CanonicalJson.write(entry.getValue());
            } catch (IllegalArgumentException e) {
                return "its content " + abbreviated(entry.getKey()) + " " + e.getMessage();
            }
            digest.reset();
            if (!entry.getKey().equals(Sha256.PREFIX + Sha256.hex(digest.digest(canonical)))) {
                return "its content " + abbreviated(entry.getKey()) + " does not match its digest (the content was "
                        + "changed after it was written)";
            }
        }
        return null;
    }

    private static String abbreviated(String digest) {
        return digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
    }

    private static String shapeProblem(JsonNode node) {
        JsonNode v = node.get("v");
        if (v == null || !v.isIntegralNumber()) {
            return "no format version \"v\"";
        }
        if (v.longValue() != Event.VERSION_1 && v.longValue() != Event.VERSION) {
            return "format version " + v + ", this llmo reads versions " + Event.VERSION_1 + " and " + Event.VERSION;
        }
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0) {
            return "no valid \"seq\"";
        }
        if (!node.path("ts").isTextual() || !node.path("type").isTextual()) {
            return "no \"ts\" or \"type\" string";
        }
        if (!node.path("data").isObject()) {
            return "no \"data\" object";
        }
        if (!Sha256.isDigest(node.path("prev").textValue()) || !Sha256.isDigest(node.path("hash").textValue())) {
            return "\"prev\" or \"hash\" is not sha256:<64 hex>";
        }
        return null;
    }
}
