package dev.llmo.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * The version and build id. The launcher passes the build id as {@code -Dllmo.build}; under plain
 * {@code java -jar} the jar manifest's Implementation-Version is used. (A resource lookup would cost a scan of
 * the JDK's module image at start-up.)
 */
public final class BuildInfo implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"llmo " + version() + " (build " + build() + ", Java " + System.getProperty("java.version")
                + ")"};
    }

    /** The release, e.g. {@code 0.2.0}. */
    public static String version() {
        String build = System.getProperty("llmo.build");
        if (build != null && build.indexOf('-') > 0) {
            return build.substring(0, build.indexOf('-'));
        }
        String manifest = BuildInfo.class.getPackage().getImplementationVersion();
        return manifest == null ? "dev" : manifest;
    }

    /** The build id: version and build time, also the name of the launcher's class archive. */
    public static String build() {
        String build = System.getProperty("llmo.build");
        return build == null ? version() : build;
    }
}
