package dev.llmo.config;

import java.nio.file.Path;

/**
 * The trust of the project layer (the nearest {@code .llmo/}): whether {@code llmo trust} recorded this directory
 * with exactly these files.
 *
 * @param configDir the {@code .llmo/} directory
 * @param root      the project directory that holds it (its real path), the key of the trust file
 * @param digest    {@link TrustStore#digest} of its configuration files as they were read
 */
public record ProjectTrust(Path configDir, Path root, String digest, Status status) {

    public enum Status {
        TRUSTED("trusted"),
        UNTRUSTED("untrusted"),
        /** Trusted once, with files that have changed since. */
        CHANGED("changed since it was trusted, so untrusted");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public boolean trusted() {
        return status == Status.TRUSTED;
    }

    /** How to trust it, for error messages. */
    public String fix() {
        return "review " + configDir + " and run 'llmo trust " + root + "' if you trust it";
    }
}
