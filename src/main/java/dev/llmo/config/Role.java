package dev.llmo.config;

import java.util.Map;

/**
 * A role (a.k.a. mode): a system prompt with an optional model and default options.
 *
 * @param model a model reference, or null to use the run's model
 * @param inherits the role whose system prompt and options this one extends, or null
 * @param inheritsOrigin where {@code inherits} is written (an unknown parent is reported there), or null
 */
public record Role(String name, String system, String model, Map<String, Object> options, String inherits,
                   Origin origin, Origin inheritsOrigin) {
    public Role {
        options = Map.copyOf(options);
    }
}
