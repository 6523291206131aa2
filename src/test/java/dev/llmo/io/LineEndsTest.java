package dev.llmo.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line ends found a word at a time are those a byte at a time finds, at every offset and with every byte. */
class LineEndsTest {
    @Test
    void findsTheFirstAndLastLineEndAsAByteLoopDoes() {
        Random random = new Random(15);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(70)];
            for (int i = 0; i < b.length; i++) {
                // bytes around '\n' and the zero-byte test's edges: 0x00, 0x01, 0x0a, 0x0b, 0x80, 0x8a, 0xff
                int kind = random.nextInt(10);
                b[i] = (byte) (kind == 0 ? '\n' : kind < 8 ? new int[] {0x00, 0x01, 0x0b, 0x80, 0x8a, 0xff, 'x'}[kind - 1]
                        : random.nextInt(256));
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            assertThat(LineEnds.next(b, from, to)).as("next in %s [%d, %d)", java.util.Arrays.toString(b), from, to)
                    .isEqualTo(firstByLoop(b, from, to));
            assertThat(LineEnds.last(b, from, to)).as("last in %s [%d, %d)", java.util.Arrays.toString(b), from, to)
                    .isEqualTo(lastByLoop(b, from, to));
        }
    }

    @Test
    void aLongLineIsScannedToItsEnd() {
        byte[] b = new byte[100_003];
        java.util.Arrays.fill(b, (byte) 'a');
        assertThat(LineEnds.next(b, 0, b.length)).isEqualTo(b.length);
        assertThat(LineEnds.last(b, 0, b.length)).isEqualTo(-1);
        b[99_999] = '\n';
        b[5] = '\n';
        assertThat(LineEnds.next(b, 6, b.length)).isEqualTo(99_999);
        assertThat(LineEnds.last(b, 0, b.length)).isEqualTo(99_999);
        assertThat(LineEnds.last(b, 0, 99_999)).isEqualTo(5);
    }

    private static int firstByLoop(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return to;
    }

    private static int lastByLoop(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
