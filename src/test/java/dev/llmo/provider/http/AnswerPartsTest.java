package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.message.Part;
import dev.llmo.provider.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one place where a decoder's pieces become parts: merging, order, tool calls by index, limits, UTF-16. */
class AnswerPartsTest {
    private final List<StreamEvent> events = new ArrayList<>();
    private final AnswerParts parts = new AnswerParts(1024, events::add);

    @Test
    void piecesOfOneKindMergeAndTheOrderOfKindsIsKept() {
        parts.reasoning("Let me ");
        parts.reasoning("think.");
        parts.text("Hel");
        parts.text("lo");
        parts.reasoning("More?");
        parts.text("");
        assertThat(parts.parts()).containsExactly(Part.Reasoning.of("Let me think."), new Part.Text("Hello"),
                Part.Reasoning.of("More?"));
        // the text's first piece at once (also after reasoning: the time to first token), the rest as one event
        // before what comes next
        assertThat(events).containsExactly(new StreamEvent.ReasoningDelta("Let me "),
                new StreamEvent.ReasoningDelta("think."), new StreamEvent.TextDelta("Hel"),
                new StreamEvent.TextDelta("lo"), new StreamEvent.ReasoningDelta("More?"));
    }

    @Test
    void theFirstPieceIsReportedAtOnceAndTheRestOfTheTextAtEachFlushWithItsPieceCount() {
        parts.text("Hel");
        assertThat(events).containsExactly(new StreamEvent.TextDelta("Hel")); // the time to first token
        parts.text("lo");
        parts.text(", ");
        assertThat(events).hasSize(1);
        parts.flush();
        assertThat(events).containsExactly(new StreamEvent.TextDelta("Hel"), new StreamEvent.TextDelta("lo, ", 2));
        parts.flush();
        assertThat(events).hasSize(2);
        parts.text("world");
        parts.endBlock();
        parts.text("!"); // a new text part: what the last one held is reported first
        assertThat(events).containsExactly(new StreamEvent.TextDelta("Hel"), new StreamEvent.TextDelta("lo, ", 2),
                new StreamEvent.TextDelta("world"));
        parts.toolCall(0, "c", "f", "{}");
        assertThat(events.subList(3, events.size())).containsExactly(new StreamEvent.TextDelta("!"),
                new StreamEvent.ToolCallDelta(0, "c", "f", "{}"));
        parts.text("end");
        assertThat(parts.parts()).containsExactly(new Part.Text("Hello, world"), new Part.Text("!"),
                new Part.ToolCall("c", "f", "{}"), new Part.Text("end"));
        assertThat(events).last().isEqualTo(new StreamEvent.TextDelta("end")); // parts() reports what is left
    }

    @Test
    void aReportSaysWhetherItsTextIsAscii() {
        parts.text("a");
        parts.text("b");
        parts.text("c");
        parts.flush();
        parts.text("d");
        parts.text("\u00e9");
        parts.text("f");
        parts.flush();
        parts.text("\uD83D");
        parts.text("\uDE00");
        parts.flush();
        assertThat(events).containsExactly(new StreamEvent.TextDelta("a", 1, true),
                new StreamEvent.TextDelta("bc", 2, true), new StreamEvent.TextDelta("d\u00e9f", 3, false),
                new StreamEvent.TextDelta("\uD83D\uDE00", 1, false));
    }

    @Test
    void aHalfPairHeldAtTheEndOfTheTextIsReportedAfterTheTextBeforeIt() {
        parts.text("a");
        parts.text("b\uD83D");
        assertThat(parts.parts()).containsExactly(new Part.Text("ab\uFFFD"));
        assertThat(events).containsExactly(new StreamEvent.TextDelta("a"), new StreamEvent.TextDelta("b"),
                new StreamEvent.TextDelta("\uFFFD"));
    }

    @Test
    void aBlockEndKeepsTwoThinkingBlocksWithTheirOwnSignaturesApart() {
        parts.reasoning("first");
        parts.reasoningSignature("sig1");
        parts.endBlock();
        parts.reasoning("second");
        parts.reasoningSignature("sig2");
        parts.redactedReasoning("opaque");
        parts.reasoningSignature("alone");
        assertThat(parts.parts()).containsExactly(new Part.Reasoning("first", "sig1", false),
                new Part.Reasoning("second", "sig2", false), new Part.Reasoning("", "opaque", true),
                new Part.Reasoning("", "alone", false));
    }

    @Test
    void toolCallPiecesJoinByIndexWhereverTheyCome() {
        parts.toolCall(0, "call_a", "get_weather", "");
        parts.toolCall(1, "call_b", "get_time", "{\"tz\":");
        parts.toolCall(0, null, null, "{\"city\":\"Paris\"}");
        parts.text("and");
        parts.toolCall(1, null, null, "\"UTC\"}");
        parts.toolCall(2, null, "no_id", "{}");
        assertThat(parts.parts()).containsExactly(
                new Part.ToolCall("call_a", "get_weather", "{\"city\":\"Paris\"}"),
                new Part.ToolCall("call_b", "get_time", "{\"tz\":\"UTC\"}"), new Part.Text("and"),
                new Part.ToolCall("call_2", "no_id", "{}"));
        assertThat(events).startsWith(new StreamEvent.ToolCallDelta(0, "call_a", "get_weather", ""));
    }

    @Test
    void aCitationGivenTwiceIsKeptOnce() {
        Part.Citation source = new Part.Citation("https://example.org", "Example", null);
        parts.citation(source);
        parts.text("Cited.");
        parts.citation(new Part.Citation("https://example.org", "Example", null));
        assertThat(parts.parts()).containsExactly(source, new Part.Text("Cited."));
        assertThat(events).containsExactly(new StreamEvent.CitationAdded(source), new StreamEvent.TextDelta("Cited."));
    }

    @Test
    void aSurrogatePairSplitBetweenPiecesIsJoinedAndALoneHalfBecomesAReplacement() {
        parts.text("a\uD83D");
        parts.text("\uDE00b\uD83D");
        parts.reasoning("x\uDC00");
        assertThat(parts.parts()).containsExactly(new Part.Text("a\uD83D\uDE00b\uFFFD"),
                Part.Reasoning.of("x\uFFFD"));
    }

    @Test
    void piecesAlreadyTakenOnceAreAssembledAgainAndACallWithoutIdGetsOne() {
        AnswerParts shown = new AnswerParts();
        assertThat(shown.isEmpty()).isTrue();
        assertThat(shown.parts()).isEmpty();
        shown.toolCall(0, "call_a", "search", "{\"q\":");
        shown.toolCall(1, null, null, "{\"x\"");
        shown.toolCall(0, null, null, "\"rain\"}");
        assertThat(shown.isEmpty()).isFalse();
        assertThat(shown.parts()).containsExactly(new Part.ToolCall("call_a", "search", "{\"q\":\"rain\"}"),
                new Part.ToolCall("call_1", "", "{\"x\""));
    }

    @Test
    void pastTheLimitNothingMoreIsTakenAndTheAnswerSaysSo() {
        AnswerParts parts = new AnswerParts(64, events::add);
        parts.text("x".repeat(60));
        assertThat(parts.overLimit()).isFalse();
        parts.reasoning("12345");
        parts.text("y");
        assertThat(parts.overLimit()).isTrue();
        assertThat(parts.parts()).containsExactly(new Part.Text("x".repeat(60)));
    }
}
