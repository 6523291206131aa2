package dev.llmo;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/**
 * What becomes of the records the libraries and the JDK log. OkHttp and jline log through {@code java.util.logging},
 * whose default configuration (the JDK's {@code logging.properties}) prints their warnings on stderr in two lines of
 * its own format, between llmo's one-line messages; the JDK's own loggers ({@link System.Logger}) go the same way.
 * Unless {@code --debug} asks for more, both are quiet: {@code java.util.logging} is configured by
 * {@link Configuration}, which gives it no handler, and the JDK's loggers come from {@link Finder}, which drops their
 * records. With {@code --debug} the JDK's default configuration prints OkHttp's and jline's, and {@link Finder} the
 * JDK's, on stderr.
 *
 * <p>Both also keep a model call's start-up short (ADR-003, "Twenty-first round"): without a configuration class,
 * {@code java.util.logging} reads and applies {@code logging.properties} when OkHttp makes its first logger, ~6 ms of
 * CPU; and before it redirects the JDK's loggers it asks the class path for a {@link System.LoggerFinder}, which opens
 * every jar on it, the binary's ~5,300 entries included, unless the first one names a finder. The starter jar a run
 * starts from ({@code cli/StarterJar}) carries this finder's service file for that reason.
 */
public final class LibraryLogs {
    private static final String CONFIGURATION_CLASS = "java.util.logging.config.class";
    /** Whether the JDK's loggers print; false until {@link #configure} says otherwise (another entry point's JVM). */
    private static volatile boolean verbose;

    private LibraryLogs() {
    }

    /**
     * Quiet unless {@code debug}; before anything logs. A {@code java.util.logging} configuration the user gave the
     * JVM is kept, and so are its records.
     */
    static void configure(boolean debug) {
        if (!debug && System.getProperty(CONFIGURATION_CLASS) == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty(CONFIGURATION_CLASS, Configuration.class.getName());
            verbose = false;
        } else {
            verbose = debug;
        }
    }

    /**
     * The {@code java.util.logging} configuration class while llmo prints its own messages only: {@code LogManager}
     * makes one instead of reading its file, and leaves the configuration to it; this one configures nothing.
     */
    public static final class Configuration {
        public Configuration() {
            // no handler and the default level: records are made and dropped
        }
    }

    /** The JDK's loggers: quiet, or with {@code --debug} one line on stderr per record of level INFO or above. */
    public static final class Finder extends System.LoggerFinder {
        public Finder() {
            // made by the JDK's ServiceLoader when it first needs a logger
        }

        @Override
        public System.Logger getLogger(String name, Module module) {
            return new Line(name);
        }
    }

    private record Line(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return verbose && level != Level.OFF && level.getSeverity() >= Level.INFO.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            if (isLoggable(level)) {
                System.err.println("llmo: debug: " + name + ": " + level.getName() + ": " + message
                        + (thrown == null ? "" : " (" + thrown + ")"));
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                log(level, bundle, params == null || params.length == 0 ? format
                        : MessageFormat.format(format, params), (Throwable) null);
            }
        }
    }
}
