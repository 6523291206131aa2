package dev.llmo.cli;

import dev.llmo.config.Budget;
import dev.llmo.cost.CostGuard;
import dev.llmo.cost.DailySpend;
import dev.llmo.cost.Usd;
import dev.llmo.failure.BudgetException;
import java.math.BigDecimal;

/**
 * The worst case of a whole run ({@code batch run}, {@code chain run}) against {@code --max-cost} (or
 * budget.per_run_usd) and what is left of today's budget, checked before the first request: a run that could not
 * finish within the budget is refused (exit 5) rather than stopped after it has paid for its first calls.
 */
final class WorstCase {
    private WorstCase() {
    }

    /** Whether a budget applies to the run, so that its worst case must be priced. */
    static boolean budgeted(CliContext context, BigDecimal maxCost) {
        Budget budget = context.settings().budget();
        return maxCost != null || budget.perRunUsd() != null || budget.dailyUsd() != null;
    }

    /**
     * The refusal of a budgeted run whose worst case cannot be priced (exit 5).
     *
     * @param model       the first model of unknown price or answer limit
     * @param worstCaseOf the worst case in words, e.g. "the batch's worst case"
     * @param orAlso      another fix, with its leading ", or", or empty
     */
    static BudgetException unpriced(String model, String worstCaseOf, String orAlso) {
        return new BudgetException("the price or answer limit of " + model + " is unknown, so " + worstCaseOf
                + " cannot be checked against the budget; nothing was sent",
                "add its pricing (and max_output_tokens) in models.yaml" + orAlso);
    }

    /**
     * @param what     the run's worst case in words, e.g. "the batch's 3 calls could cost up to $0.01"
     * @param worstUsd that worst case
     * @param smaller  the other fixes: how to make the run smaller, e.g. "lower X, or use fewer Y"
     * @throws BudgetException the worst case passes the per-run or the daily budget (exit 5)
     */
    static void require(CliContext context, BigDecimal maxCost, String what, BigDecimal worstUsd, String smaller) {
        Budget budget = context.settings().budget();
        BigDecimal perRun = maxCost != null ? maxCost : budget.perRunUsd();
        String source = maxCost != null ? "--max-cost" : "budget.per_run_usd";
        if (perRun != null && worstUsd.compareTo(perRun) > 0) {
            throw new BudgetException(what + ", more than the per-run budget of " + Usd.formatExact(perRun) + " ("
                    + source + "); nothing was sent",
                    (maxCost != null ? "raise --max-cost" : "raise budget.per_run_usd in config.yaml (or pass "
                            + "--max-cost USD for this run)") + ", " + smaller);
        }
        BigDecimal daily = budget.dailyUsd();
        if (daily != null) {
            BigDecimal today = Usd.ofMicro(DailySpend.today(context.dirs().spendLogDirs(), java.time.Clock
                    .systemDefaultZone()));
            boolean passes = today.add(worstUsd).compareTo(daily) > 0;
            if (passes && today.compareTo(daily) >= 0) {
                // nothing smaller fits in a spent budget: only more budget or a new day do (as CostGuard says)
                throw new BudgetException(what + "; the daily budget of " + Usd.formatExact(daily) + " is spent ("
                        + Usd.formatExact(today) + " today); nothing was sent", CostGuard.SPENT_FIX);
            }
            if (passes) {
                throw new BudgetException(what + "; with " + Usd.formatExact(today) + " spent today that would pass "
                        + "the daily budget of " + Usd.formatExact(daily) + "; nothing was sent",
                        "raise budget.daily_usd in config.yaml, " + smaller);
            }
        }
    }

    /**
     * A budget's refusal as a dry run says it: what the run would be told, without "nothing was sent" (a dry run
     * sends nothing anyway), and with its fix.
     */
    static String asDryRun(BudgetException refusal) {
        String text = refusal.getMessage().replace("; nothing was sent", "");
        return refusal.fix() == null ? text : text + "; " + refusal.fix();
    }
}
