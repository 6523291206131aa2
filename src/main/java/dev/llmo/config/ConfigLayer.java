package dev.llmo.config;

import java.nio.file.Path;

/**
 * One directory of configuration files, lowest first: built-in, system, user, project.
 *
 * @param dir the directory, or null for the built-in defaults bundled in the jar
 */
public record ConfigLayer(String name, Path dir) {
    public static final String BUILT_IN = "built-in";
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String PROJECT = "project";
    public static final String ENV = "env";
}
