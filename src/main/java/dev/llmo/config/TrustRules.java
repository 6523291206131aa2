package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.LlmoException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an untrusted project layer may not set (design.md "Trust"): anything that could send a secret or a prompt
 * somewhere the user did not choose, run a program, or let a run spend more than the user allowed, judged against
 * the merged trusted layers below it. Roles, chains and {@code main_llm} reaching trusted providers, new keyless
 * providers (used through an explicit {@code -m}) and lower budgets are harmless and pass.
 */
final class TrustRules {
    /** Provider keys that decide where a request, and so the key it carries, is sent. */
    private static final List<String> DESTINATION_KEYS = List.of("base_url", "headers");
    private static final List<String> BUDGET_KEYS = List.of("per_run_usd", "daily_usd");

    private TrustRules() {
    }

    static List<TrustViolation> check(MapNode trustedConfig, MapNode trustedModels, MapNode projectConfig,
                                      MapNode projectModels) {
        List<TrustViolation> violations = new ArrayList<>();
        if (projectModels != null) {
            projectModels.entries().forEach((name, node) -> {
                if (node instanceof MapNode provider) {
                    provider(name, trustedModels.get(name) instanceof MapNode t ? t : null, provider, violations);
                }
            });
        }
        if (projectConfig != null) {
            budget(trustedConfig.get("budget"), projectConfig, violations);
            programs(trustedConfig, projectConfig, violations);
        }
        return violations;
    }

    /**
     * Every model reference of the configuration (main_llm, roles, chain steps) must reach a provider of the trusted
     * layers: one that only the project defines would be sent prompts without the user naming it. A reference the
     * user gives in the environment ({@code LLMO_MODEL}) is the user's own choice, like {@code -m}.
     *
     * <p>A reference written in a trusted layer reaches a project-only provider only when the project captured it
     * (a model name such as {@code openai/gpt-5} listed under its own provider); that is reported where the project
     * lists the capturing model.
     */
    static List<TrustViolation> references(List<ModelReferences.Reference> references, ModelCatalog catalog,
                                           MapNode trustedModels) {
        List<TrustViolation> violations = new ArrayList<>();
        for (ModelReferences.Reference reference : references) {
            if (ConfigLayer.ENV.equals(reference.origin().layer())) {
                continue;
            }
            ModelRef model;
            try {
                model = catalog.resolve(reference.reference());
            } catch (LlmoException e) {
                continue; // reported as itself when a command uses the reference
            }
            ProviderConfig provider = model.provider();
            if (trustedModels.get(provider.name()) instanceof MapNode) {
                continue;
            }
            String onlyProject = "provider '" + provider.name() + "', which only the project configuration defines";
            if (ConfigLayer.PROJECT.equals(reference.origin().layer())) {
                violations.add(new TrustViolation(reference.origin(), reference.what() + " to " + onlyProject
                        + " (prompts would go to " + Urls.shown(provider.baseUrl()) + ")"));
            } else {
                Origin listed = ConfigLayer.PROJECT.equals(model.spec().origin().layer()) ? model.spec().origin()
                        : provider.origin();
                violations.add(new TrustViolation(listed, "model '" + model.modelName() + "' of " + onlyProject
                        + ": it takes " + reference.what() + " ('" + reference.reference() + "' at "
                        + reference.origin().where() + ") to " + Urls.shown(provider.baseUrl())));
            }
        }
        return violations;
    }

    /**
     * A model name or alias of a project-only provider that reads as a trusted provider's name or as
     * {@code provider/model} of a model that provider does not list ({@code openai}, {@code openai/gpt-9}) would
     * take what the user types for that provider, even with {@code -m}: a name listed under exactly one provider wins
     * over {@code provider/anything} and over a provider's name.
     */
    static List<TrustViolation> capturedNames(ModelCatalog catalog, MapNode trustedModels) {
        List<TrustViolation> violations = new ArrayList<>();
        for (ProviderConfig provider : catalog.providers()) {
            if (trustedModels.get(provider.name()) instanceof MapNode) {
                continue;
            }
            for (ModelSpec spec : provider.models()) {
                List<String> names = new ArrayList<>(List.of(spec.name()));
                names.addAll(spec.aliases());
                for (String name : names) {
                    int slash = name.indexOf('/');
                    String meant = slash < 0 ? name : name.substring(0, slash);
                    if (trustedModels.get(meant) instanceof MapNode && resolvesTo(catalog, name, provider)) {
                        violations.add(new TrustViolation(spec.origin(), "model name '" + name + "' of provider '"
                                + provider.name() + "', which only the project configuration defines: it would take '"
                                + name + "', meant for provider '" + meant + "', to "
                                + Urls.shown(provider.baseUrl())));
                    }
                }
            }
        }
        return violations;
    }

