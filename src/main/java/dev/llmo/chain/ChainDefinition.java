package dev.llmo.chain;

import dev.llmo.config.Origin;
import java.util.List;

/** A chain of config.yaml, in either form, parsed and checked for syntax. Immutable. */
public record ChainDefinition(String name, String description, List<ChainStep> steps, Origin origin) {
    public ChainDefinition {
        steps = List.copyOf(steps);
    }
}
