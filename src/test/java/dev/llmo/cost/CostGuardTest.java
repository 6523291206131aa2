package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.Budget;
import dev.llmo.config.Pricing;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostGuardTest {
    private static final Pricing GPT_4O_MINI = new Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"));
    // $1 per million tokens both ways: a token costs a micro-dollar
    private static final Pricing MICRO = new Pricing(BigDecimal.ONE, BigDecimal.ONE);
    private static final String MODEL = "openai/gpt-4o-mini";

    @TempDir
    Path conversations;
    @TempDir
    Path data;

    private static Budget budget(String perRun, String daily) {
        return new Budget(perRun == null ? null : new BigDecimal(perRun), daily == null ? null : new BigDecimal(daily));
    }

    private static CostGuard guard(Budget budget, String maxCost) {
        return new CostGuard(budget, maxCost == null ? null : new BigDecimal(maxCost), () -> {
            throw new AssertionError("today's spending is only read for a daily budget");
        });
    }

    @Test
    void withoutABudgetEverythingPassesEvenAtAnUnknownPrice() {
        CostGuard guard = guard(Budget.NONE, null);
        CostGuard.Reservation held = guard.reserve("ollama/llama3.2", null, 1_000_000, null);
        assertThat(guard.active()).isFalse();
        assertThat(held.estimate().known()).isFalse();
        assertThat(guard.settle(held, Usage.of(10, 10))).isNull();
        assertThat(guard.spent()).isEqualByComparingTo("0");
    }

    @Test
    void perRunBudgetCountsWhatThisRunSpent() {
        CostGuard guard = guard(budget("0.50", null), null);
        // 400,000 micro-dollars of input + 90,000 of output = $0.49
        CostGuard.Reservation first = guard.reserve(MODEL, MICRO, 400_000, 100_000L);
        assertThat(guard.settle(first, Usage.of(400_000, 90_000))).isEqualByComparingTo("0.49");

        guard.reserve(MODEL, MICRO, 5_000, 5_000L); // $0.01: exactly at the budget is allowed
        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 1, 0L))
                .isInstanceOfSatisfying(BudgetException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.BUDGET);
                    assertThat(e.fix()).contains("budget.per_run_usd", "--max-cost");
                })
                .hasMessage("this request could cost up to $0.000001 (1 input tokens, 0 output tokens max); with "
                        + "$0.50 spent in this run it would pass the per-run budget of $0.50 (budget.per_run_usd); "
                        + "nothing was sent")
                .satisfies(e -> assertThat(((BudgetException) e).fix()).as("the budget is spent: no shorter answer fits")
                        .doesNotContain("max_tokens"));
    }

    @Test
    void maxCostOverridesTheConfiguredPerRunBudget() {
        CostGuard raised = guard(budget("0.01", null), "1");
        raised.reserve(MODEL, MICRO, 500_000, 400_000L); // $0.90 under --max-cost 1
        CostGuard lowered = guard(budget("5", null), "0.001");
        assertThatThrownBy(() -> lowered.reserve(MODEL, GPT_4O_MINI, 1_234, 16_384L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("could cost up to $0.0100 (1,234 input tokens, 16,384 output tokens max)")
                .hasMessageContaining("the per-run budget of $0.001 (--max-cost)")
                .satisfies(e -> assertThat(((BudgetException) e).fix()).startsWith("raise --max-cost"));
    }

    @Test
    void aNegativeMaxCostIsAUsageError() {
        assertThatThrownBy(() -> guard(Budget.NONE, "-1"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--max-cost");
    }

    @Test
    void parallelCallsHoldTheirUpperBoundUntilSettled() {
        CostGuard guard = guard(budget("0.50", null), null);
        CostGuard.Reservation first = guard.reserve(MODEL, MICRO, 100_000, 200_000L); // holds $0.30
        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 100_000, 200_000L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("with $0.30 spent in this run");

        guard.settle(first, Usage.of(100_000, 10_000)); // it cost $0.11 in the end
        CostGuard.Reservation second = guard.reserve(MODEL, MICRO, 100_000, 200_000L);
        guard.release(second); // refused by the provider: it cost nothing
        assertThat(guard.spent()).isEqualByComparingTo("0.11");
        assertThatThrownBy(() -> guard.release(second)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCallWithoutReportedUsageCountsAtItsUpperBound() {
        CostGuard guard = guard(budget("1", null), null);
        CostGuard.Reservation held = guard.reserve(MODEL, MICRO, 1_000, 2_000L);
        assertThat(guard.settle(held, null)).isEqualByComparingTo("0.003");
        assertThat(guard.spent()).isEqualByComparingTo("0.003");
    }

    @Test
    void aDailyBudgetSpentByTheLogsSaysSoAndOffersOnlyMoreBudgetOrTomorrow() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SpendLogs.conversation(conversations, now, MODEL, 10, 10, 5_000_000L);
        CostGuard guard = CostGuard.forRun(budget(null, "5.00"), null, conversations,
                data.resolve("reservations.jsonl"), Clock.fixed(now, ZoneOffset.UTC));

        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 1, 0L))
                .isInstanceOfSatisfying(BudgetException.class, e -> assertThat(e.fix())
                        .isEqualTo("raise budget.daily_usd in config.yaml, or wait until tomorrow"))
                .hasMessage("this request could cost up to $0.000001 (1 input tokens, 0 output tokens max); the daily "
                        + "budget of $5.00 is spent ($5.00 today); nothing was sent");
    }

    @Test
    void dailyBudgetCountsEveryConversationLoggedTodayAndThisRun() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SpendLogs.conversation(conversations, now, MODEL, 10, 10, 4_000_000L, 990_000L);        // $4.99 today
        SpendLogs.conversation(conversations, now.minus(1, ChronoUnit.DAYS), MODEL, 10, 10, 9_000_000L);
        SpendLogs.conversation(conversations, now, "ollama/llama3.2", 10, 10, (Long) null);
        CostGuard guard = CostGuard.forRun(budget(null, "5.00"), null, conversations,
                data.resolve("reservations.jsonl"), Clock.fixed(now, ZoneOffset.UTC));

        assertThatThrownBy(() -> guard.reserve(MODEL, GPT_4O_MINI, 1_234, 16_384L))
                .isInstanceOfSatisfying(BudgetException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.BUDGET);
                    assertThat(e.fix()).contains("budget.daily_usd", "-o max_tokens=N");
                })
                .hasMessage("this request could cost up to $0.0100 (1,234 input tokens, 16,384 output tokens max); "
                        + "with $4.99 spent today it would pass the daily budget of $5.00; nothing was sent");

        CostGuard.Reservation small = guard.reserve(MODEL, MICRO, 5_000, 4_000L); // $0.009 fits
        guard.settle(small, Usage.of(5_000, 4_000));
        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 1_000, 1_000L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("with $4.999 spent today");
        guard.settle(guard.reserve(MODEL, MICRO, 500, 500L), Usage.of(500, 500));
        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 1, 0L))
                .isInstanceOfSatisfying(BudgetException.class, e -> assertThat(e.fix())
                        .as("the day's budget is spent: no shorter answer fits")
                        .isEqualTo("raise budget.daily_usd in config.yaml, or wait until tomorrow"));
    }

    @Test
    void todaysSpendingIsReadAtEveryDailyCheckAndOnlyForADailyBudget() {
        int[] reads = {0};
        CostGuard guard = new CostGuard(budget("1", "10"), null, () -> {
            reads[0]++;
            return 0;
        });
        guard.settle(guard.reserve(MODEL, MICRO, 10, 10L), Usage.of(10, 10));
        guard.settle(guard.reserve(MODEL, MICRO, 10, 10L), Usage.of(10, 10));
        // another process may have logged a call since: the day is read again at each check, under the lock
        assertThat(reads[0]).isEqualTo(2);
    }

    @Test
    void anUnknownPriceUnderABudgetIsRefusedWithTheFix() {
        CostGuard guard = guard(budget("0.50", "5"), null);
        assertThatThrownBy(() -> guard.reserve("ollama/llama3.2", null, 10, 100L))
                .isInstanceOfSatisfying(BudgetException.class, e -> assertThat(e.fix())
                        .contains("pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }", "models.yaml"))
                .hasMessage("the price of ollama/llama3.2 is unknown, so the budget (per run $0.50, daily $5.00) "
                        + "cannot be checked; nothing was sent");
    }

    @Test
    void anUnknownOutputLimitUnderABudgetIsRefusedWithTheFix() {
        CostGuard guard = guard(budget("0.50", null), null);
        assertThatThrownBy(() -> guard.reserve("custom/model", GPT_4O_MINI, 10, null))
                .isInstanceOfSatisfying(BudgetException.class, e -> assertThat(e.fix())
                        .contains("max_output_tokens", "-o max_tokens=N"))
                .hasMessageContaining("the output limit of custom/model is unknown");
    }
}
