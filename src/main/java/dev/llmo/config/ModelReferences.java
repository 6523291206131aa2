package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every model reference written in config.yaml, wherever a prompt would follow it without the user naming a model:
 * {@code main_llm}, the {@code model} of each role, and the {@code model} or {@code parallel} models of each chain
 * step (YAML form) or the MODEL of each compact {@code "STEP>/ROLE)-MODEL"} step.
 *
 * <p>This reads only where a chain writes its models, so that the trust check can run when the configuration is
 * loaded, without the chain package (which depends on this one). Anything malformed is skipped here: the chain
 * parser owns the grammar and reports it.
 */
final class ModelReferences {

    /**
     * @param what      the setting, completing "… sets WHAT to provider 'p'" ("main_llm", "the model of role 'X'")
     * @param reference the model reference as written
     * @param origin    where it is written
     */
    record Reference(String what, String reference, Origin origin) {
    }

    private ModelReferences() {
    }

    /**
     * The references of the merged {@code config.yaml}, each with the place that writes it.
     *
     * @param mainModel the {@code main_llm} in effect ({@link Settings#mainModel}: {@code LLMO_MODEL} replaces the
     *                  files' one)
     */
    static List<Reference> in(MapNode config, ConfigNode mainModel) {
        List<Reference> found = new ArrayList<>();
        mainModel(mainModel, found);
        if (config.get("roles") instanceof MapNode roles) {
            roles.entries().forEach((name, role) -> {
                if (role instanceof MapNode map && map.get("model") instanceof ScalarNode s
                        && s.value() instanceof String model) {
                    found.add(new Reference("the model of role '" + name + "'", model, s.origin()));
                }
            });
        }
        if (config.get("chains") instanceof MapNode chains) {
            chains.entries().forEach((name, chain) -> chain(name, chain, found));
        }
        return found;
    }

    private static void mainModel(ConfigNode node, List<Reference> found) {
        if (node instanceof ScalarNode s && s.value() instanceof String model) {
            found.add(new Reference("main_llm", model, s.origin()));
        } else if (node instanceof MapNode map && map.get("provider") instanceof ScalarNode p
                && p.value() instanceof String provider) {
            String model = map.get("model") instanceof ScalarNode m && m.value() != null ? "/" + m.text() : "";
            found.add(new Reference("main_llm", provider + model, map.origin()));
        }
    }

    private static void chain(String chain, ConfigNode node, List<Reference> found) {
        ConfigNode steps = node instanceof MapNode map ? map.get("steps") : node;
        if (!(steps instanceof ListNode list)) {
            return;
        }
        for (ConfigNode step : list.items()) {
            if (step instanceof ScalarNode s && s.value() instanceof String text) {
                compact(chain, text, s.origin(), found);
            } else if (step instanceof MapNode map) {
                String name = map.get("name") instanceof ScalarNode n && n.value() != null ? n.text() : "?";
                String what = "the model of step '" + name + "' of chain '" + chain + "'";
                if (map.get("model") instanceof ScalarNode m && m.value() instanceof String model) {
                    found.add(new Reference(what, model, m.origin()));
                }
                if (map.get("parallel") instanceof ListNode parallel) {
                    for (ConfigNode item : parallel.items()) {
                        if (item instanceof ScalarNode m && m.value() instanceof String model) {
                            found.add(new Reference(what, model, m.origin()));
                        }
                    }
                }
            }
        }
    }

    /** The MODEL of {@code "STEP>/ROLE)-MODEL"}, split exactly as dev.llmo.config.CompactStep splits it. */
    private static void compact(String chain, String text, Origin origin, List<Reference> found) {
        int roleStart = text.indexOf(">/");
        int modelStart = roleStart < 0 ? -1 : text.indexOf(")-", roleStart + 2);
        if (modelStart < 0) {
            return;
        }
        String model = text.substring(modelStart + 2).strip();
        if (!model.isEmpty()) {
            found.add(new Reference("the model of step '" + text.substring(0, roleStart).strip() + "' of chain '"
                    + chain + "'", model, origin));
        }
    }
}
