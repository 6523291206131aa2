package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.core.CallId;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ASCII text written past the char encoder lands in order with everything printed around it, and fails alike. */
class StdoutWriterTest {

    @Test
    void asciiWrittenAsBytesKeepsItsPlaceAmongPrintedText() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutWriter out = StdoutWriter.of(bytes);
        out.print("h\u00e9llo ");
        out.writeAscii("abc");
        out.print("\u4e2d\uD83D\uDE00");
        out.writeAscii(new StringBuilder("x\ty\n"));
        out.writeAscii("");
        out.println("end");
        out.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("h\u00e9llo abc\u4e2d\uD83D\uDE00x\ty\nend"
                + System.lineSeparator());
    }

    @Test
    void aFailedAsciiWriteIsRememberedAsAnyWritesIs() {
        StdoutWriter closed = StdoutWriter.of(failing("Broken pipe"));
        closed.writeAscii("x".repeat(1 << 15)); // past the buffer: written at once
        LlmoException failure = StdoutWriter.failure(closed);
        assertThat(failure).isInstanceOfSatisfying(InterruptedRunException.class,
                e -> assertThat(e.exitCode()).isEqualTo(ExitCode.STDOUT_CLOSED));

        StdoutWriter full = StdoutWriter.of(failing("No space left on device"));
        full.writeAscii("y");
        assertThat(StdoutWriter.failure(full)).hasMessageContaining("No space left on device");
    }

    /** The renderer's output is the same bytes whether a piece comes as ASCII (copied) or not (encoded). */
    @Test
    void theRenderersAsciiPathWritesWhatTheEncoderWould() {
        CallId id = CallId.of(dev.llmo.AnswerFixtures.succeeded(dev.llmo.AnswerFixtures.REASONED).model());
        List<RunEvent> events = List.of(new RunEvent.Text(id, "tok0 tok1 ", 2, true),
                new RunEvent.Text(id, "caf\u00e9 ", 1, false), new RunEvent.Idle(id),
                new RunEvent.Text(id, "\"quoted\"\n", 1, true), new RunEvent.Idle(id),
                new RunEvent.Text(id, "a", 1, true), new RunEvent.Text(id, "\u4e2d", 1, false),
                new RunEvent.Text(id, "b", 1, true), new RunEvent.Idle(id), new RunEvent.Text(id, "last", 1, true));
        RunResult result = dev.llmo.AnswerFixtures.succeeded(new dev.llmo.message.Message(
                dev.llmo.message.Role.ASSISTANT, List.of(new dev.llmo.message.Part.Text("ignored"))));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutWriter stdout = StdoutWriter.of(bytes);
        RunRenderer copied = new RunRenderer(stdout, new PrintWriter(new StringWriter()), false, false, false);
        events.forEach(copied::onEvent);
        copied.finish(result);

        StringWriter encoded = new StringWriter();
        RunRenderer plain = new RunRenderer(new PrintWriter(encoded), new PrintWriter(new StringWriter()), false,
                false, false);
        events.stream().map(e -> e instanceof RunEvent.Text t ? new RunEvent.Text(id, t.text(), 1, false) : e)
                .forEach(plain::onEvent);
        plain.finish(result);

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(encoded.toString())
                .startsWith("tok0 tok1 caf\u00e9 \"quoted\"\na\u4e2dblast");
    }

    private static OutputStream failing(String message) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException(message);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException(message);
            }
        };
    }
}
