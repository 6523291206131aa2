package dev.llmo.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.List;
import java.util.Optional;

/**
 * A JSON Schema (draft 2020-12 unless it names another with {@code $schema}), compiled once, that says whether a JSON
 * value follows it: the first violation, or none. Immutable and thread-safe.
 *
 * <p>The public API for every caller that checks answers (run, chains, batch assertions):
 * {@code SchemaValidator.validate(schemaJson, jsonText)}, or {@link #compile} once and {@link #firstViolation} per
 * value. The library behind it (networknt json-schema-validator) is loaded on the first call, never at start-up.
 */
public final class SchemaValidator {
    private final Schema schema;

    private SchemaValidator(Schema schema) {
        this.schema = schema;
    }

    /**
     * The validator of {@code schema}.
     *
     * @throws IllegalArgumentException when it is not a usable schema (not an object or boolean, an unknown
     *                                  {@code $schema}, a {@code $ref} that cannot be resolved locally)
     */
    public static SchemaValidator compile(JsonNode schema) {
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            throw new IllegalArgumentException("a JSON Schema is an object (or true/false)");
        }
        try {
            Schema compiled = Library.REGISTRY.getSchema(schema);
            compiled.initializeValidators(); // every $ref resolved now, not on the first answer
            return new SchemaValidator(compiled);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the schema cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * The first violation of {@code jsonText} against {@code schemaJson}, or empty when it follows the schema. Text
     * that is not JSON is a violation at {@code $}.
     *
     * @throws IllegalArgumentException when {@code schemaJson} is not JSON or not a usable schema
     */
    public static Optional<Violation> validate(String schemaJson, String jsonText) {
        JsonNode schema = SchemaJson.parse(schemaJson).orElseThrow(() ->
                new IllegalArgumentException("the schema is not JSON"));
        Optional<JsonNode> value = SchemaJson.parse(jsonText);
        if (value.isEmpty()) {
            return Optional.of(new Violation("$", "not JSON"));
        }
        return compile(schema).firstViolation(value.get());
    }

    /** The first place where {@code value} breaks this schema, or empty when it follows it. */
    public Optional<Violation> firstViolation(JsonNode value) {
        List<Error> errors;
        try {
            errors = schema.validate(value);
        } catch (RuntimeException e) {
            // a $ref the schema cannot resolve, a pattern the regex engine refuses: the answer cannot be checked
            return Optional.of(new Violation("$", "cannot be checked against the schema: " + e.getMessage()));
        }
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        Error first = errors.get(0);
        String path = first.getInstanceLocation() == null ? "$" : first.getInstanceLocation().toString();
        return Optional.of(new Violation(path.isEmpty() ? "$" : path, first.getMessage()));
    }

    /** Whether {@code schema} is a valid JSON Schema of draft 2020-12: the first violation of the meta-schema. */
    static Optional<Violation> againstMetaSchema(JsonNode schema) {
        return new SchemaValidator(Library.META).firstViolation(schema);
    }

    /** The library, set up on first use: a class of its own so that naming the validator loads nothing. */
    private static final class Library {
        static {
            // networknt logs through SLF4J, which llmo does not bind: without these it prints its set-up notes on
            // stderr, where only llmo's own lines belong
            if (System.getProperty("slf4j.provider") == null) {
                System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            }
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "ERROR");
            }
        }

        // no remote fetching: a $ref is resolved within the schema (the meta-schemas come from the library's jar)
        static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH)
                        .build()).schemaLoader(loader -> loader.fetchRemoteResources(false)));
        static final Schema META = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

        private Library() {
        }
    }
}
