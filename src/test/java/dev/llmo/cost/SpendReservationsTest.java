package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.io.InterruptStorm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's budget hold is taken and released by the call's own thread, which Ctrl-C, SIGTERM and a closed stdout
 * interrupt: the hold must still be written and, above all, released (a hold left behind blocks the day's budget
 * for every run of the home until it expires).
 */
class SpendReservationsTest {
    @TempDir
    Path data;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private SpendReservations shared() {
        return SpendReservations.shared(data.resolve("reservations.jsonl"), Clock.systemUTC());
    }

    @Test
    void anInterruptedThreadHoldsAndReleases() throws Exception {
        SpendReservations reservations = shared();
        Thread.currentThread().interrupt();
        SpendReservations.Hold hold = reservations.hold(9_000, held -> { });
        assertThat(Files.readString(data.resolve("reservations.jsonl"))).contains("\"micro_usd\":9000");
        reservations.drop(hold);

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(shared().heldMicroUsd()).isZero();
    }

    @Test
    void holdsAreReleasedWhileInterruptsKeepComing() throws Exception {
        SpendReservations reservations = shared();
        List<SpendReservations.Hold> holds = new ArrayList<>();
        InterruptStorm.run(50, () -> holds.add(reservations.hold(1_000, held -> { })));
        assertThat(shared().heldMicroUsd()).isEqualTo(50_000);

        InterruptStorm.run(1, () -> holds.forEach(reservations::drop));
        assertThat(shared().heldMicroUsd()).isZero();
    }
}
