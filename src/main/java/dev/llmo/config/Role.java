package dev.llmo.config;

import java.util.Map;

/**
 * A role (a.k.a. mode): a system prompt with an optional model and default options.
 *
 * @param model a model reference, or null to use the run's model
 * @param inherits the role whose system prompt and options this one extends, or null
 */
public record Role(String name, String system, String model, Map<String, Object> options, String inherits,
                   Origin origin) {
    public Role {
        options = Map.copyOf(options);
    }
}
