package dev.llmo.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.core.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML document into a {@link ConfigNode} tree whose every node knows its file, line and column.
 * Syntax errors and duplicate keys become a {@link ConfigException} reading {@code path:line:column: message}.
 */
public final class YamlFiles {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlFiles() {
    }

    /** Parses {@code text}; {@code file} is the name used in origins and errors. An empty document is an empty map. */
    public static MapNode parse(String text, String file, String layer) {
        try (JsonParser parser = FACTORY.createParser(new StringReader(text))) {
            JsonToken first = parser.nextToken();
            Origin start = new Origin(layer, file, 1, 1);
            if (first == null || first == JsonToken.VALUE_NULL) {
                return new MapNode(Map.of(), start);
            }
            ConfigNode root = readValue(parser, file, layer);
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

    private static ConfigNode readValue(JsonParser parser, String file, String layer) throws IOException {
        Origin origin = origin(parser.currentTokenLocation(), file, layer);
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, ConfigNode> entries = new LinkedHashMap<>();
                Map<String, Origin> keyOrigins = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Origin keyOrigin = origin(parser.currentTokenLocation(), file, layer);
                    parser.nextToken();
                    ConfigNode value = readValue(parser, file, layer);
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
                    items.add(readValue(parser, file, layer));
                }
                return new ListNode(items, origin);
            }
            case VALUE_NUMBER_INT:
                return new ScalarNode(parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? new java.math.BigDecimal(parser.getText()) : parser.getLongValue(), origin);
            case VALUE_NUMBER_FLOAT:
                return new ScalarNode(new java.math.BigDecimal(parser.getText()), origin);
            case VALUE_TRUE:
                return new ScalarNode(Boolean.TRUE, origin);
            case VALUE_FALSE:
                return new ScalarNode(Boolean.FALSE, origin);
            case VALUE_NULL:
                return new ScalarNode(null, origin);
            default:
                return new ScalarNode(parser.getText(), origin);
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
