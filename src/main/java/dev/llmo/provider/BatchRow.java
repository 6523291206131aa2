package dev.llmo.provider;

import java.util.Objects;

/**
 * One request of a remote batch.
 *
 * @param customId the id the provider returns with its result (unique in the batch; letters, digits, '_' and '-',
 *                 at most 64, which every provider takes)
 * @param prepared the request as the live path prepares it, not streamed: its exact body goes into the batch
 */
public record BatchRow(String customId, PreparedChat prepared) {
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public BatchRow {
        Objects.requireNonNull(prepared, "prepared");
        if (customId == null || !ID.matcher(customId).matches()) {
            throw new IllegalArgumentException("a batch row's custom id is 1 to 64 letters, digits, '_' or '-': "
                    + customId);
        }
        if (prepared.request().stream()) {
            throw new IllegalArgumentException("a batch row is answered whole: prepare it without stream");
        }
    }
}
