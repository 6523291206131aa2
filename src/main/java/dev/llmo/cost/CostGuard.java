package dev.llmo.cost;

import dev.llmo.config.Budget;
import dev.llmo.config.Pricing;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Usage;
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
 * today (local time) plus what the calls in flight of every llmo process of the home hold. The check uses the
 * upper bound of a request's cost: all of its input tokens and the answer at its limit ({@link CostEstimate}).
 *
 * <p>Calls in flight hold a {@link Reservation} of their upper bound, so parallel calls cannot together pass a
 * budget that each alone would respect; {@link #settle} swaps it for the reported cost in this run's count,
 * {@link #release} drops it for a call that never reached the model. Under a daily budget the upper bound is also
 * held in the {@link SpendReservations} every process sees, and the daily check ("logged today + held + this
 * request ≤ daily") and the new hold are one step under their lock; a settled call keeps its hold until
 * {@link #recorded} says its cost is in the event log, so that no other process can see it in neither place.
 *
 * <pre>{@code
 * CostGuard guard = CostGuard.forRun(settings.budget(), maxCostUsd, dirs.conversationsDir(), Clock.systemDefaultZone());
 * CostGuard.Reservation held = guard.reserve(model.id(), model.spec().pricing(), inputTokens, caps.outputBound(inputTokens));
 * ... send ...
 * guard.settle(held, response.usage());     // or guard.release(held) when nothing reached the model
 * ... log the response with its cost ...
 * guard.recorded(held);
 * }</pre>
 */
public final class CostGuard {
    /** The fix of a refusal once today's budget is spent (the day is the local date, as the spend is summed). */
    public static final String SPENT_FIX = "raise budget.daily_usd in config.yaml, or wait until tomorrow";

    private final BigDecimal perRun;
    private final String perRunSource;
    private final BigDecimal daily;
    private final LongSupplier loggedTodayMicro;
    private final SpendReservations shared;
    private final Set<Long> open = new HashSet<>();
    private final Set<Long> holding = new HashSet<>();
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
     * @param hold     its hold in the shared reservations (under a daily budget), else null
     */
    public record Reservation(long id, String model, Pricing pricing, CostEstimate estimate,
                              SpendReservations.Hold hold) {
    }

    /**
     * A guard with explicit limits.
     *
     * @param budget          the configured limits ({@link Budget#NONE} for none)
     * @param maxCostUsd      {@code --max-cost}, or null
     * @param loggedTodayMicro what the event logs say was spent today, in micro-USD; asked at every daily check (so
     *                         it must count this run's recorded calls too), and only when a daily budget is set
     */
    public CostGuard(Budget budget, BigDecimal maxCostUsd, LongSupplier loggedTodayMicro) {
        this(budget, maxCostUsd, loggedTodayMicro, SpendReservations.inProcess());
    }

    /** A guard whose daily check also sees the calls in flight held in {@code shared}. */
    public CostGuard(Budget budget, BigDecimal maxCostUsd, LongSupplier loggedTodayMicro,
                     SpendReservations shared) {
        if (maxCostUsd != null && maxCostUsd.signum() < 0) {
            throw new UsageException("--max-cost must be an amount in USD of 0 or more, not " + maxCostUsd.toPlainString(),
                    "e.g. --max-cost 0.25");
        }
        this.perRun = maxCostUsd != null ? maxCostUsd : budget.perRunUsd();
        this.perRunSource = maxCostUsd != null ? "--max-cost" : "budget.per_run_usd";
        this.daily = budget.dailyUsd();
        this.loggedTodayMicro = loggedTodayMicro;
        this.shared = shared;
    }

    /**
     * The guard of one run: today's spending is read from the logs in {@code conversationsDir} by {@code clock}, and
     * the calls in flight of every process from {@code reservationsFile} ({@code reservations.jsonl} of the data
     * directory).
     */
    public static CostGuard forRun(Budget budget, BigDecimal maxCostUsd, Path conversationsDir,
                                   Path reservationsFile, Clock clock) {
        return forRun(budget, maxCostUsd, java.util.List.of(conversationsDir), reservationsFile, clock);
    }

    /**
     * The guard of one run whose daily check reads the logs in {@code logDirs} (the conversations and the batch
     * records), each file only as far as it grew since the last check.
     */
    public static CostGuard forRun(Budget budget, BigDecimal maxCostUsd, java.util.List<Path> logDirs,
                                   Path reservationsFile, Clock clock) {
        DailySpend tally = DailySpend.tally(logDirs, clock);
        return new CostGuard(budget, maxCostUsd, tally,
                SpendReservations.shared(reservationsFile, Clock.systemUTC()));
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
        SpendReservations.Hold hold = null;
        if (active()) {
            check(model, pricing, estimate);
            if (daily != null) {
                // the day's check and the hold are one step under the lock every process takes
                hold = shared.hold(Usd.toMicroCeiling(estimate.usd()), held -> checkDaily(estimate, held));
            }
        }
        Reservation reservation = new Reservation(nextReservation++, model, pricing, estimate, hold);
        open.add(reservation.id());
        if (hold != null) {
            holding.add(reservation.id());
        }
        if (estimate.known()) {
            reserved = reserved.add(estimate.usd());
        }
        return reservation;
    }

    /**
     * Refuses (exit 5) a request to a model whose price is unknown when a budget is set, as {@link #reserve} does:
     * before its tokens are counted, which cannot change that (a tokenizer loads in up to half a second).
     */
    public synchronized void checkPriced(String model, Pricing pricing) {
        if (active() && pricing == null) {
            throw new BudgetException("the price of " + model + " is unknown, so the budget (" + limits()
                    + ") cannot be checked; nothing was sent",
                    "add its price under the model in models.yaml, e.g. 'pricing: { input_per_mtok: 0.15, "
                            + "output_per_mtok: 0.60 }' (USD per million tokens; 0 and 0 for a free local model)");
        }
    }

    private void check(String model, Pricing pricing, CostEstimate estimate) {
        checkPriced(model, pricing);
        String limits = limits();
        if (!estimate.known()) {
            throw new BudgetException("the output limit of " + model + " is unknown, so the budget (" + limits
                    + ") cannot be checked; nothing was sent",
                    "set 'max_output_tokens' for it in models.yaml, or pass -o max_tokens=N");
        }
        BigDecimal run = spent.add(reserved);
        if (perRun != null && run.add(estimate.usd()).compareTo(perRun) > 0) {
            throw new BudgetException(requestText(estimate) + "; with " + Usd.formatExact(run) + " spent in this run it "
                    + "would pass the per-run budget of " + Usd.formatExact(perRun) + " (" + perRunSource + "); nothing was sent",
                    (perRunSource.equals("--max-cost") ? "raise --max-cost"
                            : "raise budget.per_run_usd in config.yaml (or pass --max-cost USD for this run)")
                            + (run.compareTo(perRun) < 0 ? ", or lower the answer's limit with -o max_tokens=N" : ""));
        }
    }

    private static String requestText(CostEstimate estimate) {
        return "this request could cost up to " + Usd.format(estimate.usd()) + " ("
                + Usd.count(estimate.inputTokens()) + " input tokens, " + Usd.count(estimate.maxOutputTokens())
                + " output tokens max)";
    }

    /** Under the reservations' lock: what the logs say was spent today, what calls in flight hold, this request. */
    private void checkDaily(CostEstimate estimate, long heldMicro) {
        BigDecimal logged = Usd.ofMicro(loggedTodayMicro.getAsLong());
        BigDecimal today = logged.add(Usd.ofMicro(heldMicro));
        String held = heldMicro == 0 ? "" : Usd.formatMicro(heldMicro) + " of it held by calls in flight";
        boolean passes = today.add(estimate.usd()).compareTo(daily) > 0;
        if (passes && logged.compareTo(daily) >= 0) {
            // no smaller answer fits in a spent budget: only more budget or a new day do (holds may still be freed)
            throw new BudgetException(requestText(estimate) + "; the daily budget of " + Usd.formatExact(daily)
                    + " is spent (" + Usd.formatExact(logged) + " today); nothing was sent", SPENT_FIX);
        }
        if (passes) {
            throw new BudgetException(requestText(estimate) + "; with " + Usd.formatExact(today) + " spent today"
                    + (held.isEmpty() ? "" : " (" + held + ")")
                    + " it would pass the daily budget of " + Usd.formatExact(daily) + "; nothing was sent",
                    // with the budget taken already, no smaller answer fits: only more budget or a new day do
                    today.compareTo(daily) < 0
                            ? "raise budget.daily_usd in config.yaml, lower the answer's limit with -o max_tokens=N, "
                                    + "or wait until tomorrow"
                            : SPENT_FIX);
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
     * Settles a call that reported no usage at a worst case tighter than the one held: the request's counted input
     * and the answer's limit, for a reservation made at an input bound ({@code FittedAndBudgeted}).
     *
     * @return the call's cost in USD, or null when the price is unknown
     * @throws IllegalStateException when the reservation was already settled or released
     */
    public synchronized BigDecimal settleUnreported(Reservation reservation, long inputTokens, Long maxOutputTokens) {
        close(reservation);
        BigDecimal held = reservation.estimate().usd();
        BigDecimal cost = CostEstimate.of(reservation.pricing(), inputTokens, maxOutputTokens).usd();
        if (cost == null || held != null && cost.compareTo(held) > 0) {
            cost = held;   // never more than was held: the hold is what the budgets allowed
        }
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
        dropHold(reservation);
    }

    /**
     * The call's cost is now in the event log (or the call cost nothing): its hold, which other processes counted
     * until now, goes. Does nothing for a reservation without a hold or whose hold is gone.
     */
    public void recorded(Reservation reservation) {
        dropHold(reservation);
    }

    private void dropHold(Reservation reservation) {
        synchronized (this) {
            if (reservation.hold() == null || !holding.remove(reservation.id())) {
                return;
            }
        }
        shared.drop(reservation.hold());
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
