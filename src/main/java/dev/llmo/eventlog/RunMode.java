package dev.llmo.eventlog;

import java.util.Locale;

/**
 * How a part of a conversation runs its models, recorded in its {@code session.start} ({@code mode}) so that
 * continuing, showing and replaying it never guess from the command's text.
 */
public enum RunMode {
    /** One model, one call per prompt. */
    SINGLE,
    /** Every model gets the same request at once (a fan-out). */
    PARALLEL,
    /** Each model gets the previous model's answer; the last answer is the output (a pipeline). */
    SEQUENTIAL,
    /** A chain's steps. */
    CHAIN,
    /** A chat session, turn by turn. */
    CHAT,
    /** A dataset run. */
    BATCH;

    /** The identifier written in the log: {@code single}, {@code parallel}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of an identifier written by {@link #id()}, or null for one this llmo does not know. */
    public static RunMode fromId(String id) {
        for (RunMode mode : values()) {
            if (mode.id().equals(id)) {
                return mode;
            }
        }
        return null;
    }

    /**
     * The mode of a version 1 {@code session.start}, which recorded only the command: the command's words are all
     * that said it, so this is the one place that reads them.
     */
    static RunMode ofV1Command(String command) {
        if (command.startsWith("chain run")) {
            return CHAIN;
        }
        if (command.equals("chat") || command.startsWith("chat ")) {
            return CHAT;
        }
        if (command.endsWith("--parallel")) {
            return PARALLEL;
        }
        if (command.endsWith("--sequential")) {
            return SEQUENTIAL;
        }
        return SINGLE;
    }
}
