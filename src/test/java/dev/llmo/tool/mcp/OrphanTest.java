package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No server outlives llmo, even when llmo is killed with SIGKILL and runs no clean-up: a JVM ({@link OrphanProbe})
 * starts the reference server and a stubborn one (it ignores the end of its stdin and SIGTERM, and has a child of
 * its own), is killed with SIGKILL, and every process it started must be gone within seconds.
 */
class OrphanTest {
    private static final String STUBBORN = """
            import json, signal, subprocess, sys, time
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            subprocess.Popen(["sleep", "300"])
            for line in sys.stdin:
                m = json.loads(line)
                if m.get("method") == "initialize":
                    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": m["id"], "result": {
                        "protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "stubborn"}}}) + "\\n")
                    sys.stdout.flush()
            time.sleep(300)
            """;

    @TempDir
    Path dir;

    @Test
    void killingLlmoWithSigkillLeavesNoServerBehind() throws Exception {
        Path stubborn = Files.writeString(dir.resolve("stubborn.py"), STUBBORN);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                OrphanProbe.class.getName(), dir.resolve("servers.log").toString(),
                "node " + ReferenceServer.everythingScript() + " stdio", "python3 " + stubborn));
        Process llmo = new ProcessBuilder(command).redirectError(dir.resolve("probe.err").toFile()).start();
        List<Long> pids;
        try {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> firstLine(llmo));
            pids = Arrays.stream(line.get(60, TimeUnit.SECONDS).substring("pids ".length()).split(" "))
                    .map(Long::parseLong).toList();
            assertThat(pids.stream().filter(OrphanTest::alive)).as("processes under the probe").hasSizeGreaterThan(3);
        } finally {
            llmo.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        }
        assertThat(llmo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (pids.stream().anyMatch(OrphanTest::alive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(pids).as("processes left after the probe was killed").noneMatch(OrphanTest::alive);
    }

    private static String firstLine(Process process) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = reader.readLine();
            return line == null ? "pids " : line;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Alive and not a zombie (a container's init may be slow to reap what was re-parented to it). */
    private static boolean alive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String text = Files.readString(stat);
                return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
