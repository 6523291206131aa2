package dev.llmo.failure;

/**
 * An answer that still breaks its schema after its retries (exit 1). It knows how many retries were made, so that
 * the caller can name the fix where the retries are set: {@code --schema-retries} for a command, a chain step's
 * {@code schema_retries:} for a chain (which has no such flag).
 */
public final class SchemaBrokenException extends FailureException {
    private final int retries;

    /** The error of a command, whose retries are set with {@code --schema-retries}. */
    public SchemaBrokenException(String message, int retries) {
        this(message, retries, retries == 0 ? "ask again with --schema-retries N, or loosen the schema"
                : "raise --schema-retries, or loosen the schema");
    }

    private SchemaBrokenException(String message, int retries, String fix) {
        super(message, fix);
        this.retries = retries;
    }

    /** How many times the answer was asked for again. */
    public int retries() {
        return retries;
    }

    /** The same error with another fix (where this caller's retries are set). */
    public SchemaBrokenException withFix(String fix) {
        return new SchemaBrokenException(getMessage(), retries, fix);
    }
}
