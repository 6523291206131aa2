package dev.llmo.core;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The environment a child process of llmo ({@code api_key_cmd}) starts with: llmo's own, without its secrets. The
 * vault password ({@code LLMO_VAULT_PASSWORD}), the unlocked session ({@code LLMO_VAULT_SESSION}) and every variable
 * named as some provider's {@code api_key_name} are removed (design.md "Trust"): a program that only has to print one key must not see the others.
 *
 * @param base        the environment of the invocation
 * @param secretNames the variables to remove besides {@link #VAULT_PASSWORD}
 */
public record ChildEnvironment(Map<String, String> base, Set<String> secretNames) {
    /** The variable that unlocks the vault without a prompt. */
    public static final String VAULT_PASSWORD = "LLMO_VAULT_PASSWORD";
    /** The variable that reaches an unlocked vault session's key (dev.llmo.vault.VaultSession#ENV). */
    public static final String VAULT_SESSION = "LLMO_VAULT_SESSION";

    public ChildEnvironment {
        base = Map.copyOf(base);
        secretNames = Set.copyOf(secretNames);
    }

    /** This process's environment, removing {@code secretNames} (e.g. every provider's api_key_name). */
    public static ChildEnvironment of(Map<String, String> base, Collection<String> secretNames) {
        Set<String> names = new TreeSet<>();
        for (String name : secretNames) {
            if (name != null) {
                names.add(name);
            }
        }
        Map<String, String> copy = new HashMap<>();
        for (Map.Entry<String, String> entry : base.entrySet()) {
            if (entry.getKey() != null && entry.getValue() != null) {
                copy.put(entry.getKey(), entry.getValue());
            }
        }
        return new ChildEnvironment(copy, names);
    }

    /** The process's own environment, without the vault password and session. */
    public static ChildEnvironment inherited() {
        return of(System.getenv(), Set.of());
    }

    /** The variables to give the child. */
    public Map<String, String> forChild() {
        Map<String, String> env = new HashMap<>(base);
        env.remove(VAULT_PASSWORD);
        env.remove(VAULT_SESSION);
        env.keySet().removeAll(secretNames);
        return env;
    }

    /** The same, also without {@code name} (the provider's own key name). */
    public ChildEnvironment without(String name) {
        if (name == null || secretNames.contains(name)) {
            return this;
        }
        Set<String> names = new TreeSet<>(secretNames);
        names.add(name);
        return new ChildEnvironment(base, names);
    }
}
