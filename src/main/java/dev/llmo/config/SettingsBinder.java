package dev.llmo.config;

import static dev.llmo.config.ConfigFields.error;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns the merged YAML trees into typed {@link Settings}, rejecting anything malformed with its location. */
final class SettingsBinder {
    static final List<String> CONFIG_KEYS = List.of("main_llm", "roles", "chains", "budget", "defaults",
            "mcp_servers", "tools", "tool_policy", "sandbox");
    static final List<String> PROVIDER_KEYS = List.of("type", "base_url", "api_key_name", "api_key_cmd",
            "default_model", "models", "max_concurrency", "batch_discount", "input");
    static final List<String> ROLE_KEYS = List.of("system", "model", "options", "inherits");
    static final Set<String> MODEL_FIELDS = Set.of("name", "aliases", "context_window", "max_output_tokens",
            "default_max_tokens", "pricing", "batch_discount", "input");

    private SettingsBinder() {
    }

    static Settings bind(MapNode config, MapNode models, Map<String, String> env, List<String> files, ConfigDigest digest,
                         ProjectTrust project, List<TrustViolation> untrusted) {
        return bind(config, models, null, env, files, digest, project, untrusted);
    }

    /**
     * @param builtInModels the built-in models.yaml's tree, whose providers no other layer changed (their nodes are
     *                      the same objects in {@code models}) have their models bound when first asked for
     *                      ({@link ModelsBoundLater}); null to bind every model now
     */
    static Settings bind(MapNode config, MapNode models, MapNode builtInModels, Map<String, String> env,
                         List<String> files, ConfigDigest digest, ProjectTrust project, List<TrustViolation> untrusted) {
        ConfigFields.onlyKeys(config, "config.yaml", CONFIG_KEYS);
        Long defaultMaxTokens = defaultMaxTokens(config.get("defaults"));
        ModelCatalog catalog = new ModelCatalog(providers(models, builtInModels, defaultMaxTokens), defaultMaxTokens);
        ConfigNode mainModel = config.get("main_llm");
        String envModel = env.get("LLMO_MODEL");
        if (envModel != null && !envModel.isBlank()) {
            mainModel = new ScalarNode(envModel, Origin.of(ConfigLayer.ENV, "LLMO_MODEL"));
        }
        return new Settings(catalog, mainModel, roles(config.get("roles")), chains(config.get("chains")),
                budget(config.get("budget")), files, digest, project, untrusted, tools(config));
    }

    /** {@code defaults: { max_tokens: N }}: the answer's limit of a request that sets none; null when unset. */
    private static Long defaultMaxTokens(ConfigNode node) {
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        MapNode map = ConfigFields.map(node, "defaults");
        ConfigFields.onlyKeys(map, "defaults", List.of("max_tokens"));
        return ConfigFields.positiveLong(map, "max_tokens", "defaults", 4096);
    }

    private static Map<String, ProviderConfig> providers(MapNode models, MapNode builtInModels, Long defaultMaxTokens) {
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        // loops, not forEach with lambdas, in this class: each lambda linked costs start-up ~0.3 ms (ADR-003)
        for (Map.Entry<String, ConfigNode> entry : models.entries().entrySet()) {
            if (entry.getValue() instanceof ScalarNode s && s.value() == null) {
                continue; // "groq: ~" in a higher layer removes a provider
            }
            boolean builtIn = builtInModels != null && builtInModels.entries().get(entry.getKey()) == entry.getValue();
            providers.put(entry.getKey(), provider(entry.getKey(), entry.getValue(), defaultMaxTokens, builtIn));
        }
        return providers;
    }

    private static ProviderConfig provider(String name, ConfigNode node, Long defaultMaxTokens) {
        return provider(name, node, defaultMaxTokens, false);
    }

