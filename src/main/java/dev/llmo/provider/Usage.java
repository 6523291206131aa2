package dev.llmo.provider;

/** Tokens of one call, normalised across providers: everything the model read, everything it wrote. */
public record Usage(long inputTokens, long outputTokens) {
    public Usage {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }
}
