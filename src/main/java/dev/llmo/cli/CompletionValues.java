package dev.llmo.cli;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The hidden fast path behind tab completion, {@code llmo __complete KIND}: prints the current names of one kind,
 * one per line, without building the command tree, touching the network or unlocking the vault. Completion must
 * never disturb the shell, so every error is swallowed and prints nothing.
 */
final class CompletionValues {
    static final String COMMAND = "__complete";
    static final List<String> KINDS = List.of("models", "roles", "chains", "conversations", "vault-names",
            "templates");

    private CompletionValues() {
    }

    static int print(String kind, CliEnvironment environment) {
        PrintWriter out = environment.out();
        try {
            Path binary = KINDS.contains(kind) ? CompletionCache.binary() : null;
            CompletionCache cache = binary == null ? null : CompletionCache.of(kind, environment, binary);
            String signature = cache == null ? null : cache.signature(System.currentTimeMillis());
            List<String> names = values(kind, environment).stream().filter(CompletionValues::inert).toList();
            names.forEach(out::println);
            if (signature != null) {
                cache.write(CompletionCache.directory(environment.env(), environment.home()), kind, signature, names);
            }
        } catch (RuntimeException e) {
            return 1;
        }
        return 0;
    }

    /**
     * Whether a name is safe in any completion script: bash's {@code compgen -W}, which the scripts of 0.1.0 put the
     * names through, expands {@code $(...)} and backquotes in them, and a project's models.yaml can name anything.
     * A name with a line break would read as two.
     */
    static boolean inert(String name) {
        return !name.isEmpty() && name.chars().noneMatch(c -> c == '$' || c == '`' || c == '\\' || c == '\n'
                || c == '\r');
    }

    static Collection<String> values(String kind, CliEnvironment environment) {
        AppDirs dirs = AppDirs.fromEnvironment(environment.env(), environment.home());
        switch (kind) {
            case "conversations":
                return conversationIds(dirs.conversationsDir());
            case "models":
                return settings(dirs, environment).catalog().references();
            case "roles":
                return settings(dirs, environment).roles().keySet();
            case "chains":
                return settings(dirs, environment).chains().keySet();
            case "vault-names":
                // Entry names are inside the encrypted vault; the names a user stores are the providers' key names.
                Set<String> names = new LinkedHashSet<>();
                for (ProviderConfig provider : settings(dirs, environment).catalog().providers()) {
                    if (provider.apiKeyName() != null) {
                        names.add(provider.apiKeyName());
                    }
                }
                return names;
            case "templates":
                return new dev.llmo.template.TemplateStore(dirs, environment.workingDir()).list().stream()
                        .map(dev.llmo.template.TemplateStore.Listed::name).toList();
            default:
                return List.of();
        }
    }

    private static Settings settings(AppDirs dirs, CliEnvironment environment) {
        return dev.llmo.config.ConfigLoader.load(dirs, environment.workingDir(), environment.env());
    }

    private static List<String> conversationIds(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jsonl"))
                    .map(n -> n.substring(0, n.length() - ".jsonl".length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