    private static boolean resolvesTo(ModelCatalog catalog, String name, ProviderConfig provider) {
        try {
            return catalog.resolve(name).provider().name().equals(provider.name());
        } catch (LlmoException e) {
            return false; // listed under several providers: an error, not a capture
        }
    }

    private static void provider(String name, MapNode trusted, MapNode project, List<TrustViolation> violations) {
        MapNode effective = trusted == null ? project : ConfigMerge.merge(trusted, project);
        String what = "provider '" + name + "'";
        if (changes(trusted, project, "api_key_cmd") && isSet(project.get("api_key_cmd"))) {
            violations.add(new TrustViolation(project.keyOrigin("api_key_cmd"),
                    "api_key_cmd of " + what + ", a command llmo would run"));
        }
        if (changes(trusted, project, "api_key_name") && isSet(project.get("api_key_name"))) {
            String keyName = ((ScalarNode) project.get("api_key_name")).text();
            violations.add(new TrustViolation(project.keyOrigin("api_key_name"), trusted == null
                    ? "api_key_name '" + keyName + "' of " + what + ", a new provider that would be sent that secret"
                    : "api_key_name of " + what + " to '" + keyName + "', a secret it would send"));
        }
        boolean keyed = isSet(effective.get("api_key_name")) || isSet(effective.get("api_key_cmd"));
        if (!keyed && trusted == null) {
            return; // a keyless server of the project's own, reached only by an explicit -m
        }
        // Moving a trusted provider, even a keyless one (the user's local ollama), moves every prompt the user
        // sends it, -m included.
        String sent = keyed ? ", which is sent the key " + (isSet(effective.get("api_key_name"))
                ? ((ScalarNode) effective.get("api_key_name")).text() : "of its api_key_cmd")
                : ", where your prompts are sent";
        for (String destination : DESTINATION_KEYS) {
            if (changes(trusted, project, destination)) {
                violations.add(new TrustViolation(project.keyOrigin(destination), destination + " of " + what + sent));
            }
        }
        // the wire format says where on the host a request goes and how its key travels (a header, or Gemini's in
        // the URL); a new provider's is part of what its base_url already needs trust for
        if (trusted != null && changes(trusted, project, "type")) {
            violations.add(new TrustViolation(project.keyOrigin("type"), "type of " + what + sent));
        }
    }

    /** Budgets may only be lowered: a higher or removed limit could spend more than the user allowed. */
    private static void budget(ConfigNode trustedBudget, MapNode project, List<TrustViolation> violations) {
        if (!project.entries().containsKey("budget")) {
            return;
        }
        MapNode trusted = trustedBudget instanceof MapNode t ? t : null;
        ConfigNode budget = project.get("budget");
        for (String key : BUDGET_KEYS) {
            BigDecimal limit = trusted == null ? null : number(trusted.get(key));
            if (limit == null) {
                continue; // no trusted limit: anything is lower
            }
            if (budget instanceof MapNode map) {
                if (!map.entries().containsKey(key)) {
                    continue;
                }
                ConfigNode value = map.get(key);
                BigDecimal asked = number(value);
                if (asked == null && value instanceof ScalarNode s && s.value() == null) {
                    violations.add(new TrustViolation(map.keyOrigin(key), "budget." + key
                            + " to no limit, above the trusted " + limit.toPlainString()));
                } else if (asked != null && asked.compareTo(limit) > 0) {
                    violations.add(new TrustViolation(map.keyOrigin(key), "budget." + key + " to "
                            + asked.toPlainString() + ", above the trusted " + limit.toPlainString()));
                }
            } else if (budget instanceof ScalarNode s && s.value() == null) {
                violations.add(new TrustViolation(project.keyOrigin("budget"), "budget to nothing, removing the "
                        + "trusted budget." + key + " of " + limit.toPlainString()));
            }
        }
    }

