package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import dev.llmo.schema.AnswerSchema;
import dev.llmo.template.SavedTemplate;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Structured output: {@code --schema} or {@code --schema-multi} (JSON, a file or the concise DSL) and
 * {@code --schema-retries}. See docs/usage/structured-output.md.
 */
final class SchemaOptions {
    /** More retries than this is a typo, and a bill. */
    static final int MAX_RETRIES = AnswerSchema.MAX_RETRIES;

    @ArgGroup(exclusive = true)
    Given given;

    static final class Given {
        @Option(names = "--schema", paramLabel = "JSON|FILE|DSL",
                description = "Answer with JSON following this schema: a JSON Schema, a file holding one, or fields "
                        + "like 'name, age int, tags [str], bio: a short biography'.")
        String schema;

        @Option(names = "--schema-multi", paramLabel = "JSON|FILE|DSL",
                description = "Answer with a JSON list of objects, each following this schema.")
        String multi;
    }

    @Option(names = "--schema-retries", paramLabel = "N",
            description = "Ask again up to N times when the answer does not follow the schema (default 0).")
    Integer retries;

    /**
     * The schema given, checked, or null for none.
     *
     * @throws UsageException (exit 2) when it is not JSON, a file, or DSL, or not a usable schema
     */
    AnswerSchema schema(Path workingDir) {
        if (given == null) {
            if (retries != null) {
                throw new UsageException("--schema-retries needs --schema or --schema-multi",
                        "e.g. --schema 'name, age int' --schema-retries 2");
            }
            return null;
        }
        boolean multi = given.multi != null;
        String flag = multi ? "--schema-multi" : "--schema";
        if (retries != null && (retries < 0 || retries > MAX_RETRIES)) {
            throw new UsageException("--schema-retries must be 0 to " + MAX_RETRIES + ", not " + retries,
                    "e.g. --schema-retries 2");
        }
        try {
            return AnswerSchema.parse(multi ? given.multi : given.schema, workingDir, multi);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage(), "see 'llmo help structured-output' for the forms "
                    + "a schema takes, e.g. " + flag + " 'name, age int, tags [str]'");
        }
    }

    /**
     * These flags over a template's schema ({@code under}, null for none): --schema or --schema-multi replaces its
     * schema, --schema-retries its retries. A schema file's path is made absolute ({@code workingDir}), so that a
     * saved template finds it from any directory. Null when neither sets anything.
     */
    SavedTemplate.Schema over(SavedTemplate.Schema under, Path workingDir) {
        String value = under == null ? null : under.value();
        boolean multi = under != null && under.multi();
        if (given != null) {
            multi = given.multi != null;
            value = AnswerSchema.anchored(multi ? given.multi : given.schema, workingDir);
        }
        Integer retriesNow = retries != null ? retries : under == null ? null : under.retries();
        return value == null && retriesNow == null ? null : new SavedTemplate.Schema(value, multi, retriesNow);
    }

    /** -t: {@code saved} (null: none) as if given as these flags. */
    void use(SavedTemplate.Schema saved) {
        given = null;
        retries = null;
        if (saved == null) {
            return;
        }
        if (saved.value() != null) {
            given = new Given();
            if (saved.multi()) {
                given.multi = saved.value();
            } else {
                given.schema = saved.value();
            }
        }
        retries = saved.retries();
    }

    /** --schema-retries, 0 when not given. */
    int retries() {
        return retries == null ? 0 : retries;
    }
}
