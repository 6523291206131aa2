package dev.llmo.cost;

import java.time.Instant;

/**
 * One {@code response} event of an event log, reduced to what spending reports need.
 *
 * @param ts            when the response was logged
 * @param model         {@code provider/model}
 * @param inputTokens   reported input tokens; null when the provider reported no usage
 * @param outputTokens  reported output tokens; null when the provider reported no usage
 * @param costMicroUsd  the logged cost; null when the price was unknown
 */
public record SpendRecord(Instant ts, String model, Long inputTokens, Long outputTokens, Long costMicroUsd) {
}