    /**
     * @param builtIn whether {@code node} is the built-in file's, unchanged by any other layer: the build checks its
     *                models ({@code BuiltInConfigurationTest}), so they are bound when first asked for; a run names
     *                one model, and binding the ~30 built-in ones was ~3 ms of its main thread (ADR-003,
     *                "Twenty-first round")
     */
    private static ProviderConfig provider(String name, ConfigNode node, Long defaultMaxTokens, boolean builtIn) {
        String what = "provider '" + name + "'";
        MapNode map = ConfigFields.map(node, what);
        if (name.isBlank() || name.contains("/")) {
            throw error(node, "provider name '" + name + "' must be non-empty and contain no '/'");
        }
        ConfigFields.onlyKeys(map, what, PROVIDER_KEYS);
        ProviderType type = type(name, map);
        String baseUrl = ConfigFields.requiredString(map, "base_url", what);
        ConfigFields.httpUrl(map.get("base_url"), "base_url", baseUrl, null);
        ConfigNode modelsNode = map.get("models");
        BigDecimal batchDiscount = batchDiscount(map, what);
        java.util.Set<String> providerInput = input(map, what);
        List<ModelSpec> specs;
        String firstModel;
        if (builtIn && modelsNode instanceof ListNode list) {
            specs = new ModelsBoundLater(name, list, defaultMaxTokens, batchDiscount, providerInput);
            firstModel = list.items().isEmpty() ? null : nameOf(list.items().get(0));
        } else {
            specs = models(name, modelsNode, what, defaultMaxTokens, batchDiscount, providerInput);
            firstModel = specs.isEmpty() ? null : specs.get(0).name();
        }
        String defaultModel = ConfigFields.string(map, "default_model", what);
        if (defaultModel == null) {
            defaultModel = firstModel;
        }
        Long maxConcurrency = ConfigFields.positiveLong(map, "max_concurrency", what, 4);
        return new ProviderConfig(name, type, stripTrailingSlash(baseUrl), ConfigFields.string(map, "api_key_name", what),
                ConfigFields.string(map, "api_key_cmd", what), defaultModel, specs,
                maxConcurrency == null ? null : Math.toIntExact(Math.min(maxConcurrency, 1024)), map.origin());
    }

    private static List<ModelSpec> models(String name, ConfigNode modelsNode, String what, Long defaultMaxTokens,
                                          BigDecimal batchDiscount, java.util.Set<String> providerInput) {
        List<ModelSpec> specs = new ArrayList<>();
        if (modelsNode instanceof ListNode list) {
            for (ConfigNode item : list.items()) {
                ModelSpec spec = model(name, item, defaultMaxTokens, batchDiscount);
                specs.add(spec.input() != null || providerInput == null ? spec : new ModelSpec(spec.name(),
                        spec.aliases(), spec.contextWindow(), spec.maxOutputTokens(), spec.defaultMaxTokens(),
                        spec.pricing(), spec.options(), spec.origin(), providerInput));
            }
        } else if (modelsNode != null && !(modelsNode instanceof ScalarNode s && s.value() == null)) {
            throw error(modelsNode, "'models' of " + what + " must be a list, not " + modelsNode.kind());
        }
        distinctNames(name, specs);
        return specs;
    }

    /** A model entry's name as written ({@code - gpt-4o} or {@code - name: gpt-4o}); null when it has none. */
    private static String nameOf(ConfigNode entry) {
        if (entry instanceof ScalarNode s) {
            return s.value() instanceof String name ? name : null;
        }
        return entry instanceof MapNode map && map.get("name") instanceof ScalarNode s && s.value() instanceof String n
                ? n : null;
    }

    /**
     * The models of a built-in provider, bound from its tree when first read, as {@link #models} binds them now: a
     * run asks for those of the provider it calls, and commands that list models (or a bare model name to resolve)
     * for every provider's.
     */
    static final class ModelsBoundLater extends java.util.AbstractList<ModelSpec> implements java.util.RandomAccess {
        private final String provider;
        private final ListNode entries;
        private final Long defaultMaxTokens;
        private final BigDecimal batchDiscount;
        private final java.util.Set<String> providerInput;
        private List<ModelSpec> bound;

        ModelsBoundLater(String provider, ListNode entries, Long defaultMaxTokens, BigDecimal batchDiscount,
                         java.util.Set<String> providerInput) {
            this.provider = provider;
            this.entries = entries;
            this.defaultMaxTokens = defaultMaxTokens;
            this.batchDiscount = batchDiscount;
            this.providerInput = providerInput;
        }

        private synchronized List<ModelSpec> bound() {
            if (bound == null) {
                bound = List.copyOf(models(provider, entries, "provider '" + provider + "'", defaultMaxTokens,
                        batchDiscount, providerInput));
            }
            return bound;
        }

        @Override
        public ModelSpec get(int index) {
            return bound().get(index);
        }

        @Override
        public int size() {
            return bound().size();
        }
    }

