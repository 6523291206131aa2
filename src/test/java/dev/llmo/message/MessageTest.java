package dev.llmo.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void theAnswerTextIsTheTextPartsOnlyInOrder() {
        Message message = new Message(Role.ASSISTANT, List.of(
                Part.Reasoning.of("think first"), new Part.Text("Hello"), new Part.Citation("https://a.example", null,
                        null), new Part.Text(", world"), new Part.Refusal("no")));

        assertThat(message.text()).isEqualTo("Hello, world");
        assertThat(message.parts(Part.Reasoning.class)).extracting(Part.Reasoning::text).containsExactly("think first");
        assertThat(message.parts(Part.Citation.class)).hasSize(1);
    }

    @Test
    void theTextOfOneTextPartIsThatPartsOwnString() {
        // an answer may be many megabytes: asking for its text does not copy it
        String answer = "x".repeat(100_000);
        assertThat(Message.assistant(answer).text()).isSameAs(answer);
        assertThat(new Message(Role.ASSISTANT, List.of(Part.Reasoning.of("r"))).text()).isEmpty();
    }

    @Test
    void theRoundsOfAToolLoopAreJoinedLineByLineAsRunPrintsThem() {
        Part.ToolCall call = new Part.ToolCall("c1", "reverse", "{}");
        Part.ToolResult result = new Part.ToolResult("c1", "cba", false);
        Message answer = new Message(Role.ASSISTANT, List.of(Part.Reasoning.of("need "), Part.Reasoning.of("tool"),
                new Part.Text("let me "), new Part.Text("check"), call, result, Part.Reasoning.of("final"),
                new Part.Text("done")));

        assertThat(answer.text()).isEqualTo("let me check\ndone");
        assertThat(answer.reasoning()).isEqualTo("need tool\nfinal");
        // a round that ends its line gets no second newline; a round without text adds none
        assertThat(new Message(Role.ASSISTANT, List.of(new Part.Text("a\n"), call, result, new Part.Text("b")))
                .text()).isEqualTo("a\nb");
        assertThat(new Message(Role.ASSISTANT, List.of(call, result, call, result, new Part.Text("b"))).text())
                .isEqualTo("b");
        assertThat(new Message(Role.ASSISTANT, List.of(new Part.Text("a"), call, result, new Part.Text("")))
                .text()).isEqualTo("a");
        assertThat(new Message(Role.ASSISTANT, List.of(new Part.Text("a"))).reasoning()).isNull();
        assertThat(new Message(Role.ASSISTANT, List.of(new Part.Reasoning("", "sig", true))).reasoning()).isEmpty();
    }

    @Test
    void partsAreCopiedSoAMessageCannotChangeAfterwards() {
        var parts = new java.util.ArrayList<Part>(List.of(new Part.Text("a")));
        Message message = new Message(Role.USER, parts);
        parts.add(new Part.Text("b"));

        assertThat(message.text()).isEqualTo("a");
    }

    @Test
    void rolesHaveStableIdentifiers() {
        for (Role role : Role.values()) {
            assertThat(Role.fromId(role.id())).isEqualTo(role);
        }
        assertThat(Role.TOOL.id()).isEqualTo("tool");
        assertThatThrownBy(() -> Role.fromId("robot")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAttachmentIsNamedByItsSha256() {
        String hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertThat(new Part.Attachment("image/png", hash, "a.png").sha256()).isEqualTo(hash);
        assertThatThrownBy(() -> new Part.Attachment("image/png", "ABC", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usageKeepsEveryKindInsideTheTotals() {
        Usage usage = new Usage(1000, 300, 200, 600, 100);

        assertThat(usage.uncachedInputTokens()).isEqualTo(300);
        assertThat(Usage.of(5, 7)).isEqualTo(new Usage(5, 7, 0, 0, 0));
        assertThatThrownBy(() -> new Usage(10, 5, 6, 0, 0)).hasMessageContaining("reasoning");
        assertThatThrownBy(() -> new Usage(10, 5, 0, 8, 3)).hasMessageContaining("cached");
        assertThatThrownBy(() -> Usage.of(-1, 0)).hasMessageContaining("negative");
    }
}
