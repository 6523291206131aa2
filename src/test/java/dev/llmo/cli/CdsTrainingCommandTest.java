package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CdsTrainingCommandTest {
    @Test
    void theRunsAreStartedAsTheLauncherStartedTheTrainerWithoutItsArchivesAndTerminals() {
        CdsTrainingCommand.Launch launch = CdsTrainingCommand.launch(info("/usr/lib/jvm/java-17/bin/java", "-XX:TieredStopAtLevel=1",
                "-XX:CompileCommand=quiet", "-Dllmo.tty=ioe", "-XX:SharedArchiveFile=/c/llmo.cds/b.jsa",
                "-XX:ArchiveClassesAtExit=/c/x.jsa", "-XX:DumpLoadedClassList=/c/l", "-Dllmo.build=0.2.0-1", "-cp",
                "/usr/local/bin/llmo", "dev.llmo.Main", "__cds-train", "call", "/c/list"));

        assertThat(launch.options()).containsExactly("/usr/lib/jvm/java-17/bin/java", "-XX:TieredStopAtLevel=1",
                "-XX:CompileCommand=quiet", "-Dllmo.build=0.2.0-1");
        assertThat(launch.main()).containsExactly("-cp", "/usr/local/bin/llmo", "dev.llmo.Main");
        assertThat(launch.run()).containsExactly("-jar", "/usr/local/bin/llmo");
        assertThat(launch.startingFrom(java.nio.file.Path.of("/c/llmo.cds/b.start.jar")).run())
                .containsExactly("-jar", "/c/llmo.cds/b.start.jar");
    }

    @Test
    void aCommandLineThatCannotBeReadOrHasNoClassPathGivesNothing() {
        assertThat(CdsTrainingCommand.launch(info(null))).isNull();
        assertThat(CdsTrainingCommand.launch(info("/usr/bin/java", "-jar", "/usr/local/bin/llmo"))).isNull();
        assertThat(CdsTrainingCommand.launch(info("/usr/bin/java", "-Xmx1g", "dev.llmo.Main"))).isNull();
        assertThat(CdsTrainingCommand.launch(info("/usr/bin/java", "-cp", "/usr/local/bin/llmo"))).isNull();
    }

    private static ProcessHandle.Info info(String command, String... arguments) {
        return new ProcessHandle.Info() {
            @Override
            public Optional<String> command() {
                return Optional.ofNullable(command);
            }

            @Override
            public Optional<String> commandLine() {
                return Optional.empty();
            }

            @Override
            public Optional<String[]> arguments() {
                return command == null ? Optional.empty() : Optional.of(arguments);
            }

            @Override
            public Optional<Instant> startInstant() {
                return Optional.empty();
            }

            @Override
            public Optional<Duration> totalCpuDuration() {
                return Optional.empty();
            }

            @Override
            public Optional<String> user() {
                return Optional.empty();
            }
        };
    }
}
