package dev.llmo.config;

import java.util.List;
import java.util.Optional;

/**
 * A provider of models.yaml: where it is, how it authenticates, which models it has.
 *
 * @param apiKeyName  the env var and vault entry holding the key; null for keyless local servers
 * @param apiKeyCmd   a command that prints the key (e.g. {@code pass show openai}); null when not set
 * @param maxConcurrency at most this many calls to this provider at once; null for no limit
 */
public record ProviderConfig(String name, ProviderType type, String baseUrl, String apiKeyName, String apiKeyCmd,
                             String defaultModel, List<ModelSpec> models, Integer maxConcurrency, Origin origin) {
    public ProviderConfig {
        models = models instanceof SettingsBinder.ModelsBoundLater ? models : List.copyOf(models);
    }

    public Optional<ModelSpec> model(String modelName) {
        for (ModelSpec model : models) { // a loop, not a stream: this runs in every call's start-up (ADR-003)
            if (model.name().equals(modelName)) {
                return Optional.of(model);
            }
        }
        return Optional.empty();
    }
}
