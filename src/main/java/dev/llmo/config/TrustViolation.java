package dev.llmo.config;

import dev.llmo.failure.ConfigException;

/**
 * One thing an untrusted project layer sets that could send a secret elsewhere or run a program.
 *
 * @param origin where the project file sets it
 * @param what   what it does, completing "the project configuration (untrusted) sets ..."
 */
public record TrustViolation(Origin origin, String what) {

    /** The error that stops llmo before anything is sent. */
    public ConfigException error(ProjectTrust project) {
        return new ConfigException(origin.where() + ": the project configuration (" + project.status().label()
                + ") sets " + what, project.fix());
    }
}
