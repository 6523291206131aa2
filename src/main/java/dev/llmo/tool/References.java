package dev.llmo.tool;

import dev.llmo.failure.CredentialsException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills the {@code ${env:NAME}} and {@code ${vault:NAME}} references of configured values (checked when bound). */
final class References {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|vault):([A-Za-z_][A-Za-z0-9_]*)}");

    private References() {
    }

    /**
     * Each value with its references replaced; {@code owner} ("MCP server fs") names what needs them in errors, which
     * name the variable or entry, never a value.
     */
    static Map<String, String> resolve(Map<String, String> values, SecretSource secrets, String owner) {
        Map<String, String> resolved = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            Matcher reference = REFERENCE.matcher(value);
            StringBuilder out = new StringBuilder();
            while (reference.find()) {
                String name = reference.group(2);
                String secret;
                if (reference.group(1).equals("vault")) {
                    secret = secrets.secret(name);
                } else {
                    secret = secrets.variable(name);
                    if (secret == null) {
                        throw new CredentialsException(owner + " needs the environment variable " + name
                                + " (for " + key + "), which is not set", "export " + name + "=... before running llmo, "
                                + "or take it from the vault: ${vault:" + name + "}");
                    }
                }
                reference.appendReplacement(out, Matcher.quoteReplacement(secret));
            }
            reference.appendTail(out);
            resolved.put(key, out.toString());
        });
        return resolved;
    }
}
