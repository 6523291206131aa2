package dev.llmo.engine;

import dev.llmo.core.CallId;
import dev.llmo.tool.Tool;

/**
 * Decides whether a tool call the model asked for may run: the policy's rules, the run's flags, or a person asked on
 * the terminal. Called on the call's tool-loop thread, once per tool call, before anything runs; a gate that asks a
 * person must take one question at a time, since several calls may ask at once.
 */
@FunctionalInterface
public interface ToolGate {
    /** Allows everything, as {@code --yolo} does. */
    ToolGate ALLOW_ALL = (call, tool, arguments) -> new Approval(true, "--yolo");

    Approval decide(CallId call, Tool tool, String argumentsJson);

    /**
     * @param decidedBy what decided, for the log and the model: {@code tool_policy rule 2 (file:line)},
     *                  {@code --approve fs.*}, {@code --yolo}, {@code you}
     */
    record Approval(boolean allowed, String decidedBy) {
        /** {@link #decidedBy} of a decision the person made, asked on the terminal. */
        public static final String BY_PERSON = "you";

        /** Whether the person decided (rather than a rule, a flag, or the want of a terminal to ask on). */
        public boolean byPerson() {
            return BY_PERSON.equals(decidedBy);
        }
    }
}
