package dev.llmo.cost;

import java.time.Instant;

/**
 * One {@code response} event of an event log, reduced to what spending reports need. The counts are null when the
 * provider reported no usage; the kinds a version 1 log does not have (reasoning, cache) are then null too.
 *
 * @param ts               when the response was logged
 * @param model            {@code provider/model}
 * @param inputTokens      reported input tokens, cached ones included
 * @param outputTokens     reported output tokens, reasoning included
 * @param reasoningTokens  the part of {@code outputTokens} the model spent reasoning
 * @param cacheReadTokens  the part of {@code inputTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code inputTokens} written to the provider's prompt cache
 * @param costMicroUsd     the logged cost; null when the price was unknown
 */
public record SpendRecord(Instant ts, String model, Long inputTokens, Long outputTokens, Long reasoningTokens,
                          Long cacheReadTokens, Long cacheWriteTokens, Long costMicroUsd) {
}
