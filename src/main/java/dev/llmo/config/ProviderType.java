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

    public static Optional<ProviderType> fromId(String id) {
        return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(ProviderType::id).toList();
    }
}
