package dev.llmo.secret;

import java.util.Objects;

/**
 * A resolved API key. {@link #toString()} never shows it, so that a key passed around in records cannot leak into a
 * log line or an error message by accident; only {@link #value()} reveals it, to the code that sends it.
 */
public final class ApiKey {
    private final String name;
    private final String value;

    public ApiKey(String name, String value) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The env var and vault entry name, e.g. {@code OPENAI_API_KEY}. */
    public String name() {
        return name;
    }

    /** The secret itself. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return name + "=***";
    }
}
