package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private String canonical(String json) throws Exception {
        return new String(CanonicalJson.write(mapper.readTree(json)), StandardCharsets.UTF_8);
    }

    @Test
    void aLongStringIsWrittenAsShortOnesAreInAnArrayOfItsSize() throws Exception {
        // every kind of char: plain, escaped, control, 2-, 3- and 4-byte UTF-8, a lone surrogate (U+FFFD)
        String piece = "plain \"quoted\" back\\slash\n\t\u0001 é 中 😀 lone\ud800x ";
        String escapedPiece = new String(CanonicalJson.write(mapper.getNodeFactory().textNode(piece)),
                StandardCharsets.UTF_8); // short: written without reserving room
        ObjectNode event = mapper.createObjectNode();
        event.put("text", piece.repeat(2000));
        event.put("z", 1);

        CanonicalJson.Bytes bytes = CanonicalJson.canonical(event);

        String body = escapedPiece.substring(1, escapedPiece.length() - 1);
        assertThat(new String(bytes.array(), 0, bytes.size(), StandardCharsets.UTF_8))
                .isEqualTo("{\"text\":\"" + body.repeat(2000) + "\",\"z\":1}");
        assertThat(bytes.array().length).isLessThan(bytes.size() + 8192); // grown once, not doubled
    }

    @Test
    void sortsKeysAndDropsWhitespace() throws Exception {
        assertThat(canonical("{ \"b\": [1, true, null], \"a\": {\"z\": \"x\", \"y\": -3}, \"ab\": 0 }"))
                .isEqualTo("{\"a\":{\"y\":-3,\"z\":\"x\"},\"ab\":0,\"b\":[1,true,null]}");
    }

    @Test
    void sortsKeysByUtf16CodeUnitsNotCodePoints() throws Exception {
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+E000 in UTF-16 (and after it by code point)
        assertThat(canonical("{\"\\ue000\": 1, \"\\ud83d\\ude00\": 2}")).isEqualTo("{\"😀\":2,\"\ue000\":1}");
    }

    @Test
    void escapesStringsAsRfc8785() throws Exception {
        assertThat(canonical("\"\\u0022\\u005c\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\/é\\u2028\""))
                .isEqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u007f/é\u2028\"");
    }

    @Test
    void rejectsFloatingPointNumbers() {
        assertThatThrownBy(() -> canonical("{\"a\": {\"t\": 0.7}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$.a.t").hasMessageContaining("0.7");
        assertThatThrownBy(() -> canonical("[1.0]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> canonical("1e3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsIntegersOutsideTheSafeRange() throws Exception {
        assertThat(canonical("9007199254740991")).isEqualTo("9007199254740991");
        assertThatThrownBy(() -> canonical("9007199254740992")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("safe integer");
    }

    @Test
    void writesLoneSurrogatesAsTheReplacementCharacter() throws Exception {
        // a server's malformed text must still be recorded: UTF-8 cannot encode the lone half, U+FFFD stands for it
        assertThat(canonical("\"\\ud800x\"")).isEqualTo("\"\uFFFDx\"");
        assertThat(canonical("\"a\\udc00\"")).isEqualTo("\"a\uFFFD\"");
        assertThat(canonical("\"\\ud83d\\ude00\"")).isEqualTo("\"\uD83D\uDE00\"");
    }

    @Test
    void fastScannerAcceptsWhatTheWriterWrites() {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = CanonicalJson.write(randomTree(random, 0));
            assertThat(CanonicalJson.end(bytes, 0, bytes.length)).as(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(bytes.length);
        }
    }

    @Test
    void fastScannerRejectsNonCanonicalForms() {
        String[] notCanonical = {"{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":2}", "{ \"a\":1}", "{\"a\":1.5}", "{\"a\":-0}",
            "{\"a\":01}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\/\"}", "{\"a\":\"\\u000a\"}", "{\"a\":\"\\u001F\"}",
            "{\"a\":\"x\ny\"}", "{\"a\":1e2}", "{\"a\":[1 ,2]}", "{\"a\":tru}", "{\"a\":\"open}",
            "{\"a\":9007199254740992}"};
        for (String json : notCanonical) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertThat(CanonicalJson.end(bytes, 0, bytes.length)).as(json).isNotEqualTo(bytes.length);
        }
        byte[] invalidUtf8 = {'"', (byte) 0xc0, (byte) 0x80, '"'};
        assertThat(CanonicalJson.end(invalidUtf8, 0, 4)).isEqualTo(-1);
        byte[] encodedSurrogate = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'};
        assertThat(CanonicalJson.end(encodedSurrogate, 0, 5)).isEqualTo(-1);
    }

    @Test
    void fastScannerFindsEveryByteThatEndsPlainTextAtEveryPositionOfAWord() {
        // the scanner takes eight bytes at a time: each kind of byte, at each offset, must be seen exactly
        for (int at = 0; at < 17; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] bytes = ("\"" + "a".repeat(at) + "?" + "x".repeat(19 - at) + "\"").getBytes(StandardCharsets.US_ASCII);
                bytes[1 + at] = (byte) v;
                int expected = v == '"' ? 2 + at : v >= 0x20 && v < 0x80 && v != '\\' ? bytes.length : -1;
                assertThat(CanonicalJson.end(bytes, 0, bytes.length)).as("byte %d at %d", v, at).isEqualTo(expected);
            }
            for (String piece : new String[] {"\\n", "\\\"", "\\u001f", "é", "日", "😀"}) {
                byte[] bytes = ("\"" + "a".repeat(at) + piece + "b".repeat(19 - at) + "\"")
                        .getBytes(StandardCharsets.UTF_8);
                assertThat(CanonicalJson.end(bytes, 0, bytes.length)).as("%s at %d", piece, at)
                        .isEqualTo(bytes.length);
            }
        }
    }

    @Test
    void fastScannerAcceptsExactlyTheUtf8TheJdkDecodes() throws Exception {
        // every lead byte with continuation bytes at the edges of each range, alone, in runs and cut short by the
        // closing quote, at each offset of the eight-byte test: the scanner agrees with the JDK's strict decoder
        int[] edges = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
        java.nio.charset.CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        int checked = 0;
        for (int lead = 0x80; lead <= 0xff; lead++) {
            for (int second : edges) {
                for (int third : new int[] {0x80, 0xbf, 0xc0}) {
                    for (int fourth : new int[] {0x80, 0xc0}) {
                        byte[] sequence = {(byte) lead, (byte) second, (byte) third, (byte) fourth};
                        for (int length = 1; length <= 4; length++) {
                            for (String before : new String[] {"", "abcdefg", "日本"}) {
                                for (String after : new String[] {"", "ü", "\\n"}) {
                                    byte[] pre = before.getBytes(StandardCharsets.UTF_8);
                                    byte[] post = after.getBytes(StandardCharsets.UTF_8);
                                    byte[] bytes = new byte[pre.length + length + post.length + 2];
                                    bytes[0] = '"';
                                    System.arraycopy(pre, 0, bytes, 1, pre.length);
                                    System.arraycopy(sequence, 0, bytes, 1 + pre.length, length);
                                    System.arraycopy(post, 0, bytes, 1 + pre.length + length, post.length);
                                    bytes[bytes.length - 1] = '"';
                                    byte[] inside = java.util.Arrays.copyOfRange(bytes, 1, bytes.length - 1);
                                    boolean decodes = decodesWithoutControls(strict, inside, after);
                                    assertThat(CanonicalJson.end(bytes, 0, bytes.length))
                                            .as("%s", java.util.HexFormat.ofDelimiter(" ").formatHex(bytes))
                                            .isEqualTo(decodes ? bytes.length : -1);
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(100_000);
    }

    /** Whether {@code inside} is well-formed UTF-8 whose only ASCII are printable (and the escape {@code after}). */
    private static boolean decodesWithoutControls(java.nio.charset.CharsetDecoder strict, byte[] inside, String after) {
        String text;
        try {
            text = strict.decode(java.nio.ByteBuffer.wrap(inside)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
        if (after.startsWith("\\")) {
            text = text.substring(0, text.length() - after.length());
        }
        return text.chars().allMatch(c -> c >= 0x20 && c != '"' && c != '\\');
    }

    @Test
    void fastScannerOrdersKeysLikeTheWriter() {
        byte[] bytes = "{\"a\":1,\"a!\":2,\"ab\":3,\"b\":4}".getBytes(StandardCharsets.UTF_8);
        assertThat(CanonicalJson.end(bytes, 0, bytes.length)).isEqualTo(bytes.length);
    }

    private JsonNode randomTree(Random random, int depth) {
        int kind = depth > 3 ? 2 + random.nextInt(4) : random.nextInt(6);
        switch (kind) {
            case 0 -> {
                ObjectNode object = mapper.createObjectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(randomString(random), randomTree(random, depth + 1));
                }
                return object;
            }
            case 1 -> {
                var array = mapper.createArrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomTree(random, depth + 1));
                }
                return array;
            }
            case 2 -> {
                return mapper.getNodeFactory().textNode(randomString(random));
            }
            case 3 -> {
                return mapper.getNodeFactory().numberNode(random.nextLong() % CanonicalJson.MAX_SAFE_INTEGER);
            }
            case 4 -> {
                return mapper.getNodeFactory().booleanNode(random.nextBoolean());
            }
            default -> {
                return mapper.getNodeFactory().nullNode();
            }
        }
    }

    private static String randomString(Random random) {
        String alphabet = "ab\"\\\n\t\u0001\u001fé日😀\u007f\u2028 /";
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            int at = random.nextInt(alphabet.length());
            if (Character.isHighSurrogate(alphabet.charAt(at))) {
                s.append(alphabet, at, at + 2);
            } else if (!Character.isLowSurrogate(alphabet.charAt(at))) {
                s.append(alphabet.charAt(at));
            }
        }
        return s.toString();
    }

    /**
     * A long string (over 4 KiB) is written in runs of plain characters; it must come out byte for byte as its pieces
     * do through the one-character-at-a-time path of short strings, with every kind of character around the runs'
     * edges: escapes, controls, DEL, two- and three-byte characters, surrogate pairs and lone surrogates.
     */
    private static final com.fasterxml.jackson.databind.node.JsonNodeFactory TEXT =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;

    @Test
    void longStringsAreWrittenAsTheirShortPiecesAre() {
        String[] kinds = {"a", "tok1 ", "\"", "\\", "\n", "\u0001", "\u001f", "\u007f", "\u0080", "\u00e9", "\u07ff",
            "\u0800", "\u20ac", "\uffff", "\ud83d\ude00", "\ud800", "\udc00", " ", "~"};
        Random random = new Random(15);
        for (int round = 0; round < 40; round++) {
            StringBuilder text = new StringBuilder();
            java.util.List<String> pieces = new java.util.ArrayList<>();
            while (text.length() < 4097 + random.nextInt(20_000)) {
                StringBuilder piece = new StringBuilder();
                int run = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(8);
                for (int i = 0; i < run; i++) {
                    piece.append(kinds[random.nextInt(round % 2 == 0 ? 2 : kinds.length)]);
                }
                if (piece.length() > 0 && Character.isHighSurrogate(piece.charAt(piece.length() - 1))) {
                    piece.append('x'); // a lone high surrogate at the end would pair with the next piece's low one
                }
                pieces.add(piece.toString());
                text.append(piece);
            }
            StringBuilder expected = new StringBuilder("\"");
            for (String piece : pieces) {
                String written = new String(CanonicalJson.write(TEXT.textNode(piece)), StandardCharsets.UTF_8);
                expected.append(written, 1, written.length() - 1);
            }
            expected.append('"');
            String whole = text.toString();
            assertThat(new String(CanonicalJson.write(TEXT.textNode(whole)), StandardCharsets.UTF_8))
                    .isEqualTo(expected.toString());
        }
    }

    /**
     * A long string gets room for itself as plain text and an eighth more; one that needs more (escapes, characters
     * of two to four bytes), early or late in it, gets room for its rest once: written as its pieces are all the same.
     */
    @Test
    void longStringsThatOutgrowTheirRoomAreWrittenAsTheirPiecesAre() {
        for (String kind : new String[] {"\u0001", "\u4e2d", "\ud83d\ude00", "\"", "\u00e9"}) {
            for (String whole : new String[] {kind.repeat(5000), "a".repeat(6000) + kind.repeat(3000),
                kind.repeat(2000) + "b".repeat(9000)}) {
                StringBuilder expected = new StringBuilder("\"");
                for (int at = 0; at < whole.length(); at += 1000) {
                    String written = new String(CanonicalJson.write(TEXT.textNode(whole.substring(at,
                            Math.min(whole.length(), at + 1000)))), StandardCharsets.UTF_8);
                    expected.append(written, 1, written.length() - 1);
                }
                expected.append('"');
                assertThat(new String(CanonicalJson.write(TEXT.textNode(whole)), StandardCharsets.UTF_8))
                        .isEqualTo(expected.toString());
            }
        }
    }
}
