package dev.llmo.config;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merged configuration of every layer: models, the default model, roles, chains and budgets.
 *
 * @param mainModel the {@code main_llm} node (a mapping {provider, model} or a model reference), or null
 * @param chains    chain definitions as written; their grammar belongs to the chain runner
 * @param files     the files that were read, lowest layer first
 * @param filesDigest {@code sha256:} of the names and contents of those files (no secrets live there): which
 *                  configuration a conversation ran with; {@link #digest()} reads it
 * @param project   the project layer (the nearest {@code .llmo/}) and whether it is trusted; null when none
 * @param untrusted what the untrusted project layer sets that it may not (empty when trusted or harmless)
 * @param tools     MCP servers, command tools, the tool policy and the sandbox
 */
public record Settings(ModelCatalog catalog, ConfigNode mainModel, Map<String, Role> roles,
                       Map<String, ConfigNode> chains, Budget budget, List<String> files, ConfigDigest filesDigest,
                       ProjectTrust project, List<TrustViolation> untrusted, ToolSettings tools) {

    public Settings {
        roles = new LinkedHashMap<>(roles);
        chains = new LinkedHashMap<>(chains);
        files = List.copyOf(files);
        untrusted = List.copyOf(untrusted);
    }

    Settings withUntrusted(List<TrustViolation> violations) {
        return new Settings(catalog, mainModel, roles, chains, budget, files, filesDigest, project, violations, tools);
    }

    /** {@code sha256:} of the files that were read: which configuration a conversation ran with. */
    public String digest() {
        return filesDigest.value();
    }

    /**
     * Stops llmo before it resolves a key or sends anything when the untrusted project layer sets something only
     * a trusted layer may: the first such setting, with its file:line and the {@code llmo trust} fix.
     */
    public void requireTrusted() {
        if (!untrusted.isEmpty()) {
            throw untrusted.get(0).error(project);
        }
    }

    /** The model to use when none is named: {@code main_llm}, or {@code LLMO_MODEL} when set. */
    public ModelRef defaultModel() {
        if (mainModel == null || mainModel instanceof ScalarNode s && s.value() == null) {
            throw new ConfigException("no default model is configured",
                    "pass -m provider/model, or set main_llm in config.yaml (see 'llmo models')");
        }
        String reference;
        if (mainModel instanceof MapNode map) {
            ConfigFields.onlyKeys(map, "main_llm", List.of("provider", "model"));
            String provider = ConfigFields.requiredString(map, "provider", "main_llm");
            String model = ConfigFields.string(map, "model", "main_llm");
            reference = model == null ? provider : provider + "/" + model;
        } else if (mainModel instanceof ScalarNode s && s.value() instanceof String text) {
            reference = text;
        } else {
            throw ConfigFields.error(mainModel, "main_llm must be {provider: NAME, model: NAME} or provider/model");
        }
        try {
            return catalog.resolve(reference);
        } catch (ConfigException e) {
            String setting = mainModel.origin().line() > 0 ? ": main_llm: " : ": ";
            throw new ConfigException(mainModel.origin().where() + setting + e.getMessage(), e.fix(), e);
        }
    }

    /** The role of that name (case-insensitive) with everything it inherits folded in. */
    public Role role(String name) {
        return effectiveRole(lookupRole(name, null), new LinkedHashSet<>());
    }

    private Role lookupRole(String name, Role child) {
        Role exact = roles.get(name);
        if (exact != null) {
            return exact;
        }
        for (Role role : roles.values()) {
            if (role.name().equalsIgnoreCase(name)) {
                return role;
            }
        }
        // a role cannot inherit itself: never offered as the one meant
        List<String> others = roles.keySet().stream().filter(r -> child == null || !r.equals(child.name())).toList();
        String hint = NameSuggestions.didYouMean(name, others);
        String prefix = child == null ? ""
                : (child.inheritsOrigin() != null ? child.inheritsOrigin() : child.origin()).where() + ": role '"
                        + child.name() + "' inherits ";
        throw new ConfigException(prefix + "unknown role '" + name + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                (roles.isEmpty() ? "no roles are defined" : "the roles are " + String.join(", ", roles.keySet()))
                        + "; add roles under 'roles:' in config.yaml");
    }

    private Role effectiveRole(Role role, Set<String> seen) {
        if (!seen.add(role.name())) {
            throw new ConfigException(role.origin().where() + ": roles inherit in a circle: "
                    + String.join(" -> ", seen) + " -> " + role.name(), "remove one of the 'inherits'");
        }
        if (role.inherits() == null) {
            return role;
        }
        Role parent = effectiveRole(lookupRole(role.inherits(), role), seen);
        List<String> prompts = new ArrayList<>();
        if (parent.system() != null) {
            prompts.add(parent.system());
        }
        if (role.system() != null) {
            prompts.add(role.system());
        }
        Map<String, Object> options = new LinkedHashMap<>(parent.options());
        options.putAll(role.options());
        return new Role(role.name(), String.join("\n\n", prompts), role.model() != null ? role.model() : parent.model(),
                options, null, role.origin(), null);
    }

    /** The chain definition of that name, as written in config.yaml. */
    public ConfigNode chain(String name) {
        ConfigNode chain = chains.get(name);
        if (chain == null) {
            String hint = NameSuggestions.didYouMean(name, chains.keySet());
            throw new ConfigException("unknown chain '" + name + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                    chains.isEmpty() ? "define chains under 'chains:' in config.yaml"
                            : "'llmo chain list' shows the chains defined in config.yaml");
        }
        return chain;
    }
}
