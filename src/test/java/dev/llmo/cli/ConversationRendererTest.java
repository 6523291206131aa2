package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.RunMode;
import dev.llmo.eventlog.Sha256;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of part, as {@code log show} (plain and coloured) and {@code log export} show it. */
class ConversationRendererTest {
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path home;

    private ConversationRenderer renderer() {
        Path file;
        try (EventLog log = EventLog.create(home, new EventData.SessionStart("run", RunMode.SINGLE,
                List.of("a/x"), null, "test"))) {
            Event user = log.append(new EventData.Message(Role.USER, List.of(
                    new Part.Text("Look at "), new Part.Text("this"),
                    new Part.Attachment("image/png", SHA, "cat.png"),
                    new Part.Attachment("text/plain", SHA, null),
                    new Part.ToolResult("call_1", "18 \u001b[31m°C", false),
                    new Part.ToolResult("call_2", "no such city", true),
                    new Part.Text("and tell me."))));
            log.append(new EventData.Message(Role.ASSISTANT, List.of()));
            Event request = log.append(new EventData.Request("a/x", Map.of(), Sha256.of("body"), 4,
                    EventData.SeqRange.of(List.of(user.seq()))));
            log.append(new EventData.Response(request.seq(), "a/x", List.of(
                    new Part.Reasoning("", null, true),
                    new Part.Reasoning("first\nsecond", "sig", false),
                    new Part.Citation("https://example.org/a", null, null),
                    new Part.Text("A cat."),
                    new Part.Citation("https://example.org/b", "B", "quoted"),
                    new Part.Refusal("Not more.")), "end_turn", null, null, 900, 80L, true));
            file = log.file();
        }
        return new ConversationRenderer("01ID", EventLog.read(file), ChainVerifier.verify(file));
    }

    private static String render(java.util.function.Consumer<PrintWriter> how) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            how.accept(out);
        }
        return text.toString();
    }

    @Test
    void textShowsEveryPartInItsPlace() {
        String shown = render(out -> renderer().text(out, false));
        assertThat(shown.substring(shown.indexOf("── user ──"))).isEqualTo("""
                ── user ──
                Look at this
                [attachment image/png sha256:%1$s cat.png]
                [attachment text/plain sha256:%1$s]
                [tool result call_1] 18 ^[[31m°C
                [tool result call_2, error] no such city
                and tell me.

                ── assistant ──


                ── assistant (a/x) ──
                [reasoning] (hidden by the provider)
                [reasoning] first
                second
                A cat.
                [refused] Not more.
                [1] https://example.org/a
                [2] https://example.org/b B: "quoted"
                [end_turn · cost unknown · 900 ms]
                """.formatted(SHA));
    }

    @Test
    void colourDimsAllButTheTextAndTheRefusal() {
        String shown = render(out -> renderer().text(out, true));
        assertThat(shown).contains("\u001b[2m[reasoning] (hidden by the provider)\u001b[0m\n",
                "\u001b[2m[tool result call_2, error] \u001b[0mno such city\n",
                "\u001b[2m[attachment text/plain sha256:" + SHA + "]\u001b[0m\n",
                "\nA cat.\n[refused] Not more.\n\u001b[2m[1] https://example.org/a\u001b[0m\n");
    }

    @Test
    void markdownShowsEveryPartInItsPlace() {
        String shown = render(out -> renderer().markdown(out));
        assertThat(shown.substring(shown.indexOf("## User"))).isEqualTo("""
                ## User

                Look at this
                Attachment `cat.png` (image/png, sha256:%1$s)
                Attachment (text/plain, sha256:%1$s)
                Tool result for `call_1`: 18 \u001b[31m°C
                Tool result for `call_2` (error): no such city
                and tell me.

                ## Assistant



                ## Assistant (a/x)

                > **Reasoning:** (hidden by the provider)

                > **Reasoning:** first
                > second

                A cat.
                **Refused:** Not more.

                1. <https://example.org/a>
                2. <https://example.org/b> B: "quoted"

                _end_turn · cost unknown · 900 ms_
                """.formatted(SHA));
    }

    @Test
    void aStoppedRunSaysHowOnceAndOtherErrorsKeepTheirKind() {
        Path file;
        try (EventLog log = EventLog.create(home, new EventData.SessionStart("run", RunMode.SINGLE,
                List.of("slow/m"), null, "test"))) {
            // recorded as Conversation records a failed call: its kind, and the message the user saw
            for (dev.llmo.failure.LlmoException stopped : List.of(
                    dev.llmo.failure.InterruptedRunException.of(dev.llmo.failure.ExitCode.INTERRUPTED,
                            "the request to slow was cancelled"),
                    dev.llmo.failure.InterruptedRunException.of(dev.llmo.failure.ExitCode.TERMINATED,
                            "the request was cancelled"))) {
                log.append(new EventData.ErrorEvent(2L, dev.llmo.core.Conversation.errorKind(stopped), null,
                        stopped.getMessage()));
            }
            log.append(new EventData.ErrorEvent(2L, "rate_limited", 429, "slow down"));
            file = log.file();
        }
        ConversationRenderer renderer = new ConversationRenderer("01ID", EventLog.read(file),
                ChainVerifier.verify(file));

        String text = render(out -> renderer.text(out, false));
        assertThat(text).contains("\ninterrupted: the request to slow was cancelled\n",
                        "\nterminated (SIGTERM): the request was cancelled\n", "\nrate_limited 429: slow down\n")
                .doesNotContain("interrupted: interrupted", "terminated: terminated");
        String markdown = render(out -> renderer.markdown(out));
        assertThat(markdown).contains("\ninterrupted: the request to slow was cancelled\n",
                "\n`rate_limited 429`: slow down\n").doesNotContain("`interrupted`");
    }
}
