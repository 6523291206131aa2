package dev.llmo.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.Origin;
import dev.llmo.config.PolicyRule;
import dev.llmo.config.PolicyRule.Decision;
import dev.llmo.tool.ToolPolicy.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolPolicyTest {
    private static final List<PolicyRule> RULES = List.of(
            rule("fs.read_*", null, Decision.ALLOW, 3),
            rule("fs.write_?ile", null, Decision.ASK, 4),
            rule("*", "rm -rf", Decision.DENY, 5),
            rule("shell.*", "\"cmd\":\\s*\"ls\\b", Decision.ALLOW, 6),
            rule("shell.*", null, Decision.DENY, 7));

    private static PolicyRule rule(String glob, String args, Decision decision, int line) {
        return new PolicyRule(glob, args, decision, new Origin("user", "/c/config.yaml", line, 5));
    }

    private static Verdict decide(List<String> approve, boolean yolo, String tool, String args) {
        return ToolPolicy.of(RULES, approve, yolo).decide(tool, args);
    }

    @Test
    void theFirstMatchingRuleWinsAndNamesItself() {
        assertThat(decide(List.of(), false, "fs.read_file", "{\"path\":\"rm -rf\"}"))
                .isEqualTo(new Verdict(Decision.ALLOW, "tool_policy rule 1 (/c/config.yaml:3)"));
        assertThat(decide(List.of(), false, "fs.write_file", "{}"))
                .isEqualTo(new Verdict(Decision.ASK, "tool_policy rule 2 (/c/config.yaml:4)"));
        assertThat(decide(List.of(), false, "wc", "{\"text\":\"rm -rf /\"}"))
                .isEqualTo(new Verdict(Decision.DENY, "tool_policy rule 3 (/c/config.yaml:5)"));
    }

    @Test
    void argsMatchIsARegexSearchedInTheArgumentsJson() {
        assertThat(decide(List.of(), false, "shell.run", "{\"cmd\": \"ls -l\"}").decision()).isEqualTo(Decision.ALLOW);
        assertThat(decide(List.of(), false, "shell.run", "{\"cmd\": \"lsblk\"}"))
                .isEqualTo(new Verdict(Decision.DENY, "tool_policy rule 5 (/c/config.yaml:7)"));
    }

    @Test
    void aDenyHoldsForArgumentsDressedInEscapesAndForTheValueTheToolGetsOfARepeatedName() {
        Verdict denied = new Verdict(Decision.DENY, "tool_policy rule 3 (/c/config.yaml:5)");
        assertThat(decide(List.of(), true, "wc", "{\"text\":\"rm\\u0020-rf /\"}")).isEqualTo(denied);
        assertThat(decide(List.of(), true, "wc", "{\"text\":\"r\\u006d -rf /\"}")).isEqualTo(denied);
        assertThat(decide(List.of(), true, "wc", "{\"text\":\"rm -\\u0072f\"}")).isEqualTo(denied);
        // a pattern over several fields' JSON is found in the arguments written again as the tool reads them
        assertThat(ToolPolicy.of(List.of(rule("*", "\"a\":1,\"b\"", Decision.DENY, 9)), List.of(), true)
                .decide("wc", "{ \"a\" : 1 , \"b\" : 2 }").decision()).isEqualTo(Decision.DENY);
    }

    @Test
    void anAllowNeedsItsPatternBothInTheTextSentAndInTheArgumentsAsTheToolReadsThem() {
        // the tool gets the later of two values: the earlier one cannot carry an allow
        assertThat(decide(List.of(), false, "shell.run", "{\"cmd\": \"ls\", \"cmd\": \"reboot\"}"))
                .isEqualTo(new Verdict(Decision.DENY, "tool_policy rule 5 (/c/config.yaml:7)"));
        // nor can a string that holds text shaped like the pattern
        assertThat(decide(List.of(), false, "shell.run", "{\"cmd\": \"reboot\", \"note\": \"\\\"cmd\\\": \\\"ls x\"}")
                .decision()).isEqualTo(Decision.DENY);
        assertThat(decide(List.of(), false, "shell.run", "{\"cmd\":\"ls -l\"}").decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void noMatchingRuleIsAskByDefault() {
        assertThat(decide(List.of(), false, "wc", "{\"text\":\"hi\"}")).isEqualTo(new Verdict(Decision.ASK, "default"));
        assertThat(ToolPolicy.of(List.of(), List.of(), false).decide("anything", null))
                .isEqualTo(new Verdict(Decision.ASK, "default"));
    }

    @Test
    void approveAndYoloTurnAskIntoAllowAndSaySo() {
        assertThat(decide(List.of("wc", "fs.write_*"), false, "fs.write_file", "{}"))
                .isEqualTo(new Verdict(Decision.ALLOW, "--approve fs.write_*"));
        assertThat(decide(List.of("fs.write_*"), false, "wc", "{}")).isEqualTo(new Verdict(Decision.ASK, "default"));
        assertThat(decide(List.of(), true, "wc", "{}")).isEqualTo(new Verdict(Decision.ALLOW, "--yolo"));
        assertThat(decide(List.of("w?"), true, "wc", "{}")).isEqualTo(new Verdict(Decision.ALLOW, "--approve w?"));
    }

    @Test
    void aDenyRuleIsNeverOverridden() {
        assertThat(decide(List.of("*", "wc"), true, "wc", "{\"text\":\"rm -rf /\"}"))
                .isEqualTo(new Verdict(Decision.DENY, "tool_policy rule 3 (/c/config.yaml:5)"));
    }

    @Test
    void globsMatchTheWholeNameWithStarAndQuestionMarkOnly() {
        assertThat(ToolPolicy.glob("fs.*").matcher("fs.read_file").matches()).isTrue();
        assertThat(ToolPolicy.glob("fs.*").matcher("fsx.read").matches()).as("the dot is literal").isFalse();
        assertThat(ToolPolicy.glob("fs.*").matcher("web.fs.read").matches()).isFalse();
        assertThat(ToolPolicy.glob("*").matcher("a.b.c").matches()).isTrue();
        assertThat(ToolPolicy.glob("w?").matcher("wc").matches()).isTrue();
        assertThat(ToolPolicy.glob("w?").matcher("wcc").matches()).isFalse();
        assertThat(ToolPolicy.glob("a+(b)").matcher("a+(b)").matches()).as("regex characters are literal").isTrue();
    }

    @Test
    void theListingIgnoresRulesThatDependOnArguments() {
        ToolPolicy policy = ToolPolicy.of(RULES, List.of(), false);
        assertThat(policy.decideAnyArguments("wc")).isEqualTo(new Verdict(Decision.ASK, "default"));
        assertThat(policy.decideAnyArguments("shell.run"))
                .isEqualTo(new Verdict(Decision.DENY, "tool_policy rule 5 (/c/config.yaml:7)"));
    }
}
