package dev.llmo.core;

import dev.llmo.config.ModelRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One prompt for one model, as the command line asked for it.
 *
 * @param system  the system prompt (a role's, {@code -s}, or both), or null
 * @param options request options from the role and {@code -o}; the model's defaults from models.yaml go beneath them
 * @param stream  whether to stream the answer
 */
public record RunRequest(ModelRef model, String system, String prompt, Map<String, Object> options, boolean stream) {
    public RunRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }
}
