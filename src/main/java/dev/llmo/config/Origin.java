package dev.llmo.config;

/**
 * Where a configuration value came from: the layer (built-in, system, user, project, env, flag) and the place
 * in its file, so that an error can say {@code path:line:column: what is wrong}.
 */
public record Origin(String layer, String file, int line, int column) {

    /** A value that comes from outside any file (an environment variable or a flag). */
    public static Origin of(String layer, String what) {
        return new Origin(layer, what, 0, 0);
    }

    /** {@code file:line:column}, or just the file (or variable) when there is no position. */
    public String where() {
        return line > 0 ? file + ":" + line + ":" + column : file;
    }
}
