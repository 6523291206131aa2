package dev.llmo.tool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.PolicyRule;
import dev.llmo.config.PolicyRule.Decision;
import dev.llmo.json.JsonTrees;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Decides whether a tool call runs (design.md "Tools", issue 16 "Approval"): the {@code tool_policy} rules in order,
 * the first whose tool glob matches the tool's name and whose {@code args_match} (when set) is found in the
 * arguments (as sent and as the tool reads them: {@link ArgumentTexts}) wins; no match is {@code ask}. {@code --approve GLOB} and {@code --yolo} turn an {@code ask}
 * into {@code allow} for one run; a {@code deny} rule is never overridden, not even by {@code --yolo}, so that a
 * user's "never run this" holds for every run and every flag.
 */
public final class ToolPolicy {
    /** Who decided when no rule matched. */
    public static final String DEFAULT = "default";
    /** Who decided when {@code --yolo} allowed an {@code ask}. */
    public static final String YOLO = "--yolo";

    private final List<CompiledRule> rules;
    private final List<String> approveGlobs;
    private final boolean yolo;

    private ToolPolicy(List<CompiledRule> rules, List<String> approveGlobs, boolean yolo) {
        this.rules = rules;
        this.approveGlobs = approveGlobs;
        this.yolo = yolo;
    }

    /**
     * @param rules        {@code tool_policy}, in order (their {@code args_match} were checked when the config was read)
     * @param approveGlobs the run's {@code --approve} values: tool names or globs whose {@code ask} becomes {@code allow}
     * @param yolo         whether every {@code ask} becomes {@code allow}
     */
    public static ToolPolicy of(List<PolicyRule> rules, List<String> approveGlobs, boolean yolo) {
        List<CompiledRule> compiled = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule rule = rules.get(i);
            compiled.add(new CompiledRule(rule, glob(rule.toolGlob()),
                    rule.argsMatch() == null ? null : Pattern.compile(rule.argsMatch()),
                    "tool_policy rule " + (i + 1) + (rule.origin() == null ? "" : " (" + where(rule) + ")")));
        }
        return new ToolPolicy(List.copyOf(compiled), List.copyOf(approveGlobs), yolo);
    }

    private static String where(PolicyRule rule) {
        return rule.origin().line() > 0 ? rule.origin().file() + ":" + rule.origin().line() : rule.origin().file();
    }

    /**
     * What happens to a call of {@code toolName} with these arguments, and who decided it: {@code "default"},
     * {@code "tool_policy rule N (file:line)"}, {@code "--approve GLOB"} or {@code "--yolo"}.
     */
    public Verdict decide(String toolName, String argumentsJson) {
        Objects.requireNonNull(toolName, "toolName");
        String arguments = argumentsJson == null ? "" : argumentsJson;
        ArgumentTexts texts = rules.stream().anyMatch(r -> r.args != null) ? ArgumentTexts.of(arguments) : null;
        Verdict verdict = new Verdict(Decision.ASK, DEFAULT);
        for (CompiledRule rule : rules) {
            if (rule.tool.matcher(toolName).matches()
                    && (rule.args == null || texts.match(rule.args, rule.rule.decision()))) {
                verdict = new Verdict(rule.rule.decision(), rule.name);
                break;
            }
        }
        if (verdict.decision() != Decision.ASK) {
            return verdict;
        }
        for (String approve : approveGlobs) {
            if (glob(approve).matcher(toolName).matches()) {
                return new Verdict(Decision.ALLOW, "--approve " + approve);
            }
        }
        return yolo ? new Verdict(Decision.ALLOW, YOLO) : verdict;
    }

    /**
     * The decision for a tool regardless of arguments, as {@code llmo tools list} shows it: rules with an
     * {@code args_match} only apply to some calls, so they are passed over here.
     */
    public Verdict decideAnyArguments(String toolName) {
        List<CompiledRule> plain = rules.stream().filter(r -> r.args == null).toList();
        return new ToolPolicy(plain, approveGlobs, yolo).decide(toolName, "");
    }

    /** A tool-name glob: {@code *} any run of characters (dots too), {@code ?} exactly one, the rest literal. */
    public static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * One decision and who made it.
     *
     * @param decidedBy {@code "default"}, {@code "tool_policy rule N (file:line)"}, {@code "--approve GLOB"} or
     *                  {@code "--yolo"}: the event log records it and the user sees it
     */
    public record Verdict(Decision decision, String decidedBy) {
        public Verdict {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(decidedBy, "decidedBy");
        }
    }

    private record CompiledRule(PolicyRule rule, Pattern tool, Pattern args, String name) {
    }

    /**
     * The texts an {@code args_match} is looked for in. The model's JSON text may say one thing to a pattern and
     * another to the tool: {@code "rm\u0020-rf"} is {@code rm -rf} once parsed, and of a repeated name the tool gets
     * the later value. So the arguments are also read as the tool reads them: written again ({@code canonical}, names
     * resolved, escapes only where JSON needs them), and each name and string as plain text. A {@code deny} or
     * {@code ask} rule holds when its pattern is found in any of them; an {@code allow} only when it is found both in
     * the text as sent and in the text as read, so that neither can be dressed to pass it.
     */
    private record ArgumentTexts(String raw, String canonical, List<String> strings) {
        static ArgumentTexts of(String raw) {
            JsonNode root;
            try {
                root = JsonTrees.MAPPER_DEFAULTS.read(raw);
            } catch (IOException e) {
                return new ArgumentTexts(raw, raw, List.of()); // not JSON: the tool gets no other reading of it
            }
            List<String> strings = new ArrayList<>();
            ArrayDeque<JsonNode> open = new ArrayDeque<>(List.of(root));
            while (!open.isEmpty()) {
                JsonNode node = open.pop();
                if (node.isTextual()) {
                    strings.add(node.textValue());
                } else if (node.isObject()) {
                    node.fields().forEachRemaining(field -> {
                        strings.add(field.getKey());
                        open.push(field.getValue());
                    });
                } else if (node.isArray()) {
                    node.forEach(open::push);
                }
            }
            return new ArgumentTexts(raw, JsonTrees.write(JsonTrees.PLAIN_FACTORY, root), strings);
        }

        boolean match(Pattern pattern, Decision decision) {
            if (decision == Decision.ALLOW) {
                return pattern.matcher(raw).find() && pattern.matcher(canonical).find();
            }
            return pattern.matcher(raw).find() || pattern.matcher(canonical).find()
                    || strings.stream().anyMatch(text -> pattern.matcher(text).find());
        }
    }
}
