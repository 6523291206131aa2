package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an untrusted project layer may not set (design.md "Trust"): anything that could send a secret somewhere or
 * run a program, judged against the merged trusted layers below it. Roles, chains, keyless providers, lower
 * budgets and a {@code main_llm} of an already configured provider are harmless and pass.
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
     * A {@code main_llm} set by the project must name a provider of the trusted layers whose base_url the project
     * leaves alone: otherwise every prompt would go, by default, to a server the project chose.
     */
    static List<TrustViolation> mainModel(ConfigNode mainModel, ProviderConfig provider, MapNode trustedModels,
                                          MapNode projectModels) {
        if (mainModel == null || !ConfigLayer.PROJECT.equals(mainModel.origin().layer())) {
            return List.of();
        }
        boolean trustedProvider = trustedModels.get(provider.name()) instanceof MapNode;
        boolean movedByProject = projectModels != null && projectModels.get(provider.name()) instanceof MapNode p
                && p.get("base_url") != null;
        if (trustedProvider && !movedByProject) {
            return List.of();
        }
        return List.of(new TrustViolation(mainModel.origin(), "main_llm to provider '" + provider.name() + "', "
                + (trustedProvider ? "whose base_url it also sets" : "which only the project configuration defines")
                + " (prompts would go to " + provider.baseUrl() + ")"));
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
        if (!keyed) {
            return;
        }
        String key = isSet(effective.get("api_key_name")) ? ((ScalarNode) effective.get("api_key_name")).text()
                : "of its api_key_cmd";
        for (String destination : DESTINATION_KEYS) {
            if (changes(trusted, project, destination)) {
                violations.add(new TrustViolation(project.keyOrigin(destination),
                        destination + " of " + what + ", which is sent the key " + key));
            }
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
        if (project.get("tool_policy") instanceof ListNode rules && !Objects.equals(plain(trusted.get("tool_policy")),
                plain(rules))) {
            for (ConfigNode rule : rules.items()) {
                if (rule instanceof MapNode map && map.get("decision") instanceof ScalarNode d
                        && "allow".equals(d.value())) {
                    violations.add(new TrustViolation(rule.origin(), "a tool_policy rule that allows "
                            + (map.get("tool") instanceof ScalarNode t ? "'" + t.text() + "'" : "a tool")
                            + " without asking"));
                }
            }
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
