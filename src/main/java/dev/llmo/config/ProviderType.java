package dev.llmo.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The wire formats llmo speaks. {@code openai} covers every OpenAI-compatible server. */
public enum ProviderType {
    OPENAI, ANTHROPIC, GEMINI;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The type named {@code id}. A loop: every provider of the configuration is read with it, and a stream's {@code
     * findFirst} sets up the JDK's find operations, whose lambdas the class archive does not hold: two classes
     * generated at run time, ~6 ms of every model call's warm-up (ADR-003, "Sixteenth round").
     */
    public static Optional<ProviderType> fromId(String id) {
        for (ProviderType type : values()) {
            if (type.id().equals(id)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(ProviderType::id).toList();
    }
}
