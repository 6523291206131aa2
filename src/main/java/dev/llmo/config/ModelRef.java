package dev.llmo.config;

/**
 * A model reference resolved to one provider and one model name, written {@code provider/model}.
 *
 * @param spec what models.yaml says about the model; {@link ModelSpec#unlisted} when it is not listed
 */
public record ModelRef(ProviderConfig provider, ModelSpec spec) {

    public String modelName() {
        return spec.name();
    }

    /** The canonical name, {@code provider/model}. */
    public String id() {
        return provider.name() + "/" + spec.name();
    }

    @Override
    public String toString() {
        return id();
    }
}
