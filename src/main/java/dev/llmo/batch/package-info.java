/**
 * Dataset batches and evals ({@code llmo batch}): datasets (JSON Lines, CSV), the one place a row becomes a request
 * ({@link dev.llmo.batch.RowRequests}), the batch record (one hash-chained log per batch, in {@code batches/}),
 * resuming, exporting, assertions and reports. Runs every call through the one engine ({@code engine.Orchestrator}).
 */
package dev.llmo.batch;
