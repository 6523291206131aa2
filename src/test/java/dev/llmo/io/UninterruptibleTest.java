package dev.llmo.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UninterruptibleTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // never leak a test's interrupt into the next test on this thread
    }

    private static void writeLine(FileChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer, channel.size());
        }
    }

    @Test
    void anInterruptedThreadLosesAPlainChannelWrite() throws IOException {
        // what the class is for: without it, the interrupt closes the channel and every later write fails too
        try (FileChannel channel = FileChannel.open(dir.resolve("plain"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> writeLine(channel, "lost")).isInstanceOf(ClosedByInterruptException.class);
            assertThat(channel.isOpen()).isFalse();
        }
        assertThat(Files.size(dir.resolve("plain"))).isZero();
    }

    @Test
    void anInterruptedThreadWritesThroughItAndStaysInterrupted() throws IOException {
        Path file = dir.resolve("kept");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            Thread.currentThread().interrupt();
            Uninterruptible.call(() -> {
                writeLine(channel, "one");
                channel.force(false);
                return null;
            });
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(channel.isOpen()).isTrue();
        }
        assertThat(Files.readString(file)).isEqualTo("one\n");
    }

    @Test
    void writesSurviveInterruptsThatComeAtAnyMoment() throws Exception {
        Path file = dir.resolve("storm");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            int[] n = {0};
            boolean stillInterrupted = InterruptStorm.run(300, () -> Uninterruptible.call(() -> {
                writeLine(channel, "line " + n[0]++);
                return null;
            }));
            assertThat(stillInterrupted).isTrue();
        }
        assertThat(Files.readAllLines(file)).hasSize(300).startsWith("line 0").endsWith("line 299");
    }

    @Test
    void whatTheActionThrowsIsThrownAsItIs() {
        IOException full = new IOException("No space left on device");
        assertThatThrownBy(() -> Uninterruptible.call(() -> {
            throw full;
        })).isSameAs(full);
        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> Uninterruptible.call(() -> {
            throw bug;
        })).isSameAs(bug);
    }

    @Test
    void anActionInsideAnotherRunsOnTheSameThread() throws IOException {
        Thread[] threads = new Thread[2];
        Uninterruptible.call(() -> {
            threads[0] = Thread.currentThread();
            return Uninterruptible.call(() -> threads[1] = Thread.currentThread());
        });
        assertThat(threads[0]).isNotSameAs(Thread.currentThread()).isSameAs(threads[1]);
    }

    @Test
    void actionsOneAfterAnotherReuseTheirThreadAndActionsAtOnceEachGetOne() throws Exception {
        // a batch writes a line per call: a thread started for each would cost more than the write
        Thread first = Uninterruptible.call(Thread::currentThread);
        assertThat(Uninterruptible.call(Thread::currentThread)).isSameAs(first).isNotSameAs(Thread.currentThread());
        // one action waiting does not hold up another (its caller may hold what the first waits for)
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        boolean[] released = {false};
        Thread waiter = new Thread(() -> {
            try {
                released[0] = Uninterruptible.call(() -> {
                    try {
                        return second.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        waiter.start();
        Uninterruptible.call(() -> {
            second.countDown();
            return null;
        });
        waiter.join(10_000);
        assertThat(released[0]).isTrue();
    }
}
