package dev.llmo.cli;

import dev.llmo.config.ConfigLoader;
import dev.llmo.config.TrustStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code llmo untrust DIR}: forgets that a project's configuration was trusted. */
@Command(name = "untrust", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Remove DIR from the trusted projects: its .llmo/ configuration is untrusted again.",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo untrust ~/src/project", "  llmo untrust .", "  llmo trust --list"})
final class UntrustCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(paramLabel = "DIR", description = "The project directory (holding .llmo/), or its .llmo/ directory.")
    String dir;

    UntrustCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Path root = root();
        if (new TrustStore(context.dirs().trustFile()).untrust(root)) {
            context.err().println("llmo: untrusted " + root); // a confirmation: stderr, stdout is for answers
        } else {
            context.err().println("llmo: " + root + " was not trusted; nothing changed");
        }
        return 0;
    }

    /** The trusted key of DIR: the real path of the project directory; a removed project by its path as given. */
    private Path root() {
        Path path = context.environment().workingDir().resolve(dir).toAbsolutePath().normalize();
        if (Files.isDirectory(path.resolve(ConfigLoader.PROJECT_DIR))) {
            path = TrustCommand.projectConfigDir(context, dir).getParent();
        } else if (path.getFileName() != null && path.getFileName().toString().equals(ConfigLoader.PROJECT_DIR)) {
            path = path.getParent();
        }
        try {
            return path.toRealPath();
        } catch (java.io.IOException e) {
            return path;
        }
    }
}
