package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.FailureException;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorReporterTest {
    @TempDir
    Path home;

    private final StringWriter err = new StringWriter();

    private ErrorReporter reporter() {
        return reporter("", false);
    }

    private ErrorReporter reporter(String tty, boolean debug) {
        CliEnvironment environment = new CliEnvironment(new ByteArrayInputStream(new byte[0]),
                new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of(), home, home, tty);
        return new ErrorReporter(new CliContext(environment, new GlobalOptions(debug, true)));
    }

    @Test
    void theDebugStackTraceOnATerminalShowsAServersControlCharactersInsteadOfObeyingThem() {
        String hostile = "bad gateway \u001b]0;pwned\u0007\u001b[2J";
        FailureException failure = new FailureException("server said: " + hostile, "retry",
                new IllegalStateException(hostile));

        reporter("e", true).report(failure);

        assertThat(err.toString()).doesNotContain("\u001b", "\u0007")
                .contains("java.lang.IllegalStateException: bad gateway ^[]0;pwned^G^[[2J")
                .contains("\n\tat ");
    }

    @Test
    void theDebugStackTraceInAPipeIsTheTraceAsItIs() {
        reporter("", true).report(new FailureException("x", "y", new IllegalStateException("a \u001b[2J b")));

        assertThat(err.toString()).contains("java.lang.IllegalStateException: a \u001b[2J b");
    }

    @Test
    void anInternalErrorIsOneLineWithoutDebugAndItsTraceWithIt() {
        IllegalStateException bug = new IllegalStateException("index went negative");

        int quiet = reporter().report(bug);
        String line = err.toString();
        err.getBuffer().setLength(0);
        int loud = reporter("", true).report(bug);

        assertThat(line).startsWith("llmo: error: internal error: ").contains("index went negative")
                .endsWith("; this is a bug in llmo; rerun with --debug and report the stack trace\n")
                .doesNotContain("\tat ");
        assertThat(err.toString()).startsWith(line).contains("java.lang.IllegalStateException: index went negative")
                .contains("\n\tat dev.llmo.cli.ErrorReporterTest.");
        assertThat(loud).isEqualTo(quiet).isNotZero();
    }

    @Test
    void memoryRunningOutAnywhereInTheCausesIsSaidSoNotReportedAsABug() {
        // a call's thread catches OutOfMemoryError and ends the call with it as the cause, a few levels down
        FailureException failure = new FailureException("internal error while reading the answer: "
                + "java.lang.OutOfMemoryError: Java heap space", "this is a bug in llmo; rerun with --debug",
                new IllegalStateException("wrapped", new OutOfMemoryError("Java heap space")));

        int code = reporter().report(failure);

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("llmo: error: out of memory; give the JVM more with "
                + "JAVA_TOOL_OPTIONS=-Xmx2g (or ask for less: a shorter history, fewer models at once)\n");
    }

    @Test
    void otherFailuresKeepTheirOwnLine() {
        int code = reporter().report(new FailureException("cannot write to x: disk full", "free some space"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("llmo: error: cannot write to x: disk full; free some space\n");
    }
}
