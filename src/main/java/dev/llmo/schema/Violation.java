package dev.llmo.schema;

import java.util.Objects;

/**
 * Where a JSON value breaks its schema, and how.
 *
 * @param path    the JSON path of the value at fault, {@code $} for the whole document ({@code $.tags[1]})
 * @param message what is wrong, e.g. {@code string found, integer expected}
 */
public record Violation(String path, String message) {
    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code $.age: string found, integer expected}. */
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
