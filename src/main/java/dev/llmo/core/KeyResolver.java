package dev.llmo.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a secret by its name ({@code api_key_name} of models.yaml). The environment is one source; the vault will
 * be another, chained after it with {@link #then(KeyResolver)}.
 */
@FunctionalInterface
public interface KeyResolver {

    /** The value stored under {@code name}, or empty when this source has none. */
    Optional<String> find(String name);

    /** This source first, then {@code next}. */
    default KeyResolver then(KeyResolver next) {
        return name -> {
            Optional<String> found = find(name);
            return found.isPresent() ? found : next.find(name);
        };
    }

    /** Environment variables; an empty or blank value counts as unset (a common result of {@code export X=}). */
    static KeyResolver environment(Map<String, String> env) {
        return new EnvironmentKeys(env);
    }

    /** {@link #environment}, a class rather than a lambda: it is made in every call's start-up (ADR-003). */
    final class EnvironmentKeys implements KeyResolver {
        private final Map<String, String> env; // holds keys: no accessor, no toString

        private EnvironmentKeys(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Optional<String> find(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
        }
    }

    /** A resolver that finds nothing. */
    static KeyResolver none() {
        return name -> Optional.empty();
    }

    /** Fixed secrets (tests). */
    static KeyResolver of(Map<String, String> secrets) {
        return name -> Optional.ofNullable(secrets.get(name));
    }

    /** Several sources in order. */
    static KeyResolver chain(List<KeyResolver> sources) {
        return sources.stream().reduce(none(), KeyResolver::then);
    }
}
