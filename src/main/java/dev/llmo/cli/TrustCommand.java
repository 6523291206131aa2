package dev.llmo.cli;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import dev.llmo.config.ProjectTrust;
import dev.llmo.config.TrustStore;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo trust}: records a project's .llmo/ configuration, as it is now, as trusted. */
@Command(name = "trust", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Trust the project configuration in DIR/.llmo/ (default: the nearest .llmo/ above the working "
                + "directory), as its files are now.",
                "Until then a project may set roles, chains, main_llm (a configured model), lower budgets and keyless "
                        + "providers; anything that could send a key elsewhere or run a program (base_url or headers of "
                        + "a keyed provider, api_key_name, api_key_cmd, ...) stops run, chat and chain run with exit 3.",
                "Trust is kept in trusted.json of the data directory by the project's real path and the SHA-256 of "
                        + "its config.yaml and models.yaml: a changed file is untrusted again."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo models                 # shows what the project sets that needs trust",
                "  llmo trust                  # the nearest .llmo/ above this directory",
                "  llmo trust ~/src/project", "  llmo trust --list", "  llmo untrust ~/src/project"})
final class TrustCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "The project directory (holding .llmo/), or its "
            + ".llmo/ directory.")
    String dir;

    @Option(names = "--list", description = "List the trusted projects and whether their files are still the ones "
            + "trusted.")
    boolean list;

    TrustCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        AppDirs dirs = context.dirs();
        if (list) {
            if (dir != null) {
                throw new UsageException("--list takes no DIR", "run 'llmo trust --list' or 'llmo trust DIR'");
            }
            return list(dirs);
        }
        Path configDir = projectConfigDir(context, dir);
        // a confirmation, not an answer: stderr, as every command's (stdout carries only answers and listings)
        PrintWriter err = context.err();
        if (isUserConfigDir(dirs, configDir)) {
            err.println("llmo: " + configDir + " is your own configuration directory; it is always trusted");
            return 0;
        }
        ProjectTrust project = ConfigLoader.projectTrust(dirs, configDir);
        new TrustStore(dirs.trustFile()).trust(project.root(), project.digest(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        err.println("llmo: trusted " + project.root() + " (" + files(configDir) + ") " + project.digest());
        return 0;
    }

    private int list(AppDirs dirs) {
        PrintWriter out = context.out();
        List<TrustStore.Entry> entries = new TrustStore(dirs.trustFile()).entries();
        if (entries.isEmpty()) {
            context.err().println("llmo: no trusted projects in " + dirs.trustFile());
        }
        for (TrustStore.Entry entry : entries) {
            out.println(entry.dir() + "  " + entry.digest() + "  " + entry.trustedAt() + "  " + state(dirs, entry));
        }
        return 0;
    }

    /** Whether the project's files are still the ones trusted. */
    private static String state(AppDirs dirs, TrustStore.Entry entry) {
        Path configDir = entry.dir().resolve(ConfigLoader.PROJECT_DIR);
        if (!Files.isDirectory(configDir)) {
            return "gone (no " + configDir + ")";
        }
        try {
            String now = ConfigLoader.projectTrust(dirs, configDir).digest();
            return now.equals(entry.digest()) ? "current" : "changed, untrusted";
        } catch (ConfigException e) {
            return "unreadable, untrusted (" + e.getMessage() + ")";
        }
    }

    /**
     * The .llmo/ directory meant by DIR (the project directory or .llmo/ itself), or without DIR the nearest one
     * at or above the working directory.
     */
    static Path projectConfigDir(CliContext context, String dir) {
        Path workingDir = context.environment().workingDir();
        if (dir == null) {
            Path nearest = ConfigLoader.nearestProjectDir(workingDir);
            if (nearest == null) {
                throw new UsageException("no " + ConfigLoader.PROJECT_DIR + "/ directory in "
                        + workingDir.toAbsolutePath().normalize() + " or above",
                        "run 'llmo trust DIR' with the directory that holds .llmo/");
            }
            return nearest;
        }
        Path path;
        try {
            path = workingDir.resolve(dir).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("'" + dir + "' is not a path", "give the directory that holds .llmo/", e);
        }
        if (path.getFileName() != null && path.getFileName().toString().equals(ConfigLoader.PROJECT_DIR)
                && Files.isDirectory(path)) {
            return path;
        }
        if (Files.isDirectory(path.resolve(ConfigLoader.PROJECT_DIR))) {
            return path.resolve(ConfigLoader.PROJECT_DIR);
        }
        throw new UsageException("no " + ConfigLoader.PROJECT_DIR + "/ directory in " + path,
                "give the directory that holds .llmo/");
    }

    private static boolean isUserConfigDir(AppDirs dirs, Path configDir) {
        try {
            return Files.isDirectory(dirs.configDir()) && Files.isSameFile(configDir, dirs.configDir());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String files(Path configDir) {
        List<String> names = new ArrayList<>();
        for (String name : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
            if (Files.exists(configDir.resolve(name))) {
                names.add(ConfigLoader.PROJECT_DIR + "/" + name);
            }
        }
        // templates are trusted with the configuration: a template can name tools and models
        try (java.util.stream.Stream<Path> templates = Files.list(configDir.resolve(ConfigLoader.TEMPLATES_DIR))) {
            long count = templates.filter(file -> file.getFileName().toString().endsWith(".yaml")).count();
            if (count > 0) {
                names.add(count + (count == 1 ? " template" : " templates"));
            }
        } catch (java.io.IOException e) {
            // no templates directory
        }
        return names.isEmpty() ? "no configuration files yet" : String.join(", ", names);
    }
}
