package dev.llmo.batch;

import dev.llmo.chain.Template;
import dev.llmo.failure.UsageException;
import dev.llmo.schema.AnswerSchema;
import dev.llmo.schema.SchemaValidator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A check of one call's result, for evals: written {@code KIND ARGUMENT} ({@code --assert 'contains Paris'}), or as
 * {@code KIND: ARGUMENT} in an eval file's {@code asserts:}. An argument may use the row's {@code {{column}}}
 * placeholders ({@code equals {{expected}}}). Every kind but {@code judge} is decided when the call ends, from its
 * result; a {@code judge} asks a model, through the same engine, and its cost counts.
 */
public sealed interface Assertion {

    /** How it is written: {@code contains Paris}; what the batch record keeps. */
    String source();

    /** The answer contains the text. */
    record Contains(String source, Template text) implements Assertion {
    }

    /** The answer matches the regular expression somewhere (Java syntax; {@code (?s)} etc. allowed). */
    record Regex(String source, Pattern pattern) implements Assertion {
    }

    /** The answer, without white space at its ends, is the text. */
    record Equals(String source, Template text) implements Assertion {
    }

    /** The call took at most this long. */
    record MaxLatency(String source, long millis) implements Assertion {
    }

    /** The call cost at most this much (an unknown cost fails). */
    record MaxCost(String source, BigDecimal usd) implements Assertion {
    }

    /**
     * The answer is JSON following the schema (as {@code --schema} takes it: JSON, a file, or the DSL); its source
     * holds the schema itself, so that a resumed batch checks the same schema wherever it runs.
     */
    record JsonSchema(String source, AnswerSchema schema, SchemaValidator validator) implements Assertion {
    }

    /** A model grades the answer by the rubric: its first word is PASS or FAIL. */
    record Judge(String source, String model, Template rubric) implements Assertion {
    }

    /**
     * The assertion as written, e.g. {@code contains Paris}, {@code max-latency 2s}, {@code judge openai "Polite?"}.
     *
     * @param workingDir where a {@code json-schema} file's relative path is resolved
     */
    static Assertion parse(String written, Path workingDir) {
        String text = written.strip();
        int space = text.indexOf(' ');
        String kind = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        String argument = space < 0 ? "" : unquote(text.substring(space + 1).strip());
        if (argument.isEmpty()) {
            throw usage(written, "'" + kind + "' needs an argument");
        }
        switch (kind) {
            case "contains":
                return new Contains(text, new Template(argument));
            case "equals":
                return new Equals(text, new Template(argument));
            case "regex":
                try {
                    return new Regex(text, Pattern.compile(argument));
                } catch (PatternSyntaxException e) {
                    throw usage(written, "not a regular expression: " + e.getDescription());
                }
            case "max-latency":
                return new MaxLatency(text, millis(written, argument));
            case "max-cost":
                try {
                    BigDecimal usd = new BigDecimal(argument.startsWith("$") ? argument.substring(1) : argument);
                    if (usd.signum() < 0) {
                        throw new NumberFormatException();
                    }
                    return new MaxCost(text, usd);
                } catch (NumberFormatException e) {
                    throw usage(written, "'" + argument + "' is not an amount in USD");
                }
            case "judge":
                int gap = argument.indexOf(' ');
                if (gap < 0) {
                    throw usage(written, "a judge needs a model and a rubric: judge MODEL \"RUBRIC\"");
                }
                return new Judge(text, argument.substring(0, gap), new Template(unquote(argument.substring(gap + 1)
                        .strip())));
            case "json-schema":
                try {
                    AnswerSchema schema = AnswerSchema.parse(argument, workingDir, false);
                    return new JsonSchema("json-schema " + schema.schemaJson(), schema, schema.validator());
                } catch (IllegalArgumentException e) {
                    throw usage(written, e.getMessage());
                }
            default:
                throw usage(written, "unknown kind '" + kind + "'");
        }
    }

    /** Parses each; their order is their number in the record. */
    static List<Assertion> parseAll(List<String> written, Path workingDir) {
        return written.stream().map(each -> parse(each, workingDir)).toList();
    }

    /**
     * Whether a call's result passes; null for a judge (decided later by its model). A failed call fails every
     * assertion.
     */
    static Boolean check(Assertion assertion, Map<String, String> row, String text, boolean succeeded, long latencyMs,
                         BigDecimal costUsd) {
        if (assertion instanceof Judge) {
            return null;
        }
        if (!succeeded) {
            return false;
        }
        if (assertion instanceof Contains contains) {
            return text.contains(fill(contains.text(), row));
        }
        if (assertion instanceof Equals equals) {
            return text.strip().equals(fill(equals.text(), row).strip());
        }
        if (assertion instanceof Regex regex) {
            return regex.pattern().matcher(text).find();
        }
        if (assertion instanceof JsonSchema json) {
            return json.schema().check(text, json.validator()) instanceof AnswerSchema.Checked.Valid;
        }
        if (assertion instanceof MaxLatency latency) {
            return latencyMs <= latency.millis();
        }
        MaxCost cost = (MaxCost) assertion;
        return costUsd != null && costUsd.compareTo(cost.usd()) <= 0;
    }

    /** The template filled from the row; a placeholder the row lacks stays as written. */
    static String fill(Template template, Map<String, String> row) {
        java.util.Map<String, String> values = new java.util.HashMap<>(row);
        for (String name : template.variables()) {
            values.putIfAbsent(name, "{{" + name + "}}");
        }
        return template.render(values);
    }

    private static long millis(String written, String argument) {
        String value = argument.toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return Long.parseLong(value.substring(0, value.length() - 2).strip());
            }
            if (value.endsWith("s")) {
                return new BigDecimal(value.substring(0, value.length() - 1).strip()).movePointRight(3).longValueExact();
            }
            return Long.parseLong(value);
        } catch (NumberFormatException | ArithmeticException e) {
            throw usage(written, "'" + argument + "' is not a duration (e.g. 2s, 1500ms)");
        }
    }

    private static String unquote(String text) {
        if (text.length() >= 2 && (text.startsWith("\"") && text.endsWith("\"")
                || text.startsWith("'") && text.endsWith("'"))) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    private static UsageException usage(String written, String why) {
        return new UsageException("bad assertion '" + written + "': " + why,
                "the kinds are contains TEXT, equals TEXT, regex PATTERN, json-schema SCHEMA, max-latency 2s, "
                        + "max-cost 0.01, judge MODEL \"RUBRIC\"");
    }
}
