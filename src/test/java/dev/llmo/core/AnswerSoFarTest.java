package dev.llmo.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.AnswerFixtures;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerSoFarTest {
    private static final CallId CALL = AnswerFixtures.CALL;

    @Test
    void theEventsOfAStreamedAnswerBuildTheSameMessageWithoutTheSignatures() {
        AnswerSoFar so = new AnswerSoFar();
        AnswerFixtures.events(AnswerFixtures.REASONED).forEach(so::add);

        List<Part> expected = AnswerFixtures.REASONED.parts().stream()
                .map(p -> p instanceof Part.Reasoning r ? Part.Reasoning.of(r.text()) : p).toList();
        assertThat(so.message().parts()).isEqualTo(expected);
    }

    @Test
    void piecesOfOneKindJoinAndAKindChangeStartsANewPartInOrder() {
        AnswerSoFar so = new AnswerSoFar();
        so.add(new RunEvent.Reasoning(CALL, "Let me "));
        so.add(new RunEvent.Reasoning(CALL, "think."));
        so.add(new RunEvent.Text(CALL, "Hel"));
        so.add(new RunEvent.UsageUpdate(CALL, AnswerFixtures.FULL_USAGE));
        so.add(new RunEvent.Text(CALL, "lo"));
        so.add(new RunEvent.Reasoning(CALL, "More."));
        so.add(new RunEvent.Text(CALL, "!"));

        assertThat(so.message().parts()).containsExactly(Part.Reasoning.of("Let me think."), new Part.Text("Hello"),
                Part.Reasoning.of("More."), new Part.Text("!"));
    }

    @Test
    void toolCallPiecesJoinByIndexAndACallCutBeforeItsNameIsKept() {
        AnswerSoFar so = new AnswerSoFar();
        so.add(new RunEvent.ToolCallPiece(CALL, 0, "call_a", "search", "{\"q\":"));
        so.add(new RunEvent.ToolCallPiece(CALL, 1, "call_b", "fetch", "{"));
        so.add(new RunEvent.ToolCallPiece(CALL, 0, null, null, "\"rain\"}"));
        so.add(new RunEvent.ToolCallPiece(CALL, 2, null, null, "{\"x\""));

        assertThat(so.message().parts()).containsExactly(new Part.ToolCall("call_a", "search", "{\"q\":\"rain\"}"),
                new Part.ToolCall("call_b", "fetch", "{"), new Part.ToolCall("", "", "{\"x\""));
    }

    @Test
    void nothingCameIsAnEmptyAssistantMessage() {
        AnswerSoFar so = new AnswerSoFar();
        so.add(new RunEvent.Idle(CALL));

        assertThat(so.isEmpty()).isTrue();
        assertThat(so.message()).isEqualTo(RunResult.NO_ANSWER);
        assertThat(so.message()).isNotEqualTo(Message.assistant(""));
    }
}