    /**
     * Refuses a name or alias that two models of one provider share: a reference to it could mean either, and is
     * better reported here, at the entry, than as "listed under several providers" when it is used.
     */
    private static void distinctNames(String provider, List<ModelSpec> specs) {
        Map<String, ModelSpec> owners = new java.util.HashMap<>();
        for (ModelSpec spec : specs) {
            for (String name : new java.util.LinkedHashSet<>(concat(spec.name(), spec.aliases()))) {
                ModelSpec first = owners.putIfAbsent(name, spec);
                if (first == null) {
                    continue;
                }
                boolean same = first.name().equals(spec.name());
                throw new ConfigException(spec.origin().where() + ": " + (same ? "model '" + name + "' is listed "
                        + "twice under provider '" + provider + "'" : "'" + name + "' names two models of provider '"
                        + provider + "': " + provider + "/" + first.name() + " and " + provider + "/" + spec.name())
                        + " (the first at " + first.origin().line() + ":" + first.origin().column() + ")", same ? "remove one of the two entries"
                        : "give each name and alias to one model");
            }
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static ProviderType type(String name, MapNode map) {
        ConfigNode typeNode = map.get("type");
        if (typeNode == null) {
            return ProviderType.fromId(name).orElseThrow(() -> new ConfigException(map.origin().where()
                    + ": provider '" + name + "' needs a type", "add 'type: openai' (any OpenAI-compatible server), "
                    + "'type: anthropic' or 'type: gemini'"));
        }
        String id = ConfigFields.string(map, "type", "provider '" + name + "'");
        java.util.Optional<ProviderType> type = ProviderType.fromId(id);
        if (type.isPresent()) {
            return type.get();
        }
        String hint = NameSuggestions.didYouMean(id, ProviderType.ids());
        throw new ConfigException(typeNode.origin().where() + ": unknown provider type '" + id + "'"
                + (hint.isEmpty() ? "" : " (" + hint + ")"), "the types are " + String.join(", ", ProviderType.ids())
                + " (openai covers every OpenAI-compatible server)");
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * {@code batch_discount} of a provider or a model: the fraction of the price the provider's batch service takes
     * off (0.5: half price); null when not set.
     */
    static BigDecimal batchDiscount(MapNode map, String what) {
        BigDecimal discount = ConfigFields.nonNegativeDecimal(map, "batch_discount", what);
        if (discount != null && discount.compareTo(BigDecimal.ONE) > 0) {
            throw error(map.get("batch_discount"), "'batch_discount' of " + what + " must be between 0 and 1 (the "
                    + "fraction of the price a batch takes off: 0.5 is half price), got " + discount.toPlainString());
        }
        return discount;
    }

    /** A model entry as written, without config.yaml's default answer limit. */
    static ModelSpec model(String provider, ConfigNode node) {
        return model(provider, node, null, null);
    }

    /**
     * @param defaultMaxTokens config.yaml's {@code defaults.max_tokens}, beneath the entry's own
     * @param batchDiscount    the provider's {@code batch_discount}, beneath the entry's own and its explicit
     *                         {@code pricing.batch}; null when not set
     */
    static ModelSpec model(String provider, ConfigNode node, Long defaultMaxTokens, BigDecimal batchDiscount) {
        if (node instanceof ScalarNode s && s.value() instanceof String name && !name.isBlank()) {
            return new ModelSpec(name, List.of(), null, null, defaultMaxTokens, null, Map.of(), node.origin());
        }
        MapNode map = ConfigFields.map(node, "a model of provider '" + provider + "'");
        String named = map.get("name") instanceof ScalarNode s && s.value() instanceof String n ? n : null;
        // before 'name' is required: {nmae: m1} is a typo to name, not a missing name
        ConfigFields.noMisspelledKeys(map, named == null ? "a model of provider '" + provider + "'"
                : "model '" + provider + "/" + named + "'", MODEL_FIELDS, "any other key is sent with every request "
                + "as an option");
        String name = ConfigFields.requiredString(map, "name", "a model of provider '" + provider + "'");
        String what = "model '" + provider + "/" + name + "'";
        Pricing pricing = null;
        BigDecimal discount = batchDiscount(map, what);
        ConfigNode pricingNode = map.get("pricing");
        if (pricingNode != null && !(pricingNode instanceof ScalarNode s && s.value() == null)) {
            MapNode p = ConfigFields.map(pricingNode, "'pricing' of " + what);
            ConfigFields.onlyKeys(p, "'pricing' of " + what, List.of("input_per_mtok", "output_per_mtok",
                    "cached_input_per_mtok", "cache_write_per_mtok", "batch"));
            pricing = prices(p, pricingNode, "'pricing' of " + what, what);
            ConfigNode batchNode = p.get("batch");
            if (batchNode != null && !(batchNode instanceof ScalarNode s && s.value() == null)) {
                MapNode b = ConfigFields.map(batchNode, "'pricing.batch' of " + what);
                ConfigFields.onlyKeys(b, "'pricing.batch' of " + what, List.of("input_per_mtok", "output_per_mtok",
                        "cached_input_per_mtok", "cache_write_per_mtok"));
                pricing = pricing.withBatch(prices(b, batchNode, "'pricing.batch' of " + what, what));
            } else if (discount != null || batchDiscount != null) {
                pricing = pricing.withBatchDiscount(discount != null ? discount : batchDiscount);
            }
        }
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> entry : map.entries().entrySet()) {
            if (!MODEL_FIELDS.contains(entry.getKey())) {
                options.put(entry.getKey(), ConfigFields.plain(entry.getValue()));
            }
        }
        Long own = ConfigFields.positiveLong(map, "default_max_tokens", what, 4096);
        return new ModelSpec(name, ConfigFields.strings(map, "aliases", what),
                ConfigFields.positiveLong(map, "context_window", what, 128000),
                ConfigFields.positiveLong(map, "max_output_tokens", what, 16384), own != null ? own : defaultMaxTokens,
                pricing, options, node.origin(), input(map, what));
    }

    /** {@code input: [text, image, pdf, audio]} of a model or provider; null when not set (unknown). */
    private static java.util.Set<String> input(MapNode map, String what) {
        if (map.get("input") == null) {
            return null;
        }
        List<String> kinds = ConfigFields.strings(map, "input", what);
        for (String kind : kinds) {
            if (!ModelSpec.INPUT_KINDS.contains(kind)) {
                String hint = NameSuggestions.didYouMean(kind, ModelSpec.INPUT_KINDS);
                throw error(map.get("input"), "unknown input kind '" + kind + "' in 'input' of " + what
                        + (hint.isEmpty() ? "" : " (" + hint + ")") + "; the kinds are "
                        + String.join(", ", ModelSpec.INPUT_KINDS));
            }
        }
        return new java.util.LinkedHashSet<>(kinds);
    }

    /** The four prices of a {@code pricing} map (or of its {@code batch}); input and output are required. */
    private static Pricing prices(MapNode p, ConfigNode node, String where, String what) {
        Pricing pricing = new Pricing(ConfigFields.nonNegativeDecimal(p, "input_per_mtok", what),
                ConfigFields.nonNegativeDecimal(p, "output_per_mtok", what),
                ConfigFields.nonNegativeDecimal(p, "cached_input_per_mtok", what),
                ConfigFields.nonNegativeDecimal(p, "cache_write_per_mtok", what));
        if (pricing.inputPerMtok() == null || pricing.outputPerMtok() == null) {
            throw error(node, where + " needs both input_per_mtok and output_per_mtok");
        }
        return pricing;
    }

    private static Map<String, Role> roles(ConfigNode node) {
        Map<String, Role> roles = new LinkedHashMap<>();
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return roles;
        }
        for (Map.Entry<String, ConfigNode> entry : ConfigFields.map(node, "roles").entries().entrySet()) {
            String name = entry.getKey();
            ConfigNode value = entry.getValue();
            String what = "role '" + name + "'";
            MapNode map = ConfigFields.map(value, what);
            ConfigFields.onlyKeys(map, what, ROLE_KEYS);
            String system = ConfigFields.string(map, "system", what);
            String inherits = ConfigFields.string(map, "inherits", what);
            if (system == null && inherits == null) {
                throw error(value, what + " needs 'system' (its system prompt) or 'inherits'");
            }
            Map<String, Object> options = new LinkedHashMap<>();
            ConfigNode optionsNode = map.get("options");
            if (optionsNode != null) {
                for (Map.Entry<String, ConfigNode> option
                        : ConfigFields.map(optionsNode, "'options' of " + what).entries().entrySet()) {
                    options.put(option.getKey(), ConfigFields.plain(option.getValue()));
                }
            }
            roles.put(name, new Role(name, system, ConfigFields.string(map, "model", what), options, inherits,
                    value.origin(), inherits == null ? null : map.get("inherits").origin()));
        }
        return roles;
    }

    private static Map<String, ConfigNode> chains(ConfigNode node) {
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return Map.of();
        }
        return new LinkedHashMap<>(ConfigFields.map(node, "chains").entries());
    }

    // most configurations set no tools: their binder (its patterns, its JSON) is then never loaded (ADR-003)
    private static ToolSettings tools(MapNode config) {
        for (String key : ToolSettings.KEYS) {
            if (config.get(key) != null) {
                return ToolSettingsBinder.bind(config);
            }
        }
        return ToolSettings.NONE;
    }

    private static Budget budget(ConfigNode node) {
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return Budget.NONE;
        }
        MapNode map = ConfigFields.map(node, "budget");
        ConfigFields.onlyKeys(map, "budget", List.of("per_run_usd", "daily_usd"));
        return new Budget(ConfigFields.nonNegativeDecimal(map, "per_run_usd", "budget"),
                ConfigFields.nonNegativeDecimal(map, "daily_usd", "budget"));
    }
}