    /** Programs llmo would start and tools it would call without asking (the tool settings of 0.2). */
    private static void programs(MapNode trusted, MapNode project, List<TrustViolation> violations) {
        for (String section : List.of("mcp_servers", "tools")) {
            if (project.get(section) instanceof MapNode servers) {
                MapNode below = trusted.get(section) instanceof MapNode t ? t : null;
                servers.entries().forEach((name, value) -> {
                    if (isSet(value) && (below == null || !Objects.equals(plain(below.get(name)), plain(value)))) {
                        violations.add(new TrustViolation(servers.keyOrigin(name), section + " entry '" + name
                                + "', a " + (section.equals("tools") ? "command llmo would run"
                                : "server llmo would start or connect to")));
                    }
                });
            }
        }
        if (project.entries().containsKey("tool_policy")
                && !Objects.equals(plain(trusted.get("tool_policy")), plain(project.get("tool_policy")))) {
            List<ConfigNode> rules = project.get("tool_policy") instanceof ListNode list ? list.items() : List.of();
            for (ConfigNode rule : rules) {
                if (rule instanceof MapNode map && map.get("decision") instanceof ScalarNode d
                        && "allow".equals(d.value())) {
                    violations.add(new TrustViolation(rule.origin(), "a tool_policy rule that allows "
                            + (map.get("tool") instanceof ScalarNode t ? "'" + t.text() + "'" : "a tool")
                            + " without asking"));
                }
            }
            keptDenyRules(trusted.get("tool_policy"), project, rules, violations);
        }
        sandbox(trusted.get("sandbox"), project, violations);
    }

    /**
     * Lists replace, so a project's {@code tool_policy} could drop a trusted deny rule, or shadow it with an earlier
     * rule that is not a deny (first match wins; an ask gives way to {@code --yolo}): each trusted deny rule must be
     * kept, with only deny rules before it.
     */
    private static void keptDenyRules(ConfigNode trustedPolicy, MapNode project, List<ConfigNode> rules,
                                      List<TrustViolation> violations) {
        if (!(trustedPolicy instanceof ListNode trustedRules)) {
            return;
        }
        List<Object> projectRules = rules.stream().map(TrustRules::plain).toList();
        for (ConfigNode rule : trustedRules.items()) {
            if (!(rule instanceof MapNode map && map.get("decision") instanceof ScalarNode d && "deny".equals(d.value()))) {
                continue;
            }
            int at = projectRules.indexOf(plain(rule));
            boolean shadowed = at < 0 || rules.subList(0, at).stream().anyMatch(r -> !(r instanceof MapNode m
                    && m.get("decision") instanceof ScalarNode e && "deny".equals(e.value())));
            if (shadowed) {
                violations.add(new TrustViolation(project.keyOrigin("tool_policy"), "tool_policy without the trusted "
                        + "deny rule for " + (map.get("tool") instanceof ScalarNode t ? "'" + t.text() + "'" : "a tool")
                        + " (" + rule.origin().where() + ") first"));
            }
        }
    }

    /** A sandbox may only be narrowed: a project that opens the network or adds writable paths widens it. */
    private static void sandbox(ConfigNode trustedSandbox, MapNode project, List<TrustViolation> violations) {
        if (!(project.get("sandbox") instanceof MapNode sandbox)) {
            return;
        }
        MapNode trusted = trustedSandbox instanceof MapNode t ? t : null;
        if (sandbox.get("network") instanceof ScalarNode n && Boolean.TRUE.equals(n.value())
                && !(trusted != null && trusted.get("network") instanceof ScalarNode tn && Boolean.TRUE.equals(tn.value()))) {
            violations.add(new TrustViolation(sandbox.keyOrigin("network"), "sandbox.network, which lets sandboxed "
                    + "tools reach the network"));
        }
        if (sandbox.entries().containsKey("writable")
                && !Objects.equals(plain(trusted == null ? null : trusted.get("writable")), plain(sandbox.get("writable")))
                && isSet(sandbox.get("writable")) && !(sandbox.get("writable") instanceof ListNode l && l.items().isEmpty())) {
            violations.add(new TrustViolation(sandbox.keyOrigin("writable"), "sandbox.writable, paths sandboxed tools "
                    + "could write"));
        }
    }

    private static boolean changes(MapNode trusted, MapNode project, String key) {
        if (!project.entries().containsKey(key)) {
            return false;
        }
        return trusted == null ? isSet(project.get(key))
                : !Objects.equals(plain(trusted.get(key)), plain(project.get(key)));
    }

    private static boolean isSet(ConfigNode node) {
        return node != null && !(node instanceof ScalarNode s && (s.value() == null || "".equals(s.value())));
    }

    private static BigDecimal number(ConfigNode node) {
        if (node instanceof ScalarNode s && s.value() instanceof Number n) {
            return n instanceof BigDecimal d ? d : BigDecimal.valueOf(n.longValue());
        }
        return null;
    }

    private static Object plain(ConfigNode node) {
        return node == null ? null : ConfigFields.plain(node);
    }
}
