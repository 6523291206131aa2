package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.engine.ToolGate.Approval;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The question a tool call the policy leaves to a person asks on the terminal. */
class ToolApprovalsTest {
    private static final Tool WRITE = new Tool("fs.write_file", "Writes a file", "{\"type\":\"object\"}", "0", "fs");

    @Test
    void aLongArgumentIsCutAfter300CharactersAndShowAllShowsItWholeThenAsksAgain() {
        String content = "0123456789".repeat(100);
        VaultTerminals terminal = VaultTerminals.typing("s\ny\n");
        ToolApprovals approvals = new ToolApprovals(ToolPolicy.of(List.of(), List.of(), false),
                new PrintWriter(new StringWriter()), terminal::prompt);

        Approval approval = approvals.decide(null, WRITE, "{\"content\":\"" + content + "\"}");

        assertThat(approval).isEqualTo(new Approval(true, "you"));
        String shown = terminal.shown();
        String cut = "  \"content\" : \"" + content.substring(0, 300 - "  \"content\" : \"".length());
        String first = shown.substring(0, shown.indexOf("Allow?"));
        assertThat(first).contains("llmo: the model wants to run fs.write_file (fs) with:", cut + "… (716 more characters)")
                .doesNotContain(content);
        String afterFirst = shown.substring(shown.indexOf("Allow?"));
        assertThat(afterFirst).startsWith("Allow? [y]es, [n]o, [a]lways this session, [s]how all: ")
                .contains("  \"content\" : \"" + content + "\"\n")
                .containsOnlyOnce("[s]how all");
        // asked again once it is all shown, with nothing more to show
        String second = afterFirst.substring(afterFirst.indexOf(content));
        assertThat(second).contains("Allow? [y]es, [n]o, [a]lways this session: ");
    }
}
