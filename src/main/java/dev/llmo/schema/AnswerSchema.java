package dev.llmo.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape an answer must have: a JSON Schema whose top level is an object, and whether the model is to give a list
 * of such objects ({@code --schema-multi}). A list is asked for as {@code {"items": [...]}}, which every provider's
 * structured output takes (they want an object at the top), and printed as the list.
 *
 * @param schemaJson the schema as the user gave it, as compact JSON
 * @param multi      whether the answer is a list of objects of that schema
 */
public record AnswerSchema(String schemaJson, boolean multi) {
    /** A schema file or inline schema larger than this is refused. */
    public static final int MAX_BYTES = 256 * 1024;
    /** What a list answer is wrapped in. */
    public static final String ITEMS = "items";
    /** More retries for an answer that does not follow the schema than this is a typo, and a bill. */
    public static final int MAX_RETRIES = 10;
    private static final Pattern WIRE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public AnswerSchema {
        Objects.requireNonNull(schemaJson, "schemaJson");
    }

    /**
     * The schema {@code value} gives: inline JSON (it starts with <code>{</code>), the path of a JSON file, or the
     * concise DSL ({@link SchemaDsl}).
     *
     * @param workingDir where a relative file path is resolved
     * @throws IllegalArgumentException saying what is wrong (not JSON, no such file, a bad DSL field, not a valid
     *                                  JSON Schema); the caller says where it was given
     */
    public static AnswerSchema parse(String value, Path workingDir, boolean multi) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the schema is empty");
        }
        String text = value.strip();
        JsonNode schema;
        if (text.startsWith("{")) {
            schema = json(text, "inline JSON");
        } else {
            Path file = file(text, workingDir);
            if (file != null) {
                schema = json(read(file), file.toString());
            } else if (text.endsWith(".json")) {
                throw new IllegalArgumentException("no such file: " + text);
            } else {
                schema = SchemaDsl.parse(text);
            }
        }
        return of(schema, multi);
    }

    /**
     * The schema {@code schema} (a JSON object already read, such as a chain step's {@code schema:} map), checked.
     *
     * @throws IllegalArgumentException when it is not a usable JSON Schema of an object
     */
    public static AnswerSchema of(JsonNode schema, boolean multi) {
        check(schema);
        return new AnswerSchema(SchemaJson.write(schema), multi);
    }

    /** The schema sent to the model: the user's, or for a list {@code {"items": [that]}}. */
    public String requestJson() {
        if (!multi) {
            return schemaJson;
        }
        ObjectNode wrapped = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode items = wrapped.putObject("properties").putObject(ITEMS).put("type", "array");
        items.set("items", node());
        wrapped.putArray("required").add(ITEMS);
        return SchemaJson.write(wrapped);
    }

    /** The schema's name where a wire format wants one: its {@code title} when that is a plain word, else answer. */
    public String name() {
        String title = node().path("title").asText("");
        return WIRE_NAME.matcher(title).matches() ? title : "answer";
    }

    /** The user's schema as a tree. */
    public JsonNode node() {
        return SchemaJson.parse(schemaJson).orElseThrow();
    }

    /**
     * Checks an answer: its text (a Markdown code fence around it is taken off) must be JSON that follows the schema
     * sent ({@link #requestJson()}).
     */
    public Checked check(String answer) {
        return check(answer, validator());
    }

    /** {@link #check(String)} with this schema's {@link #validator()} compiled once by the caller, for many answers. */
    public Checked check(String answer, SchemaValidator validator) {
        String text = unfenced(answer == null ? "" : answer.strip());
        JsonNode value;
        try {
            value = SchemaJson.read(text).orElse(null);
        } catch (JsonProcessingException e) {
            // the parser's own words quote the answer at length: where it stopped says enough
            return new Checked.Invalid(new Violation("$", "the answer is not JSON (line " + e.getLocation()
                    .getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (value == null) {
            return new Checked.Invalid(new Violation("$", "the answer is empty, not JSON"));
        }
        Optional<Violation> violation = validator.firstViolation(value);
        if (violation.isPresent()) {
            return new Checked.Invalid(violation.get());
        }
        if (multi) {
            JsonNode items = value.get(ITEMS);
            return new Checked.Valid(SchemaJson.write(items), items);
        }
        return new Checked.Valid(text, value);
    }

    /** The compiled check of the schema sent ({@link #requestJson()}). */
    public SchemaValidator validator() {
        return SchemaValidator.compile(SchemaJson.parse(requestJson()).orElseThrow());
    }

    /** What {@link #check} found. */
    public sealed interface Checked {
        /**
         * The answer follows the schema.
         *
         * @param printed what is printed: the answer's JSON as the model wrote it, or for a list the list
         * @param value   that JSON, parsed
         */
        record Valid(String printed, JsonNode value) implements Checked {
        }

        /** The answer breaks the schema here. */
        record Invalid(Violation violation) implements Checked {
        }
    }

    private static String unfenced(String text) {
        if (text.startsWith("```") && text.endsWith("```") && text.length() > 6) {
            int firstLine = text.indexOf('\n');
            if (firstLine > 0 && firstLine < text.length() - 3) {
                return text.substring(firstLine + 1, text.length() - 3).strip();
            }
        }
        return text;
    }

    private static void check(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("a schema is a JSON object, e.g. {\"type\": \"object\", ...}");
        }
        if (!"object".equals(schema.path("type").asText())) {
            throw new IllegalArgumentException("the top level of a schema must be an object (\"type\": \"object\"); "
                    + "for a list of objects use --schema-multi with the schema of one");
        }
        String remote = remoteRef(schema);
        if (remote != null) {
            throw new IllegalArgumentException("the schema refers to " + remote + ": only references within the "
                    + "schema (\"#/...\") are followed");
        }
        Optional<Violation> invalid = SchemaValidator.againstMetaSchema(schema);
        if (invalid.isPresent()) {
            throw new IllegalArgumentException("not a valid JSON Schema: at " + invalid.get());
        }
        SchemaValidator.compile(schema);
    }

    /** The first {@code $ref} that points outside the schema, or null. */
    private static String remoteRef(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("$ref") && field.getValue().isTextual()
                        && !field.getValue().asText().startsWith("#")) {
                    return field.getValue().asText();
                }
                String inner = remoteRef(field.getValue());
                if (inner != null) {
                    return inner;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                String inner = remoteRef(item);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static JsonNode json(String text, String what) {
        if (text.length() > MAX_BYTES) {
            throw new IllegalArgumentException("the schema (" + what + ") is larger than " + MAX_BYTES / 1024 + " KB");
        }
        try {
            return SchemaJson.read(text).orElseThrow(() -> new IllegalArgumentException("the schema (" + what
                    + ") is empty"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the schema (" + what + ") is not JSON: " + e.getOriginalMessage()
                    .lines().findFirst().orElse("") + " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
    }

    /** The file {@code text} names, or null when it names none (then it is DSL). */
    /**
     * {@code value} as it can be kept and used from any directory: the absolute path of the file it names (read
     * from {@code workingDir}), else unchanged (inline JSON, the DSL).
     */
    public static String anchored(String value, Path workingDir) {
        String text = value.strip();
        Path file = text.startsWith("{") ? null : file(text, workingDir);
        return file == null ? value : file.toAbsolutePath().normalize().toString();
    }

    private static Path file(String text, Path workingDir) {
        if (text.contains("\n") || text.contains(",")) {
            return null; // a DSL's fields; a schema file's name has neither
        }
        try {
            Path path = workingDir.resolve(text);
            return Files.isRegularFile(path) ? path : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException("the schema file " + file + " is larger than " + MAX_BYTES / 1024
                        + " KB");
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the schema file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the schema file " + file + ": " + e.getMessage());
        }
    }
}
