package dev.nin.sweep;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line and column it came from, so every error can point at its place.
 * Read with Jackson's YAML parser; mappings keep their key order.
 *
 * @param value a {@code Map<String, YamlNode>}, {@code List<YamlNode>}, String, Long, Double, Boolean or null
 * @param line 1-based
 * @param column 1-based
 */
public record YamlNode(Object value, int line, int column) {

    /**
     * Parses one YAML document. A second one ({@code ---} and then content) is an error, not
     * ignored: its keys would look like settings to the reader of the file but change nothing. An
     * empty document after a trailing {@code ---} holds nothing and is allowed.
     */
    public static YamlNode parse(Reader reader) throws IOException {
        try (JsonParser parser = new YAMLFactory().createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new YamlNode(null, 1, 1);
            }
            YamlNode root = read(parser);
            for (JsonToken next = parser.nextToken(); next != null; next = parser.nextToken()) {
                if (next != JsonToken.VALUE_NULL) {
                    JsonLocation at = parser.currentTokenLocation();
                    throw new SweepFileException.Positioned(at.getLineNr(), at.getColumnNr(), "(second document)",
                            "a sweep file holds one YAML document, found another after a '---' line; remove the '---'"
                                    + " and what follows it, or move that part to a sweep file of its own");
                }
            }
            return root;
        }
    }

    private static YamlNode read(JsonParser parser) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, YamlNode> map = new LinkedHashMap<>();
                Map<String, YamlNode> keys = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    JsonLocation keyAt = parser.currentTokenLocation();
                    if (map.containsKey(key)) {
                        throw new SweepFileException.Positioned(keyAt.getLineNr(), keyAt.getColumnNr(), key,
                                "appears twice in the same mapping; keep one");
                    }
                    keys.put(key, new YamlNode(key, keyAt.getLineNr(), keyAt.getColumnNr()));
                    parser.nextToken();
                    map.put(key, read(parser));
                }
                return new YamlNode(new KeyedMap(map, keys), line, column);
            }
            case START_ARRAY -> {
                List<YamlNode> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(parser));
                }
                return new YamlNode(list, line, column);
            }
            case VALUE_NUMBER_INT -> {
                return new YamlNode(parser.getLongValue(), line, column);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YamlNode(parser.getDoubleValue(), line, column);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YamlNode(parser.getBooleanValue(), line, column);
            }
            case VALUE_NULL -> {
                return new YamlNode(null, line, column);
            }
            default -> {
                return new YamlNode(parser.getText(), line, column);
            }
        }
    }

    /** A mapping: values by key, and each key's own node (for its position). */
    public record KeyedMap(Map<String, YamlNode> values, Map<String, YamlNode> keys) {}

    /** What a user would call this value's type, for "expected X, found Y" messages. */
    public String typeName() {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof KeyedMap) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return value.toString();
    }
}
