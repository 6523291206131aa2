package dev.llmo.config;

import java.util.Objects;

/**
 * One {@code tool_policy:} rule: a tool-name glob ({@code fs.read_*}, {@code *}), an optional regular expression
 * searched in the call's arguments (JSON text), and what happens to a call that matches.
 */
public record PolicyRule(String toolGlob, String argsMatch, Decision decision, Origin origin) {

    /** What a rule decides: run the call, ask a person, or refuse it. */
    public enum Decision { ALLOW, ASK, DENY }

    public PolicyRule {
        Objects.requireNonNull(toolGlob, "toolGlob");
        Objects.requireNonNull(decision, "decision");
    }
}
