package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real processes append to one file at the same time; the file lock keeps the chain whole. */
class ConcurrentWritersTest {
    private static final int PER_WRITER = 300;

    @TempDir
    Path dir;

    @Test
    void twoProcessesAppendingToOneFileKeepTheChainWhole() throws Exception {
        Path file;
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("chat", RunMode.CHAT, List.of("m"), null, "test"))) {
            file = log.file();
        }
        List<Process> writers = new ArrayList<>();
        for (String name : List.of("alpha", "beta")) {
            // C1 only and the serial collector, as for the test JVMs: a short run, where C2 costs more CPU than it saves
            writers.add(new ProcessBuilder(javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    classpath(), AppendWorker.class.getName(), file.toString(), name, Integer.toString(PER_WRITER))
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start());
        }
        for (Process writer : writers) {
            assertThat(writer.waitFor(120, TimeUnit.SECONDS)).as("writer finished").isTrue();
            assertThat(writer.exitValue()).as(java.nio.file.Files.readString(dir.resolve(
                    (writers.indexOf(writer) == 0 ? "alpha" : "beta") + ".out"))).isZero();
        }

        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.problem()).isNull();
        assertThat(report.events()).isEqualTo(1 + 2 * PER_WRITER);
        List<String> contents = EventLog.read(file).stream().skip(1)
                .map(e -> ((EventData.Message) EventCodec.decode(e)).text()).toList();
        for (String name : List.of("alpha", "beta")) {
            // every event of each writer is there, in that writer's order
            List<String> mine = contents.stream().filter(c -> c.startsWith(name + " ")).toList();
            assertThat(mine).containsExactlyElementsOf(
                    Stream.iterate(0, i -> i + 1).limit(PER_WRITER).map(i -> name + " " + i).toList());
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The compiled main and test classes and Jackson's jars, wherever the build put them. */
    private static String classpath() throws Exception {
        return Stream.of(EventLog.class, AppendWorker.class, ObjectMapper.class, JsonFactory.class, JsonProperty.class)
                .map(type -> {
                    try {
                        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }
}
