package dev.llmo.cost;

import dev.llmo.config.Budget;
import dev.llmo.config.Pricing;
import dev.llmo.core.BudgetException;
import dev.llmo.core.UsageCost;
import dev.llmo.core.UsageException;
import dev.llmo.provider.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Prices every request before it is sent and refuses the ones that could break a budget (exit 5, nothing sent).
 * One guard per run (a {@code run}, a chain run, a chat session); thread-safe, so parallel calls share it.
 *
 * <p>Limits: per run, {@code --max-cost USD} when given (a command-line flag overrides the configuration),
 * else {@code budget.per_run_usd}; per day, {@code budget.daily_usd}, against what every conversation logged
 * today (local time) plus this run. The check uses the upper bound of a request's cost: all of its input tokens
 * and the answer at its limit ({@link CostEstimate}).
 *
 * <p>Calls in flight hold a {@link Reservation} of their upper bound, so parallel calls cannot together pass a
 * budget that each alone would respect; {@link #settle} swaps it for the reported cost, {@link #release} drops it
 * for a call that never reached the model.
 *
 * <pre>{@code
 * CostGuard guard = CostGuard.forRun(settings.budget(), maxCostUsd, dirs.conversationsDir(), Clock.systemDefaultZone());
 * CostGuard.Reservation held = guard.reserve(model.id(), model.spec().pricing(), inputTokens, caps.outputBound(inputTokens));
 * ... send ...
 * guard.settle(held, response.usage());     // or guard.release(held) when nothing reached the model
 * }</pre>
 */
public final class CostGuard {
    private final BigDecimal perRun;
    private final String perRunSource;
    private final BigDecimal daily;
    private final LongSupplier spentTodayMicro;
    private final Set<Long> open = new HashSet<>();
    private Long spentTodayBefore;
    private BigDecimal spent = BigDecimal.ZERO;
    private BigDecimal reserved = BigDecimal.ZERO;
    private long nextReservation;

    /**
     * A hold on a request's upper-bound cost.
     *
     * @param id       unique within its guard
     * @param model    {@code provider/model}
     * @param pricing  the model's price, null when unknown
     * @param estimate the upper bound held
     */
    public record Reservation(long id, String model, Pricing pricing, CostEstimate estimate) {
    }

    /**
     * A guard with explicit limits.
     *
     * @param budget          the configured limits ({@link Budget#NONE} for none)
     * @param maxCostUsd      {@code --max-cost}, or null
     * @param spentTodayMicro what was spent today before this run, in micro-USD; asked once, on the first request,
     *                        and only when a daily budget is set
     */
    public CostGuard(Budget budget, BigDecimal maxCostUsd, LongSupplier spentTodayMicro) {
        if (maxCostUsd != null && maxCostUsd.signum() < 0) {
            throw new UsageException("--max-cost must be an amount in USD of 0 or more, not " + maxCostUsd.toPlainString(),
                    "e.g. --max-cost 0.25");
        }
        this.perRun = maxCostUsd != null ? maxCostUsd : budget.perRunUsd();
        this.perRunSource = maxCostUsd != null ? "--max-cost" : "budget.per_run_usd";
        this.daily = budget.dailyUsd();
        this.spentTodayMicro = spentTodayMicro;
    }

    /** The guard of one run: today's spending is read from the logs in {@code conversationsDir} by {@code clock}. */
    public static CostGuard forRun(Budget budget, BigDecimal maxCostUsd, Path conversationsDir, Clock clock) {
        return new CostGuard(budget, maxCostUsd, () -> DailySpend.today(conversationsDir, clock));
    }

    /** True when some limit is set. */
    public boolean active() {
        return perRun != null || daily != null;
    }

    /**
     * Checks a request before it is sent and holds its upper-bound cost.
     *
     * @param model           {@code provider/model}, for messages
     * @param pricing         its price from models.yaml, null when unknown
     * @param inputTokens     the request's input tokens (from the assembled context)
     * @param maxOutputTokens the answer's limit ({@code ModelCaps.outputBound}), null when unknown
     * @throws BudgetException (exit 5) when the request could pass a budget, or when a budget is set and the price
     *     or the answer's limit is unknown
     */
    public synchronized Reservation reserve(String model, Pricing pricing, long inputTokens, Long maxOutputTokens) {
        CostEstimate estimate = CostEstimate.of(pricing, inputTokens, maxOutputTokens);
        if (active()) {
            check(model, pricing, estimate);
        }
        Reservation reservation = new Reservation(nextReservation++, model, pricing, estimate);
        open.add(reservation.id());
        if (estimate.known()) {
            reserved = reserved.add(estimate.usd());
        }
        return reservation;
    }

    private void check(String model, Pricing pricing, CostEstimate estimate) {
        String limits = limits();
        if (pricing == null) {
            throw new BudgetException("the price of " + model + " is unknown, so the budget (" + limits
                    + ") cannot be checked; nothing was sent",
                    "add its price under the model in models.yaml, e.g. 'pricing: { input_per_mtok: 0.15, "
                            + "output_per_mtok: 0.60 }' (USD per million tokens; 0 and 0 for a free local model)");
        }
        if (!estimate.known()) {
            throw new BudgetException("the output limit of " + model + " is unknown, so the budget (" + limits
                    + ") cannot be checked; nothing was sent",
                    "set 'max_output_tokens' for it in models.yaml, or pass -o max_tokens=N");
        }
        BigDecimal run = spent.add(reserved);
        String request = "this request could cost up to " + Usd.format(estimate.usd()) + " ("
                + Usd.count(estimate.inputTokens()) + " input tokens, " + Usd.count(estimate.maxOutputTokens())
                + " output tokens max)";
        if (perRun != null && run.add(estimate.usd()).compareTo(perRun) > 0) {
            throw new BudgetException(request + "; with " + Usd.formatExact(run) + " spent in this run it would pass the "
                    + "per-run budget of " + Usd.formatExact(perRun) + " (" + perRunSource + "); nothing was sent",
                    perRunSource.equals("--max-cost") ? "raise --max-cost, or lower the answer's limit with -o max_tokens=N"
                            : "raise budget.per_run_usd in config.yaml (or pass --max-cost USD for this run), "
                                    + "or lower the answer's limit with -o max_tokens=N");
        }
        if (daily != null) {
            if (spentTodayBefore == null) {
                spentTodayBefore = spentTodayMicro.getAsLong();
            }
            BigDecimal today = Usd.ofMicro(spentTodayBefore).add(run);
            if (today.add(estimate.usd()).compareTo(daily) > 0) {
                throw new BudgetException(request + "; with " + Usd.formatExact(today) + " spent today it would pass the "
                        + "daily budget of " + Usd.formatExact(daily) + "; nothing was sent",
                        "raise budget.daily_usd in config.yaml, lower the answer's limit with -o max_tokens=N, "
                                + "or wait until tomorrow");
            }
        }
    }

    private String limits() {
        StringBuilder text = new StringBuilder();
        if (perRun != null) {
            text.append("per run ").append(Usd.formatExact(perRun));
        }
        if (daily != null) {
            text.append(text.length() == 0 ? "" : ", ").append("daily ").append(Usd.formatExact(daily));
        }
        return text.toString();
    }

    /**
     * Replaces a reservation by what the call cost: its reported usage at the model's price. With no usage
     * reported (a stream cut before its usage), the reserved upper bound counts as spent: the call may have cost
     * that much.
     *
     * @return the call's cost in USD, or null when the price is unknown
     * @throws IllegalStateException when the reservation was already settled or released
     */
    public synchronized BigDecimal settle(Reservation reservation, Usage usage) {
        close(reservation);
        BigDecimal cost = usage != null ? UsageCost.usd(reservation.pricing(), usage) : reservation.estimate().usd();
        if (cost != null) {
            spent = spent.add(cost);
        }
        return cost;
    }

    /**
     * Drops a reservation for a call that cost nothing (refused by the provider, a connection that failed).
     *
     * @throws IllegalStateException when the reservation was already settled or released
     */
    public synchronized void release(Reservation reservation) {
        close(reservation);
    }

    private void close(Reservation reservation) {
        if (!open.remove(reservation.id())) {
            throw new IllegalStateException("reservation " + reservation.id() + " was already settled or released");
        }
        if (reservation.estimate().known()) {
            reserved = reserved.subtract(reservation.estimate().usd());
        }
    }

    /** What this run's settled calls cost. */
    public synchronized BigDecimal spent() {
        return spent;
    }
}
