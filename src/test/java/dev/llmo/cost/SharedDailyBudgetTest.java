package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.Budget;
import dev.llmo.config.Pricing;
import dev.llmo.failure.BudgetException;
import dev.llmo.message.Usage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily budget holds across runs: each run has its own guard (as each llmo process does), and they share only
 * the conversations directory and the reservations file.
 */
class SharedDailyBudgetTest {
    private static final String MODEL = "openai/gpt-4o-mini";
    // $1 per million tokens both ways: a token costs a micro-dollar
    private static final Pricing MICRO = new Pricing(BigDecimal.ONE, BigDecimal.ONE);
    // each request below holds 1,000 + 9,000 tokens = $0.01 at worst
    private static final Budget THREE_REQUESTS = new Budget(null, new BigDecimal("0.03"));

    @TempDir
    Path conversations;
    @TempDir
    Path data;

    private CostGuard run() {
        return CostGuard.forRun(THREE_REQUESTS, null, conversations, data.resolve("reservations.jsonl"),
                Clock.systemDefaultZone());
    }

    @Test
    void runsStartedTogetherPassTheDailyBudgetOnlyAsFarAsItGoes() throws Exception {
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch ready = new CountDownLatch(runs);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> admitted = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                CostGuard guard = run();
                admitted.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        guard.reserve(MODEL, MICRO, 1_000, 9_000L); // held until the call ends: none ends here
                        return true;
                    } catch (BudgetException e) {
                        assertThat(e.getMessage()).contains("held by calls in flight", "daily budget of $0.03");
                        return false;
                    }
                }));
            }
            ready.await();
            go.countDown();
            int passed = 0;
            for (Future<Boolean> future : admitted) {
                passed += future.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(passed).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSettledCallHoldsItsWorstCaseUntilItsCostIsRecorded() {
        CostGuard first = run();
        CostGuard.Reservation call = first.reserve(MODEL, MICRO, 1_000, 9_000L);
        CostGuard.Reservation other = first.reserve(MODEL, MICRO, 1_000, 9_000L);
        first.settle(call, Usage.of(1_000, 1_000)); // cost $0.002; not yet in any log
        first.release(other);                        // never reached the model: its hold goes at once

        CostGuard second = run();
        second.reserve(MODEL, MICRO, 1_000, 9_000L);
        second.reserve(MODEL, MICRO, 1_000, 9_000L);
        assertThatThrownBy(() -> second.reserve(MODEL, MICRO, 1_000, 9_000L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("with $0.03 spent today ($0.03 of it held by calls in flight)");

        first.recorded(call); // now the log has it (here: nowhere, so the day looks empty again)
        second.reserve(MODEL, MICRO, 1_000, 9_000L);
    }

    @Test
    void holdsOfEndedProcessesOldHoldsAndForeignLinesAreIgnored() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        long now = System.currentTimeMillis();
        long self = ProcessHandle.current().pid();
        Long selfStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(null);
        Files.writeString(data.resolve("reservations.jsonl"), String.join("\n",
                hold("a", ended.pid(), null, now),                                      // process gone
                hold("b", self, selfStart == null ? null : selfStart - 60_000, now),   // pid reused since
                hold("c", self, selfStart, now - Duration.ofHours(2).toMillis()),       // older than MAX_AGE
                "not a hold", "{\"id\":3}", "\u00ff\u00fe", "") + "\n", java.nio.charset.StandardCharsets.ISO_8859_1);

        CostGuard guard = run();
        CostGuard.Reservation held = guard.reserve(MODEL, MICRO, 1_000, 9_000L);

        assertThat(Files.readAllLines(data.resolve("reservations.jsonl"))).singleElement().asString()
                .contains("\"micro_usd\":10000").contains("\"pid\":" + self);
        guard.release(held);
        assertThat(Files.readAllLines(data.resolve("reservations.jsonl"))).isEmpty();
    }

    @Test
    void aLiveHoldOfAnotherRunCounts() throws Exception {
        long self = ProcessHandle.current().pid();
        Long selfStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(null);
        Files.writeString(data.resolve("reservations.jsonl"),
                hold("x", self, selfStart, System.currentTimeMillis()) + "\n");

        assertThatThrownBy(() -> run().reserve(MODEL, MICRO, 1_000, 9_000L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("$0.03 spent today ($0.03 of it held by calls in flight)");
    }

    @Test
    void spendingLoggedByAnotherRunMeanwhileCounts() {
        CostGuard guard = run();
        guard.reserve(MODEL, MICRO, 1_000, 9_000L);
        SpendLogs.conversation(conversations, Instant.now(), MODEL, 10, 10, 15_000L); // another run: $0.015

        assertThatThrownBy(() -> guard.reserve(MODEL, MICRO, 1_000, 9_000L))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("with $0.025 spent today ($0.01 of it held by calls in flight)");
    }

    private static String hold(String id, long pid, Long pidStart, long at) {
        return "{\"id\":\"" + id + "\",\"pid\":" + pid + ",\"pid_start\":" + pidStart + ",\"micro_usd\":30000,"
                + "\"at\":" + at + "}";
    }
}
