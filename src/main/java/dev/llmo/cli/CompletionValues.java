package dev.llmo.cli;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
            // plain loops on this path: a lambda's first use costs the JVM more than the loop (java.lang.invoke)
            List<String> names = new ArrayList<>();
            for (String name : values(kind, environment)) {
                if (inert(name)) {
                    names.add(name);
                    out.println(name);
                }
            }
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
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '$' || c == '`' || c == '\\' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return !name.isEmpty();
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
                List<String> templates = new ArrayList<>();
                for (dev.llmo.template.TemplateStore.Listed listed
                        : new dev.llmo.template.TemplateStore(dirs, environment.workingDir()).list()) {
                    templates.add(listed.name());
                }
                return templates;
            default:
                return List.of();
        }
    }

    private static Settings settings(AppDirs dirs, CliEnvironment environment) {
        return dev.llmo.config.ConfigLoader.load(dirs, environment.workingDir(), environment.env());
    }

    private static List<String> conversationIds(Path dir) {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".jsonl")) {
                    ids.add(name.substring(0, name.length() - ".jsonl".length()));
                }
            }
        } catch (IOException e) {
            return List.of(); // none yet, or unreadable: nothing to complete
        }
        Collections.sort(ids);
        // the names given with /save, which --cid, --resume and log show take as well
        try {
            List<String> names = new ArrayList<>(dev.llmo.eventlog.SavedChats.names(dir).keySet());
            Collections.sort(names);
            ids.addAll(names);
        } catch (RuntimeException e) {
            // a log that cannot be read: the ids are still offered
        }
        return ids;
    }
}
