package dev.llmo.config;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every configured provider and model, and the resolution of model references. A reference is, in this order:
 * {@code provider/model} with the model listed under that provider; an alias or a bare model name listed under
 * exactly one provider (model names may themselves contain {@code / : + . @}); a provider name alone (its default
 * model); {@code provider/anything} (sent as is, nothing known about it).
 */
public final class ModelCatalog {
    private final Map<String, ProviderConfig> providers;
    private final Long defaultMaxTokens;

    public ModelCatalog(Map<String, ProviderConfig> providers) {
        this(providers, null);
    }

    /** @param defaultMaxTokens config.yaml's {@code defaults.max_tokens}, for the models models.yaml does not list */
    public ModelCatalog(Map<String, ProviderConfig> providers, Long defaultMaxTokens) {
        this.providers = new LinkedHashMap<>(providers);
        this.defaultMaxTokens = defaultMaxTokens;
    }

    public Collection<ProviderConfig> providers() {
        return providers.values();
    }

    public ModelRef resolve(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new UsageException("empty model name", "write a model as provider/model, e.g. openai/gpt-4o-mini");
        }
        String ref = reference.strip();
        int slash = ref.indexOf('/');
        ProviderConfig prefixed = slash > 0 ? providers.get(ref.substring(0, slash)) : null;
        if (prefixed != null) {
            var listed = prefixed.model(ref.substring(slash + 1));
            if (listed.isPresent()) {
                return new ModelRef(prefixed, listed.get());
            }
        }
        List<ModelRef> matches = new ArrayList<>();
        for (ProviderConfig provider : providers.values()) {
            for (ModelSpec spec : provider.models()) {
                if (spec.name().equals(ref) || spec.aliases().contains(ref)) {
                    matches.add(new ModelRef(provider, spec));
                }
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.size() > 1) {
            throw new ConfigException("model '" + ref + "' is listed under several providers: "
                    + String.join(", ", matches.stream().map(ModelRef::id).toList()),
                    "name the provider, e.g. '" + matches.get(0).id() + "'");
        }
        ProviderConfig provider = providers.get(ref);
        if (provider != null) {
            return defaultModelOf(provider);
        }
        if (prefixed != null && slash < ref.length() - 1) {
            return new ModelRef(prefixed, ModelSpec.unlisted(ref.substring(slash + 1), prefixed.origin(), defaultMaxTokens));
        }
        String hint = NameSuggestions.didYouMeanShown(suggestionsFor(ref));
        throw new ConfigException("unknown model '" + ref + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                slash > 0 ? "'" + ref.substring(0, slash) + "' is not a configured provider; 'llmo models' lists them"
                        : "'llmo models' lists the configured models; any model works as provider/model");
    }

    private ModelRef defaultModelOf(ProviderConfig provider) {
        if (provider.defaultModel() == null) {
            throw new ConfigException("provider '" + provider.name() + "' has no default model",
                    "name a model (" + provider.name() + "/MODEL) or add 'default_model:' to it in models.yaml ("
                            + provider.origin().where() + ")");
        }
        return new ModelRef(provider, provider.model(provider.defaultModel())
                .orElse(ModelSpec.unlisted(provider.defaultModel(), provider.origin(),
                        defaultMaxTokens)));
    }

    /**
     * The references close to {@code ref}, as shown: {@code 'provider/model'}, or {@code 'alias' (provider/model)}
     * when it is an alias that is close, so that the user sees why it was offered. Weak matches are left out
     * ({@link NameSuggestions#likelyTypo}): a wrong model guessed is worse than none.
     */
    private List<String> suggestionsFor(String ref) {
        Map<String, String> idFor = new LinkedHashMap<>();
        Set<String> aliases = new java.util.HashSet<>();
        for (ProviderConfig provider : providers.values()) {
            idFor.putIfAbsent(provider.name(), provider.name());
            for (ModelSpec spec : provider.models()) {
                String id = provider.name() + "/" + spec.name();
                idFor.putIfAbsent(id, id);
                idFor.putIfAbsent(spec.name(), id);
                for (String alias : spec.aliases()) {
                    if (idFor.putIfAbsent(alias, id) == null) {
                        aliases.add(alias);
                    }
                }
            }
        }
        Set<String> ids = new LinkedHashSet<>();
        List<String> shown = new ArrayList<>();
        for (String close : NameSuggestions.closest(ref, idFor.keySet(), 6)) {
            String id = idFor.get(close);
            if (shown.size() < 3 && NameSuggestions.likelyTypo(ref, close) && ids.add(id)) {
                shown.add(aliases.contains(close) ? "'" + close + "' (" + id + ")" : "'" + id + "'");
            }
        }
        return shown;
    }

    /** Every name a user can type: providers, provider/model and aliases (for suggestions and completion). */
    public Set<String> references() {
        Set<String> names = new LinkedHashSet<>();
        for (ProviderConfig provider : providers.values()) {
            names.add(provider.name());
            for (ModelSpec spec : provider.models()) {
                names.add(provider.name() + "/" + spec.name());
                names.addAll(spec.aliases());
            }
        }
        return names;
    }
}
