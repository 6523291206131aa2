package dev.llmo.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.FailureException;
import dev.llmo.io.InterruptStorm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** A hold of this process, as another SpendReservations of it would have written it. */
    private static String holdLine(String id, long microUsd) {
        return "{\"id\":\"" + id + "\",\"pid\":" + ProcessHandle.current().pid()
                + ",\"pid_start\":null,\"micro_usd\":" + microUsd + ",\"at\":" + System.currentTimeMillis() + "}\n";
    }

    @Test
    void aLineLongerThanAnyHoldIsSkippedAsDamagedAndTheHoldsAroundItCount() throws Exception {
        Path file = data.resolve("reservations.jsonl");
        // 8 MiB without a newline (a damaged write), between two holds: never one String, never split into holds
        try (var out = Files.newOutputStream(file)) {
            out.write(holdLine("a", 1_000).getBytes(StandardCharsets.UTF_8));
            byte[] junk = new byte[1 << 20];
            Arrays.fill(junk, (byte) '{');
            for (int i = 0; i < 8; i++) {
                out.write(junk);
            }
            out.write('\n');
            out.write(holdLine("b", 2_000).getBytes(StandardCharsets.UTF_8));
            // a hold longer than the bound, whitespace-padded: damaged too, even though it parses
            out.write((" ".repeat(SpendReservations.MAX_LINE_BYTES) + holdLine("c", 4_000))
                    .getBytes(StandardCharsets.UTF_8));
        }

        assertThat(shared().heldMicroUsd()).isEqualTo(3_000);

        // the next change writes the live holds only: the damage is gone
        SpendReservations.Hold hold = shared().hold(500, held -> assertThat(held).isEqualTo(3_000));
        assertThat(Files.size(file)).isLessThan(1_000);
        shared().drop(hold);
        assertThat(shared().heldMicroUsd()).isEqualTo(3_000);
    }

    @Test
    void aHugeFileIsRefusedUnreadWithHowToRepairIt() throws Exception {
        Path file = data.resolve("reservations.jsonl");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4L << 30); // sparse: 4 GiB of nothing, which a whole read would try to hold
        }

        assertThatThrownBy(() -> shared().heldMicroUsd()).isInstanceOf(FailureException.class)
                .hasMessageContaining("reservations file " + file).hasMessageContaining("damaged")
                .satisfies(e -> assertThat(((FailureException) e).fix()).contains("rm '" + file + "'"));
        Files.delete(file);
        assertThat(shared().heldMicroUsd()).isZero();
    }
}
