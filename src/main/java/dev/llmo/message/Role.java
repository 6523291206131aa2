package dev.llmo.message;

import java.util.Locale;

/** Who speaks in a message. */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    /** The identifier written in logs and JSON: {@code system}, {@code user}, {@code assistant}, {@code tool}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of an identifier written by {@link #id()}. */
    public static Role fromId(String id) {
        for (Role role : values()) {
            if (role.id().equals(id)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role: " + id);
    }
}
