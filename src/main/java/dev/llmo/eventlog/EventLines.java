package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bytes of one event line and of what its hash covers. A line is written with its keys in the documented
 * order {@code v, seq, ts, type, data, prev, hash} and, in version 2, {@code content} last (readable, and the layout
 * the verifier's fast path expects); the hash covers the canonical form without {@code hash} and {@code content},
 * whose keys sort as {@code data, prev, seq, ts, type, v}.
 */
final class EventLines {
    static final byte[] HASHED_DATA = ascii("{\"data\":");
    static final byte[] HASHED_PREV = ascii(",\"prev\":");
    static final byte[] HASHED_SEQ = ascii(",\"seq\":");
    static final byte[] HASHED_TS = ascii(",\"ts\":");
    static final byte[] HASHED_TYPE = ascii(",\"type\":");
    static final byte[] HASHED_END_V1 = ascii(",\"v\":1}");
    static final byte[] HASHED_END_V2 = ascii(",\"v\":2}");

    static final byte[] LINE_START_V1 = ascii("{\"v\":1,\"seq\":");
    static final byte[] LINE_START_V2 = ascii("{\"v\":2,\"seq\":");
    static final byte[] LINE_TS = ascii(",\"ts\":");
    static final byte[] LINE_TYPE = ascii(",\"type\":");
    static final byte[] LINE_DATA = ascii(",\"data\":");
    static final byte[] LINE_PREV = ascii(",\"prev\":\"");
    static final byte[] LINE_HASH = ascii("\",\"hash\":\"");
    static final byte[] LINE_END = ascii("\"}\n");
    static final byte[] LINE_CONTENT = ascii("\",\"content\":");

    private EventLines() {
    }

    /** The {@code hash} of an event whose canonical {@code data} is {@code data[from, from + length)}. */
    static String hash(MessageDigest digest, int version, byte[] data, int from, int length, String prev, long seq,
                       String ts, String type) {
        CanonicalJson.Bytes out = new CanonicalJson.Bytes(data.length + 256);
        out.add(HASHED_DATA);
        out.add(data, from, length);
        out.add(HASHED_PREV);
        CanonicalJson.writeString(prev, out, "prev");
        out.add(HASHED_SEQ);
        out.addAscii(Long.toString(seq));
        out.add(HASHED_TS);
        CanonicalJson.writeString(ts, out, "ts");
        out.add(HASHED_TYPE);
        CanonicalJson.writeString(type, out, "type");
        out.add(version == 1 ? HASHED_END_V1 : HASHED_END_V2);
        digest.reset();
        digest.update(out.array(), 0, out.size());
        return Sha256.PREFIX + Sha256.hex(digest.digest());
    }

    /** The whole version 2 line, newline included; {@code content} is null when the event has none. */
    static byte[] line(long seq, String ts, String type, byte[] data, String prev, String hash, byte[] content) {
        // the small parts first, so that the line is made in an array of its exact size: a long answer's line is
        // not copied again to trim it
        CanonicalJson.Bytes head = new CanonicalJson.Bytes(128);
        head.add(LINE_START_V2);
        head.addAscii(Long.toString(seq));
        head.add(LINE_TS);
        CanonicalJson.writeString(ts, head, "ts");
        head.add(LINE_TYPE);
        CanonicalJson.writeString(type, head, "type");
        head.add(LINE_DATA);
        CanonicalJson.Bytes middle = new CanonicalJson.Bytes(192);
        middle.add(LINE_PREV);
        middle.addAscii(prev);
        middle.add(LINE_HASH);
        middle.addAscii(hash);
        byte[] end = content == null ? LINE_END : LINE_CONTENT;
        long length = (long) head.size() + data.length + middle.size() + end.length
                + (content == null ? 0 : content.length + 2);
        CanonicalJson.Bytes out = new CanonicalJson.Bytes((int) Math.min(length, Integer.MAX_VALUE - 8));
        out.add(head.array(), 0, head.size());
        out.add(data);
        out.add(middle.array(), 0, middle.size());
        out.add(end);
        if (content != null) {
            out.add(content);
            out.add((byte) '}');
            out.add((byte) '\n');
        }
        return out.toByteArray();
    }

    /** The event on this line, or null when it does not read as one. Checks shape only, not the hash. */
    static Event parse(byte[] b, int from, int length) {
        JsonNode node;
        try {
            node = EventJson.read(b, from, length);
        } catch (IOException e) {
            return null;
        }
        return event(node);
    }

    /**
     * The event on this line without its {@code content}, which is not read: a long answer's text is not parsed. As
     * {@link #parse} for a line whose members before {@code content} make an event (llmo writes it last); a line
     * whose content is not JSON reads as an event here.
     */
    static Event parseWithoutContent(byte[] b, int from, int length) {
        JsonNode node;
        try {
            node = EventJson.readBefore(b, from, length, "content");
        } catch (IOException e) {
            return null;
        }
        return event(node);
    }

    private static Event event(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("seq").canConvertToLong() || !node.path("ts").isTextual()
                || !node.path("type").isTextual() || !node.path("data").isObject()) {
            return null;
        }
        int version = node.path("v").asInt(Event.VERSION_1);
        ObjectNode content = version >= 2 && node.path("content").isObject() ? (ObjectNode) node.get("content") : null;
        return new Event(version, node.get("seq").longValue(), node.get("ts").textValue(), node.get("type").textValue(),
                (ObjectNode) node.get("data"), node.path("prev").asText(""), node.path("hash").asText(""), content);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
