package dev.llmo.tool;

import dev.llmo.failure.CredentialsException;
import java.util.Map;

/**
 * Where the {@code ${vault:NAME}} and {@code ${env:NAME}} references of a server's or command tool's {@code env} and
 * {@code headers} are resolved, when that server or tool starts (never when the config is read, so that no error and
 * no listing can show a secret). The CLI wires {@link #secret} to the vault.
 */
public interface SecretSource {
    /**
     * The vault entry {@code name}, for {@code ${vault:NAME}}.
     *
     * @throws CredentialsException when there is no vault, it cannot be opened, or it has no such entry
     */
    String secret(String name);

    /** The environment variable {@code name} of llmo's own environment, for {@code ${env:NAME}}; null when unset. */
    String variable(String name);

    /** Variables from {@code env}; no vault: a {@code ${vault:NAME}} reference is an error saying so. */
    static SecretSource environment(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return new SecretSource() {
            @Override
            public String secret(String name) {
                throw new CredentialsException("no vault to read " + name + " from",
                        "create one with 'llmo vault init' and add it with 'llmo vault set " + name + "'");
            }

            @Override
            public String variable(String name) {
                return copy.get(name);
            }
        };
    }
}
