package dev.llmo.provider;

/**
 * The most one remote batch takes.
 *
 * @param maxRequests rows per batch
 * @param maxBytes    bytes of one submission (the uploaded file, or the request body)
 */
public record BatchLimits(int maxRequests, long maxBytes) {
    public BatchLimits {
        if (maxRequests <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("batch limits must be positive");
        }
    }
}
