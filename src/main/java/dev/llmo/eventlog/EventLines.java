package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bytes of one event line and of what its hash covers. A line is written with its keys in the documented
 * order {@code v, seq, ts, type, data, prev, hash} (readable, and the layout the verifier's fast path expects);
 * the hash covers the canonical form, whose keys sort as {@code data, prev, seq, ts, type, v}.
 */
final class EventLines {
    static final byte[] HASHED_DATA = ascii("{\"data\":");
    static final byte[] HASHED_PREV = ascii(",\"prev\":");
    static final byte[] HASHED_SEQ = ascii(",\"seq\":");
    static final byte[] HASHED_TS = ascii(",\"ts\":");
    static final byte[] HASHED_TYPE = ascii(",\"type\":");
    static final byte[] HASHED_END = ascii(",\"v\":1}");

    static final byte[] LINE_START = ascii("{\"v\":1,\"seq\":");
    static final byte[] LINE_TS = ascii(",\"ts\":");
    static final byte[] LINE_TYPE = ascii(",\"type\":");
    static final byte[] LINE_DATA = ascii(",\"data\":");
    static final byte[] LINE_PREV = ascii(",\"prev\":\"");
    static final byte[] LINE_HASH = ascii("\",\"hash\":\"");
    static final byte[] LINE_END = ascii("\"}\n");

    private EventLines() {
    }

    /**
     * The {@code hash} of an event whose canonical {@code data} is {@code data[from, from + length)}. The data is
     * digested where it is, not copied next to the other fields (it may be a long answer).
     */
    static String hash(MessageDigest digest, byte[] data, int from, int length, String prev, long seq, String ts,
                       String type) {
        CanonicalJson.Bytes rest = new CanonicalJson.Bytes(256);
        rest.add(HASHED_PREV);
        CanonicalJson.writeString(prev, rest, "prev");
        rest.add(HASHED_SEQ);
        rest.addAscii(Long.toString(seq));
        rest.add(HASHED_TS);
        CanonicalJson.writeString(ts, rest, "ts");
        rest.add(HASHED_TYPE);
        CanonicalJson.writeString(type, rest, "type");
        rest.add(HASHED_END);
        digest.reset();
        digest.update(HASHED_DATA);
        digest.update(data, from, length);
        digest.update(rest.array(), 0, rest.size());
        return Sha256.PREFIX + Sha256.hex(digest.digest());
    }

    /**
     * One whole line, newline included, in three pieces: what comes before the data, the data (not copied: it may
     * be a long answer), and what comes after it.
     */
    record Line(byte[] head, byte[] data, int dataLength, byte[] tail) {
        long length() {
            return (long) head.length + dataLength + tail.length;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(head);
            out.write(data, 0, dataLength);
            out.write(tail);
        }

        /** Writes the line at {@code position} in one gathering write (as one {@code write} of the whole line). */
        void writeTo(FileChannel channel, long position) throws IOException {
            ByteBuffer[] buffers = {ByteBuffer.wrap(head), ByteBuffer.wrap(data, 0, dataLength), ByteBuffer.wrap(tail)};
            channel.position(position);
            long left = length();
            while (left > 0) { // one write for a regular file; the loop only guards the contract
                left -= channel.write(buffers);
            }
        }
    }

    /** The line of an event whose canonical data is {@code data[0, dataLength)}. */
    static Line line(long seq, String ts, String type, byte[] data, int dataLength, String prev, String hash) {
        CanonicalJson.Bytes head = new CanonicalJson.Bytes(128);
        head.add(LINE_START);
        head.addAscii(Long.toString(seq));
        head.add(LINE_TS);
        CanonicalJson.writeString(ts, head, "ts");
        head.add(LINE_TYPE);
        CanonicalJson.writeString(type, head, "type");
        head.add(LINE_DATA);
        CanonicalJson.Bytes tail = new CanonicalJson.Bytes(160);
        tail.add(LINE_PREV);
        tail.addAscii(prev);
        tail.add(LINE_HASH);
        tail.addAscii(hash);
        tail.add(LINE_END);
        return new Line(head.toByteArray(), data, dataLength, tail.toByteArray());
    }

    /** The event on this line, or null when it does not read as one. Checks shape only, not the hash. */
    static Event parse(byte[] b, int from, int length) {
        JsonNode node;
        try {
            node = EventJson.read(b, from, length);
        } catch (IOException e) {
            return null;
        }
        if (node == null || !node.isObject() || !node.path("seq").canConvertToLong() || !node.path("ts").isTextual()
                || !node.path("type").isTextual() || !node.path("data").isObject()) {
            return null;
        }
        return new Event(node.get("seq").longValue(), node.get("ts").textValue(), node.get("type").textValue(),
                (ObjectNode) node.get("data"), node.path("prev").asText(""), node.path("hash").asText(""));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
