package dev.llmo.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a YAML document into a {@link ConfigNode} tree whose every node knows its file, line and column.
 * Syntax errors and duplicate keys become a {@link ConfigException} reading {@code path:line:column: message}.
 *
 * <p>A configuration file may come with a repository the user just cloned, so it is parsed as hostile input:
 * at most {@link #MAX_CODE_POINTS} code points, nesting at most {@link #MAX_DEPTH} deep, no aliases, no number
 * that is not finite, no text that cannot be encoded as UTF-8. Each of these is a {@code path:line:column} error.
 */
public final class YamlFiles {
    /** The most mappings and lists one value may be nested in (the top-level mapping is depth 1). */
    public static final int MAX_DEPTH = 64;
    /** The most significant digits, and the largest exponent, of a decimal number. */
    public static final int MAX_NUMBER_DIGITS = 100;
    /** The longest document snakeyaml is asked to read, the same as the file size limit of {@link ConfigFiles}. */
    public static final int MAX_CODE_POINTS = (int) ConfigFiles.MAX_BYTES;
    private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    private YamlFiles() {
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        // aliases are refused while reading (see readValue); this stops a billion-laughs document earlier
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(MAX_DEPTH + 1);
        return options;
    }

    /** Parses {@code text}; {@code file} is the name used in origins and errors. An empty document is an empty map. */
    public static MapNode parse(String text, String file, String layer) {
        try (JsonParser parser = FACTORY.createParser(new StringReader(text))) {
            JsonToken first = parser.nextToken();
            Origin start = new Origin(layer, file, 1, 1);
            if (first == null || first == JsonToken.VALUE_NULL) {
                return new MapNode(Map.of(), start);
            }
            ConfigNode root = readValue(parser, file, layer, 1);
            if (!(root instanceof MapNode map)) {
                throw new ConfigException(root.origin().where() + ": the top level must be a mapping (key: value), not "
                        + root.kind(), null);
            }
            return map;
        } catch (JsonProcessingException e) {
            throw syntaxError(e, file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), null, e);
        }
    }

    private static ConfigNode readValue(JsonParser parser, String file, String layer, int depth) throws IOException {
        Origin origin = origin(parser.currentTokenLocation(), file, layer);
        JsonToken token = parser.currentToken();
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            // Jackson hands an alias over as the anchor's name in plain text: "*key" would be sent as "key".
            throw new ConfigException(origin.where() + ": YAML aliases (*" + parser.getText() + ") are not supported",
                    "write the value out in full instead of referring to an anchor");
        }
        if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && depth > MAX_DEPTH) {
            throw new ConfigException(origin.where() + ": nested more than " + MAX_DEPTH + " levels deep",
                    "flatten the configuration; llmo's settings need only a few levels");
        }
        switch (token) {
            case START_OBJECT: {
                Map<String, ConfigNode> entries = new LinkedHashMap<>();
                Map<String, Origin> keyOrigins = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Origin keyOrigin = origin(parser.currentTokenLocation(), file, layer);
                    checkText(key, keyOrigin);
                    parser.nextToken();
                    ConfigNode value = readValue(parser, file, layer, depth + 1);
                    if (entries.putIfAbsent(key, value) != null) {
                        throw new ConfigException(keyOrigin.where() + ": duplicate key '" + key + "'",
                                "remove one of the two entries");
                    }
                    keyOrigins.put(key, keyOrigin);
                }
                return new MapNode(entries, keyOrigins, origin);
            }
            case START_ARRAY: {
                List<ConfigNode> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(parser, file, layer, depth + 1));
                }
                return new ListNode(items, origin);
            }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new ScalarNode(number(parser, origin), origin);
            case VALUE_TRUE:
                return new ScalarNode(Boolean.TRUE, origin);
            case VALUE_FALSE:
                return new ScalarNode(Boolean.FALSE, origin);
            case VALUE_NULL:
                return new ScalarNode(null, origin);
            default:
                String text = parser.getText();
                checkText(text, origin);
                return new ScalarNode(text, origin);
        }
    }

    /**
     * A whole number as Long (BigDecimal when larger), any other number as an exact BigDecimal. YAML's
     * {@code .nan} and {@code .inf} have no exact value: no price or budget can be one.
     */
    private static Object number(JsonParser parser, Origin origin) throws IOException {
        String text = parser.getText();
        try {
            boolean whole = parser.currentToken() == JsonToken.VALUE_NUMBER_INT;
            if (whole && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return parser.getLongValue();
            }
            BigDecimal value = whole ? new BigDecimal(parser.getBigIntegerValue())
                    : new BigDecimal(text.replace("_", ""));
            // 1.0e+999999999 is exact but printing it would take a gigabyte: no setting needs such a number
            if (Math.abs(value.scale()) > MAX_NUMBER_DIGITS || value.precision() > MAX_NUMBER_DIGITS) {
                throw new ConfigException(origin.where() + ": '" + abbreviate(text) + "' is out of range",
                        "write a plain decimal number of at most " + MAX_NUMBER_DIGITS + " digits");
            }
            return value;
        } catch (NumberFormatException | JsonProcessingException e) {
            throw new ConfigException(origin.where() + ": '" + abbreviate(text) + "' is not a finite number",
                    "write a plain decimal number such as 0.5", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** Text that holds half of a UTF-16 surrogate pair cannot be written as UTF-8 (a "\\uD800" escape makes one). */
    private static void checkText(String text, Origin origin) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ConfigException(origin.where() + ": the text holds a lone UTF-16 surrogate (\\u"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "), which is not a character",
                        "remove the \\u escape or complete the surrogate pair");
            }
        }
    }

    private static Origin origin(JsonLocation location, String file, String layer) {
        return new Origin(layer, file, location.getLineNr(), location.getColumnNr());
    }

    private static ConfigException syntaxError(JsonProcessingException e, String file) {
        int line = 0;
        int column = 0;
        String message = e.getOriginalMessage();
        // snakeyaml's own error carries the exact problem and its mark; Jackson's wrapper only the context.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblemMark() != null) {
                line = marked.getProblemMark().getLine() + 1;
                column = marked.getProblemMark().getColumn() + 1;
                message = marked.getProblem();
                break;
            }
        }
        if (line == 0 && e.getLocation() != null) {
            line = e.getLocation().getLineNr();
            column = e.getLocation().getColumnNr();
        }
        String firstLine = message == null ? "invalid YAML" : message.strip().lines().findFirst().orElse("invalid YAML");
        String where = line > 0 ? file + ":" + line + ":" + column : file;
        return new ConfigException(where + ": " + firstLine, "fix the YAML syntax at that place", e);
    }
}
