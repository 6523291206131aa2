package dev.llmo.json;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * Jackson trees read and written with jackson-core's parser and generator alone, the way jackson-databind's
 * {@code ObjectMapper.readTree} and {@code writeValueAsString} do it for a tree, without the mapper: building the
 * first {@code ObjectMapper} (its class's date format and locale data, its serializer and deserializer caches) cost
 * every model call ~35 ms of CPU, ~13 ms of it on the main thread, for documents that are only ever trees here
 * (ADR-003, "Tenth round"). The tree classes are databind's own, so everything else that reads a tree is unchanged;
 * {@code JsonTreesTest} compares both ways on random and hostile documents.
 */
public final class JsonTrees {
    /** Trees are made as databind makes them by default (decimals kept as read; the reader may strip them). */
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    /** Jackson's factory as a mapper made with {@code new ObjectMapper()} has it (its parser's and generator's). */
    public static final JsonFactory PLAIN_FACTORY = new JsonFactory();

    /**
     * Reads as {@code new ObjectMapper().readTree} does: doubles, anything after the document left unread. For the
     * tools' schemas and arguments, which had such a mapper only for that (its ~400 classes).
     */
    public static final Reading MAPPER_DEFAULTS = new Reading(PLAIN_FACTORY, Floats.DOUBLE, false);

    /** What a number with a fraction or an exponent becomes. */
    public enum Floats {
        /** A {@code double}: databind's default. */
        DOUBLE,
        /** A {@code BigDecimal} with every digit as written ({@code USE_BIG_DECIMAL_FOR_FLOATS}, exact nodes). */
        DECIMAL,
        /**
         * A {@code BigDecimal} without trailing zeros ({@code USE_BIG_DECIMAL_FOR_FLOATS} with databind's default
         * node factory, which strips them: 1.50 reads as 1.5).
         */
        DECIMAL_STRIPPED
    }

    /**
     * How documents become trees: the parser's factory (its features and limits), floats, and whether anything after
     * the document is an error ({@code FAIL_ON_TRAILING_TOKENS}) or left unread (databind's default).
     */
    public record Reading(JsonFactory factory, Floats floats, boolean refuseTrailing) {
        /**
         * The tree of the document in {@code bytes} (UTF-8 or another encoding JSON allows); a missing node when
         * there is none (nothing but white space).
         *
         * @throws com.fasterxml.jackson.core.JsonProcessingException when it is not JSON, or breaks a limit
         */
        public JsonNode read(byte[] bytes, int from, int length) throws IOException {
            try (JsonParser parser = factory.createParser(bytes, from, length)) {
                return tree(parser);
            }
        }

        /** As {@link #read(byte[], int, int)}, for the whole array. */
        public JsonNode read(byte[] bytes) throws IOException {
            return read(bytes, 0, bytes.length);
        }

        /** As {@link #read(byte[], int, int)}, for text. */
        public JsonNode read(String text) throws IOException {
            try (JsonParser parser = factory.createParser(text)) {
                return tree(parser);
            }
        }

        /**
         * The members of the object in {@code bytes} that come before its member {@code stop}, which is left unread
         * with all that follows it (when there is none: all of them); null when the document is no object.
         *
         * @throws com.fasterxml.jackson.core.JsonProcessingException when what is read is not JSON, or breaks a limit
         */
        public ObjectNode readBefore(byte[] bytes, int from, int length, String stop) throws IOException {
            try (JsonParser parser = factory.createParser(bytes, from, length)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                ObjectNode members = NODES.objectNode();
                for (String name = parser.nextFieldName(); name != null && !name.equals(stop);
                     name = parser.nextFieldName()) {
                    JsonToken token = parser.nextToken();
                    members.replace(name, token == JsonToken.START_OBJECT ? containers(parser, NODES.objectNode())
                            : token == JsonToken.START_ARRAY ? containers(parser, NODES.arrayNode())
                            : scalar(parser, token));
                }
                return members;
            }
        }

        private JsonNode tree(JsonParser parser) throws IOException {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return MissingNode.getInstance();
            }
            JsonNode root = switch (token) {
                case START_OBJECT -> containers(parser, NODES.objectNode());
                case START_ARRAY -> containers(parser, NODES.arrayNode());
                default -> scalar(parser, token);
            };
            if (refuseTrailing) {
                JsonToken next = parser.nextToken();
                if (next != null) {
                    throw new JsonParseException(parser, "Trailing token (of type " + next + ") found after value");
                }
            }
            return root;
        }

        /**
         * Fills {@code root} and the containers in it, without recursion (a document may nest as deep as the
         * parser's limit). A repeated name takes the later value in the earlier place, as databind's does (a parser
         * with duplicate detection refuses it first).
         */
        private JsonNode containers(JsonParser parser, ContainerNode<?> root) throws IOException {
            ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>();
            ContainerNode<?> current = root;
            while (current != null) {
                boolean descended = false;
                if (current instanceof ObjectNode object) {
                    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                        JsonToken token = parser.nextToken();
                        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                            ContainerNode<?> inner = token == JsonToken.START_OBJECT ? NODES.objectNode()
                                    : NODES.arrayNode();
                            object.replace(name, inner);
                            open.push(current);
                            current = inner;
                            descended = true;
                            break;
                        }
                        object.replace(name, scalar(parser, token));
                    }
                } else {
                    ArrayNode array = (ArrayNode) current;
                    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY;
                         token = parser.nextToken()) {
                        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                            ContainerNode<?> inner = token == JsonToken.START_OBJECT ? NODES.objectNode()
                                    : NODES.arrayNode();
                            array.add(inner);
                            open.push(current);
                            current = inner;
                            descended = true;
                            break;
                        }
                        array.add(scalar(parser, token));
                    }
                }
                if (!descended) {
                    current = open.poll();
                }
            }
            return root;
        }

        private JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
            if (token == null) {
                throw new JsonParseException(parser, "Unexpected end-of-input");
            }
            return switch (token) {
                case VALUE_STRING -> NODES.textNode(parser.getText());
                case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> floating(parser);
                case VALUE_TRUE -> NODES.booleanNode(true);
                case VALUE_FALSE -> NODES.booleanNode(false);
                case VALUE_NULL -> NODES.nullNode();
                default -> throw new JsonParseException(parser, "Unexpected token (" + token + ")");
            };
        }

        private ValueNode floating(JsonParser parser) throws IOException {
            if (floats == Floats.DOUBLE || parser.isNaN()) {
                return NODES.numberNode(parser.getDoubleValue());
            }
            BigDecimal value = parser.getDecimalValue();
            if (floats == Floats.DECIMAL_STRIPPED) {
                try {
                    value = value.stripTrailingZeros();
                } catch (ArithmeticException e) {
                    // a scale beyond int: left as read, as databind leaves it
                }
            }
            return NODES.numberNode(value);
        }
    }

    /** {@code node} as compact JSON text, written by {@code factory}'s generator (its features, e.g. plain decimals). */
    public static String write(JsonFactory factory, JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = factory.createGenerator(out)) {
            write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** {@code node} as compact JSON in UTF-8, written by {@code factory}'s generator. */
    public static byte[] writeBytes(JsonFactory factory, JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = factory.createGenerator(out, JsonEncoding.UTF8)) {
            write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code node} as databind's serializers of the tree classes do with a mapper's default settings: fields in
     * their order, nulls and empty arrays kept, each number as its node holds it, binary as MIME Base64 without line
     * feeds.
     *
     * @throws IllegalArgumentException for a node that holds a Java object ({@code POJONode}) or raw text: those
     *     need a mapper, and no tree written here has one
     */
    public static void write(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject(node);
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray(node, node.size());
                for (JsonNode item : node) {
                    write(generator, item);
                }
                generator.writeEndArray();
            }
            case STRING -> generator.writeString(node.textValue());
            case NUMBER -> number(generator, node);
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case NULL, MISSING -> generator.writeNull();
            case BINARY -> {
                byte[] data = ((BinaryNode) node).binaryValue();
                if (data == null) {
                    generator.writeNull();
                } else {
                    generator.writeBinary(Base64Variants.getDefaultVariant(), data, 0, data.length);
                }
            }
            default -> throw new IllegalArgumentException("a JSON tree with a " + node.getClass().getSimpleName()
                    + " needs a mapper to be written");
        }
    }

    private static void number(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.numberType()) {
            case INT -> {
                if (node.isShort()) {
                    generator.writeNumber(node.shortValue());
                } else {
                    generator.writeNumber(node.intValue());
                }
            }
            case LONG -> generator.writeNumber(node.longValue());
            case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
            case FLOAT -> generator.writeNumber(node.floatValue());
            case DOUBLE -> generator.writeNumber(node.doubleValue());
            case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
            default -> throw new IllegalArgumentException("a number node of type " + node.numberType());
        }
    }
}
