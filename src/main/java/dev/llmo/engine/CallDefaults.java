package dev.llmo.engine;

import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models, system prompt and options of a call, from what the user gave, the role and the configuration: one
 * resolution, so that {@code run}, {@code chat} and a chain's steps mean the same by the same flags.
 *
 * @param models       the models, in the order given; never empty
 * @param defaultModel whether the configured default model was taken because nothing else named one
 * @param system       the role's system prompt, then the user's, joined; null when there is neither
 * @param options      the role's request options, overridden by the user's
 */
public record CallDefaults(List<ModelRef> models, boolean defaultModel, String system, Map<String, Object> options) {
    public CallDefaults {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a call needs a model");
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * Resolves a call's defaults. Models: every one the user named, else the role's model, else {@code continued}'s
     * (a continued conversation keeps its own model, never silently another provider's default), else the
     * configured default.
     *
     * @param named     model references the user gave ({@code -m}, a chain step's {@code model:}), possibly none
     * @param role      the role, or null
     * @param system    the user's system prompt ({@code -s}), or null
     * @param options   the user's request options ({@code -o}), over the role's
     * @param continued the model of the conversation being continued, or null when none is
     */
    public static CallDefaults resolve(Settings settings, List<String> named, Role role, String system,
                                       Map<String, Object> options, Supplier<ModelRef> continued) {
        List<ModelRef> models;
        boolean byDefault = false;
        if (!named.isEmpty()) {
            List<ModelRef> resolved = new java.util.ArrayList<>(named.size());
            for (String name : named) {
                resolved.add(settings.catalog().resolve(name));
            }
            models = List.copyOf(resolved);
        } else if (role != null && role.model() != null) {
            models = List.of(settings.catalog().resolve(role.model()));
        } else if (continued != null) {
            models = List.of(continued.get());
        } else {
            models = List.of(settings.defaultModel());
            byDefault = true;
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        if (role != null) {
            // the role's own mistake (exit 3, at its place), not one of the command line's -o
            dev.llmo.provider.http.CanonicalOptions.checkConfigured(role.options(), role.origin().where(),
                    "role '" + role.name() + "'", "change it in the role's options");
            merged.putAll(role.options());
        }
        merged.putAll(options);
        return new CallDefaults(models, byDefault, system(role, system), merged);
    }

    /** The first (or only) model. */
    public ModelRef model() {
        return models.get(0);
    }

    /** The role's system prompt, then the user's: both apply; null when there is neither. */
    private static String system(Role role, String given) {
        List<String> parts = new ArrayList<>();
        if (role != null && role.system() != null && !role.system().isBlank()) {
            parts.add(role.system());
        }
        if (given != null && !given.isBlank()) {
            parts.add(given);
        }
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }
}
