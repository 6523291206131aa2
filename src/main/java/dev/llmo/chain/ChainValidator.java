package dev.llmo.chain;

import dev.llmo.config.Settings;
import dev.llmo.failure.ConfigException;

/** Checks a parsed chain against the configuration: every model and role it names must exist. */
public final class ChainValidator {
    private ChainValidator() {
    }

    /** The chain of that name, parsed and validated; a {@link ConfigException} names the chain, step and problem. */
    public static ChainDefinition load(Settings settings, String name) {
        ChainDefinition chain = ChainParser.parse(name, settings.chain(name));
        validate(chain, settings);
        return chain;
    }

    public static void validate(ChainDefinition chain, Settings settings) {
        for (ChainStep step : chain.steps()) {
            for (String model : step.models()) {
                try {
                    settings.catalog().resolve(model);
                } catch (ConfigException e) {
                    throw ChainParser.problem(step.origin().where(), chain.name(), step.name(), e.getMessage());
                }
            }
            if (step.role() != null) {
                try {
                    settings.role(step.role());
                } catch (ConfigException e) {
                    throw ChainParser.problem(step.origin().where(), chain.name(), step.name(), e.getMessage());
                }
            }
        }
    }
}
