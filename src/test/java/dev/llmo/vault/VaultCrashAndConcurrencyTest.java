package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: a writer killed with SIGKILL at random moments never leaves an unreadable vault, and writers in
 * several threads and processes never lose each other's entries.
 */
class VaultCrashAndConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void aWriterKilledAtAnyMomentLeavesTheOldOrTheNewContent() throws Exception {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("COUNTER", "0:");
        }
        Random random = new Random(42);
        long previous = 0;
        for (int round = 0; round < 5; round++) {
            Process child = start("loop", file.toString());
            AtomicLong lastDone = new AtomicLong(-1);
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> readProgress(child, lastDone, ready));
            reader.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("child started").isTrue();
            // Some rounds are killed before their first write completes, most in the middle of the stream.
            Thread.sleep(round == 0 ? 0 : 50 + random.nextInt(400));
            if (round == 4) {
                // on a loaded machine no earlier round may have finished a write: the last one waits for one, so
                // that every run also checks a kill that comes after progress
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (lastDone.get() <= previous && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            child.destroyForcibly();  // SIGKILL on POSIX: no shutdown hooks, no finally blocks
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();

            try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
                String value = vault.secret("COUNTER").orElseThrow();
                long counter = Long.parseLong(value.substring(0, value.indexOf(':')));
                long done = Math.max(lastDone.get(), previous);
                assertThat(counter).as("round %d: last completed write %d", round, done).isBetween(done, done + 1);
                assertThat(value.length()).isEqualTo(counter == 0 ? 2 : value.indexOf(':') + 1 + 256 * 1024);
                previous = counter;
            }
        }
        assertThat(previous).as("the child made progress").isPositive();
    }

    @Test
    void threadsWritingAtOnceLoseNothing() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            String prefix = "T" + t + "_";
            Thread thread = new Thread(() -> {
                try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
                    for (int i = 0; i < 15; i++) {
                        vault.put(prefix + i, "v");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            assertThat(vault.size()).isEqualTo(60);
        }
    }

    @Test
    void processesWritingAtOnceLoseNothing() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();

        Process first = start("put", file.toString(), "P1_", "20");
        Process second = start("put", file.toString(), "P2_", "20");
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            for (int i = 0; i < 20; i++) {
                vault.put("PARENT_" + i, "v");
            }
        }
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(errorOf(first)).isZero();
        assertThat(second.exitValue()).as(errorOf(second)).isZero();

        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            List<String> expected = new ArrayList<>();
            for (String prefix : List.of("P1_", "P2_", "PARENT_")) {
                IntStream.range(0, 20).forEach(i -> expected.add(prefix + i));
            }
            assertThat(vault.entries()).extracting(VaultEntry::name).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                VaultChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    private static void readProgress(Process child, AtomicLong lastDone, CountDownLatch ready) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if ("ready".equals(line)) {
                    ready.countDown();
                } else {
                    lastDone.set(Long.parseLong(line));
                }
            }
        } catch (Exception e) {
            // The child was killed mid-line; what was read so far counts.
        } finally {
            ready.countDown();
        }
    }

    private static String errorOf(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
