package dev.llmo.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options {@code batch run} and {@code batch resume} share ({@code @Mixin}): how many calls at once, where the
 * results go, the budget of the run and the time limit of one call.
 */
final class BatchOptions {
    @Option(names = "--concurrency", paramLabel = "N", description = "At most N calls at once (default "
            + BatchExecution.DEFAULT_CONCURRENCY + "; on a resume, as the batch started); max_concurrency of "
            + "models.yaml still applies, and a provider that answers 429 gets fewer until it recovers.")
    Integer concurrency;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the results to FILE instead of stdout: as "
            + "there, each line as soon as it and every earlier one is done, a whole line at a time. FILE is emptied "
            + "when the batch starts sending; not the dataset.")
    Path out;

    @Option(names = "--max-cost", paramLabel = "USD", description = "Refuse the batch when what it has left to run "
            + "could cost more than this, and stop it before it does.")
    BigDecimal maxCost;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up on one call after SECONDS (its "
            + "retries included). Default 600; 0: no limit.")
    Double timeout;
}
