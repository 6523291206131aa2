package dev.llmo.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildLogTest {
    @TempDir
    Path dir;

    @Test
    void aChildsStderrIsKeptForTheUserOnly() throws Exception {
        Path log = dir.resolve("logs/wc.log");
        ChildLog.prepare(log);
        Process process = new ProcessBuilder("sh", "-c", "echo first >&2; echo second >&2").start();
        Thread drain = ChildLog.drain(process, log, "test-stderr");
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        drain.join(10_000);

        assertThat(Files.readString(log)).isEqualTo("first\nsecond\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log.getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void pastItsCapAProcessesStderrIsReadToItsEndAndDroppedAfterOneLineThatSaysSo() throws Exception {
        Path log = dir.resolve("flood.log");
        Files.writeString(log, "an earlier run\n");
        ChildLog.prepare(log);
        long flood = ChildLog.CAP + (3L << 20);
        InputStream endless = new InputStream() {
            private long left = flood;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        ChildLog.copy(endless, log);

        String kept = Files.readString(log);
        assertThat(kept).startsWith("an earlier run\nxxx")
                .endsWith("x\n[llmo: this process wrote more than 8 MiB to stderr; the rest is not kept]\n");
        assertThat(kept.chars().filter(c -> c == 'x').count()).isEqualTo(ChildLog.CAP);
    }
}
