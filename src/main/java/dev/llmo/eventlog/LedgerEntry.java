package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.json.JsonTrees;
import java.io.IOException;
import java.util.Arrays;

/**
 * One line of the ledger: conversation {@code conversation} had, when one of its sessions ended, {@code headSeq + 1}
 * events ending with the event whose hash is {@code headHash}. Entries are hash-chained like events (see
 * docs/usage/event-log.md, "The ledger").
 *
 * @param seq the entry's position in the ledger, from 0
 * @param ts when it was written (RFC 3339, UTC, milliseconds)
 * @param prev the hash of the entry before ({@link Sha256#ZERO} for the first)
 * @param hash {@code sha256:} of the canonical JSON of the entry without {@code hash} and {@code mac}
 * @param mac {@code hmac-sha256:} of {@code hash} under the ledger key (see {@link LedgerMac}), or null
 * @param node the entry as read (every key, known or not, is covered by its hash)
 */
public record LedgerEntry(long seq, String ts, String conversation, long headSeq, String headHash, String prev,
                          String hash, String mac, ObjectNode node) {

    /** A new entry after {@code prev}; its hash is computed, its MAC added when {@code key} is not null. */
    static LedgerEntry create(long seq, String ts, String conversation, long headSeq, String headHash, String prev,
                              byte[] key) {
        ObjectNode node = EventJson.NODES.objectNode();
        node.put("v", 1);
        node.put("seq", seq);
        node.put("ts", ts);
        node.put("conversation", conversation);
        node.put("head_seq", headSeq);
        node.put("head_hash", headHash);
        node.put("prev", prev);
        String hash = hashOf(node);
        node.put("hash", hash);
        String mac = key == null ? null : LedgerMac.of(key, hash);
        if (mac != null) {
            node.put("mac", mac);
        }
        return new LedgerEntry(seq, ts, conversation, headSeq, headHash, prev, hash, mac, node);
    }

    /** The hash an entry should have: over everything but {@code hash} and {@code mac}. */
    static String hashOf(ObjectNode node) {
        ObjectNode hashed = node.deepCopy();
        hashed.remove("hash");
        hashed.remove("mac");
        return Sha256.of(CanonicalJson.write(hashed));
    }

    /** The line as written, newline included: keys in the documented order, compact. */
    byte[] line() {
        byte[] json = JsonTrees.writeBytes(EventJson.FACTORY, node);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    /** Whether the entry carries a MAC. */
    public boolean authenticated() {
        return mac != null;
    }

    /**
     * Reads one line (without its newline); checks shape, not links.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static LedgerEntry parse(byte[] bytes, int from, int length) {
        JsonNode node;
        try {
            node = EventJson.read(bytes, from, length);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON, or a duplicate key");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!node.path("v").isIntegralNumber() || node.path("v").longValue() != 1) {
            throw new IllegalArgumentException("not a version 1 ledger entry");
        }
        long seq = integer(node, "seq");
        long headSeq = integer(node, "head_seq");
        String ts = text(node, "ts");
        String conversation = text(node, "conversation");
        if (!ConversationId.isValid(conversation)) {
            throw new IllegalArgumentException("'conversation' is not a conversation id");
        }
        String headHash = digest(node, "head_hash");
        String prev = digest(node, "prev");
        String hash = digest(node, "hash");
        JsonNode mac = node.get("mac");
        if (mac != null && !LedgerMac.isMac(mac.textValue())) {
            throw new IllegalArgumentException("'mac' is not hmac-sha256: and 64 hex digits");
        }
        return new LedgerEntry(seq, ts, conversation, headSeq, headHash, prev, hash,
                mac == null ? null : mac.textValue(), (ObjectNode) node);
    }

    private static long integer(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new IllegalArgumentException("'" + name + "' is missing or not a whole number");
        }
        return value.longValue();
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("'" + name + "' is missing or not a string");
        }
        return value.textValue();
    }

    private static String digest(JsonNode node, String name) {
        String value = text(node, name);
        if (!Sha256.isDigest(value)) {
            throw new IllegalArgumentException("'" + name + "' is not sha256: and 64 hex digits");
        }
        return value;
    }
}
