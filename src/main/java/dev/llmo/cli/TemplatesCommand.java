package dev.llmo.cli;

import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ConfigFiles;
import dev.llmo.config.ConfigLayer;
import dev.llmo.config.Urls;
import dev.llmo.core.ChildEnvironment;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.UsageException;
import dev.llmo.template.SavedTemplate;
import dev.llmo.template.TemplateFile;
import dev.llmo.template.TemplateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code llmo templates}: the saved templates of {@code run --save NAME}, used with {@code run -t NAME}. */
@Command(name = "templates", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"List, show, edit and remove saved templates (made with 'llmo run --save NAME', used with "
                + "'llmo run -t NAME').",
                "Templates are YAML files in templates/ of the config directory, and in a trusted project's "
                        + ".llmo/templates/."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo templates list", "  llmo templates show review", "  llmo templates edit review",
                "  llmo templates rm review"})
final class TemplatesCommand implements Callable<Integer> {
    private static final int SUMMARY_CHARS = 60;
    private final CliContext context;

    TemplatesCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return list();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "List the templates: name, where it is (user or project), and the start of its prompt.",
            footerHeading = "%nExamples:%n", footer = "  llmo templates list")
    int list() {
        TemplateStore store = TemplateOptions.store(context);
        List<TemplateStore.Listed> listed = store.list();
        PrintWriter out = context.out();
        if (listed.isEmpty()) {
            context.err().println("llmo: no templates yet; save one with 'llmo run --save NAME PROMPT'");
            context.err().flush();
        }
        int width = listed.stream().mapToInt(t -> t.name().length()).max().orElse(0);
        boolean terminal = context.environment().stdoutIsTerminal();
        for (TemplateStore.Listed template : listed) {
            String summary;
            try {
                SavedTemplate saved = template.project() ? store.load(template.name())
                        : TemplateStore.read(template.file(), ConfigLayer.USER);
                summary = summary(saved);
            } catch (LlmoException e) {
                summary = "(cannot be used: " + e.getMessage() + ")";
            }
            out.println(String.format("%-" + width + "s  %-7s  %s", template.name(),
                    template.project() ? "project" : "user", TerminalText.forTerminal(summary, terminal)));
        }
        out.flush();
        return 0;
    }

    private static String summary(SavedTemplate template) {
        String text = template.prompt() != null ? template.prompt()
                : template.system() != null ? "system: " + template.system() : "(no prompt: the input is the prompt)";
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= SUMMARY_CHARS ? line : line.substring(0, SUMMARY_CHARS - 1) + "…";
    }

    @Command(name = "show", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Print a template's YAML file (checked, as 'run -t NAME' would use it).",
            footerHeading = "%nExamples:%n", footer = "  llmo templates show review")
    int show(@Parameters(paramLabel = "NAME", description = "The template.") String name) {
        TemplateStore store = TemplateOptions.store(context);
        store.load(name); // refuses an unknown, broken or untrusted one as -t would
        Path file = found(store, name);
        byte[] bytes = ConfigFiles.read(file);
        // a URL written into the file by hand, with its user-info: shown as every message shows it, whatever the
        // password holds (white space and quotes too)
        String text = Urls.shownIn(ConfigFiles.text(bytes == null ? new byte[0] : bytes, file.toString()));
        context.err().println("# " + file);
        context.err().flush();
        PrintWriter out = context.out();
        out.print(TerminalText.forTerminal(text.endsWith("\n") || text.isEmpty() ? text : text + "\n",
                context.environment().stdoutIsTerminal()));
        out.flush();
        return 0;
    }


    @Command(name = "edit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Edit a template of yours in $VISUAL or $EDITOR (vi without either, on a terminal); a new "
                    + "NAME starts from an example.",
                    "The edit is checked when the editor exits: a mistake is reported as path:line:column and the "
                            + "edit is kept, to be fixed by running the same command again."},
            footerHeading = "%nExamples:%n", footer = {"  llmo templates edit review",
                    "  EDITOR=nano llmo templates edit review"})
    int edit(@Parameters(paramLabel = "NAME", description = "The template.") String name) throws IOException {
        TemplateStore store = TemplateOptions.store(context);
        Path file = store.userFile(name);
        refuseProjectOnly(store, name, file, "edit");
        Path draft = file.resolveSibling("." + name + ".yaml.edit");
        String editor = editor(name);
        PrintWriter err = context.err();
        boolean resumed = Files.exists(draft);
        if (resumed) {
            err.println("llmo: resuming your unsaved edit of " + name + " (" + draft + ")");
        } else {
            byte[] current = ConfigFiles.read(file);
            String text = current != null ? ConfigFiles.text(current, file.toString())
                    : "# llmo template '" + name + "' (see 'llmo help templates')\n"
                    + "prompt: \"Summarise {{input}} in {{style}}\"\n"
                    + "defaults:\n  style: three bullet points\n";
            TemplateStore.write(draft, text);
        }
        err.flush();
        runEditor(editor, draft, resumed);
        byte[] edited = ConfigFiles.read(draft);
        String text = ConfigFiles.text(edited == null ? new byte[0] : edited, draft.toString());
        try {
            TemplateFile.parse(text, draft.toString());
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage(), "your edit is kept in " + draft + ": run 'llmo templates edit "
                    + name + "' again to fix it, or remove that file to start over", e);
        }
        TemplateStore.write(file, text);
        Files.deleteIfExists(draft);
        err.println("llmo: saved template " + name + " to " + file);
        err.flush();
        return 0;
    }

    /**
     * The editor to run: VISUAL, else EDITOR, else vi, which only works on a terminal: without one it would wait for
     * keys that never come (or quit at once), so it is refused before anything is written.
     */
    private String editor(String name) {
        var env = context.environment().env();
        String editor = firstSet(env.get("VISUAL"), env.get("EDITOR"), null);
        if (editor != null) {
            return editor;
        }
        if (!context.environment().stdinIsTerminal() || !context.environment().stdoutIsTerminal()) {
            throw new UsageException("no editor to run: VISUAL and EDITOR are not set, and vi needs a terminal",
                    "set one (e.g. EDITOR=nano llmo templates edit " + name + "), or run the command on a terminal");
        }
        return "vi";
    }

    /**
     * Runs {@code editor} on {@code draft} through sh (an EDITOR with arguments works as typed), and waits. When it
     * fails or is killed nothing is saved, and the draft goes unless it holds an earlier edit ({@code resumed}).
     */
    private void runEditor(String editor, Path draft, boolean resumed) {
        var env = context.environment().env();
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", editor + " \"$1\"", "sh", draft.toString())
                .directory(context.environment().workingDir().toFile())
                .inheritIO();
        builder.environment().clear();
        builder.environment().putAll(ChildEnvironment.of(env, keyNames()).forChild());
        String kept = resumed ? "the template is unchanged and your earlier edit is kept in " + draft
                : "the template is unchanged";
        int code;
        Process process = null;
        try {
            process = builder.start();
            code = process.waitFor();
        } catch (IOException e) {
            discard(draft, resumed);
            throw new FailureException("cannot start the editor '" + editor + "': " + e.getMessage(),
                    "set EDITOR to your editor, e.g. export EDITOR=nano", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            discard(draft, resumed);
            throw new InterruptedRunException("the edit was interrupted; nothing was saved", kept);
        }
        if (code != 0) {
            discard(draft, resumed);
            // sh says 127 for a command it cannot find, 128+N for one a signal ended
            String how = code == 127 ? "was not found (sh exit 127)" : code > 128 && code < 128 + 65
                    ? "was ended by signal " + (code - 128) : "exited with " + code;
            throw new FailureException("the editor '" + editor + "' " + how + "; nothing was saved",
                    code == 127 ? "set EDITOR to an editor that is installed, e.g. export EDITOR=nano; " + kept
                            : kept);
        }
    }

    /** A draft this run made, removed: the edit it was for did not happen. */
    private static void discard(Path draft, boolean resumed) {
        if (resumed) {
            return;
        }
        try {
            Files.deleteIfExists(draft);
        } catch (IOException e) {
            // the error being reported says more than this one; a stale draft is resumed by the next edit
        }
    }

    /** The key variables the editor must not see (design.md "Trust"); none when the configuration cannot load. */
    private List<String> keyNames() {
        try {
            return context.settings().catalog().providers().stream()
                    .map(dev.llmo.config.ProviderConfig::apiKeyName).filter(Objects::nonNull).toList();
        } catch (LlmoException e) {
            return List.of();
        }
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return values[values.length - 1];
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Remove a template of yours.",
            footerHeading = "%nExamples:%n", footer = "  llmo templates rm review")
    int rm(@Parameters(paramLabel = "NAME", description = "The template.") String name) {
        TemplateStore store = TemplateOptions.store(context);
        Path file = store.userFile(name);
        refuseProjectOnly(store, name, file, "remove");
        if (!store.remove(name)) {
            store.load(name); // unknown: says so, with the names closest to it
        }
        Path previous = store.previousFile(name);
        // the version a --save replaced is the user's too: kept, and said, rather than deleted unasked
        context.err().println("llmo: removed template " + name + " (" + file + ")" + (java.nio.file.Files.exists(
                previous) ? "; the version it replaced is still in " + previous + " (delete it, or copy it back to "
                + "restore it)" : ""));
        context.err().flush();
        return 0;
    }

    /** Only the user's own templates are edited and removed here; a project's belong to its repository. */
    private static void refuseProjectOnly(TemplateStore store, String name, Path userFile, String what) {
        Path projectFile = store.projectFile(name);
        if (projectFile != null && Files.exists(projectFile) && !Files.exists(userFile)) {
            throw new UsageException("template '" + name + "' is the project's (" + projectFile + "), not yours",
                    what + " that file in the project (then 'llmo trust' it again)");
        }
    }

    private static Path found(TemplateStore store, String name) {
        Path projectFile = store.projectFile(name);
        return projectFile != null && Files.exists(projectFile) ? projectFile : store.userFile(name);
    }
}
