package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.InstallCompletionCommand.Shell;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionTest {
    @TempDir
    Path home;

    @Test
    void valuesComeFromTheCurrentConfiguration() throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/config.yaml"), "roles:\n  Poet: { system: Rhyme. }\n");

        assertThat(CliRun.in(home).run("__complete", "roles").out()).contains("Developer\n").contains("Poet\n");
        assertThat(CliRun.in(home).run("__complete", "models").out()).contains("openai/gpt-4o-mini\n", "sonnet\n");
        assertThat(CliRun.in(home).run("__complete", "chains").out()).isEqualTo("code_review\n");
        assertThat(CliRun.in(home).run("__complete", "conversations").out()).isEmpty();
        assertThat(CliRun.in(home).run("__complete", "templates").out()).isEmpty();
        Files.createDirectories(home.resolve("llmo/templates"));
        Files.writeString(home.resolve("llmo/templates/review.yaml"), "prompt: Review {{input}}\n");
        assertThat(CliRun.in(home).run("__complete", "templates").out()).isEqualTo("review\n");
    }

    @Test
    void brokenConfigurationCompletesNothingAndSaysNothing() throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/models.yaml"), "openai: [\n");

        CliRun.Result result = CliRun.in(home).run("__complete", "models");

        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aNameTheShellWouldExpandIsLeftOut() throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/models.yaml"),
                "evil:\n  type: openai\n  base_url: http://127.0.0.1:9/v1\n  models: [\"$(id)\", \"`id`\", \"a\\\\b\", ok]\n");

        assertThat(CliRun.in(home).run("__complete", "models").out()).contains("evil/ok\n").doesNotContain("id", "a\\b");
    }

    @Test
    void theCacheIsKeyedOnTheEnvironmentAndListsWhatTheNamesComeFrom() throws Exception {
        Path work = Files.createDirectories(home.resolve("repo/sub"));
        Path binary = Files.writeString(home.resolve("llmo-binary"), "x");
        Map<String, String> env = Map.of("HOME", home.toString(), "LLMO_HOME", home.resolve("llmo").toString(),
                "LLMO_SYSTEM_CONFIG_DIR", "/etc/x");
        CliEnvironment environment = new CliEnvironment(null, null, null, env, work, home, "");

        CompletionCache plain = CompletionCache.of("models", environment, binary);
        Path project = Files.createDirectories(home.resolve("repo/.llmo"));
        CompletionCache inProject = CompletionCache.of("models", environment, binary);
        CompletionCache conversations = CompletionCache.of("conversations", environment, binary);

        assertThat(plain.key()).isEqualTo("\t" + home.resolve("llmo") + "\t\t\t/etc/x\t" + home + "\t" + binary);
        assertThat(plain.sources()).containsExactly(binary, Path.of("/etc/x/config.yaml"), Path.of("/etc/x/models.yaml"),
                home.resolve("llmo/config.yaml"), home.resolve("llmo/models.yaml"));
        assertThat(inProject.key()).startsWith(project + "\t");
        assertThat(inProject.sources()).contains(project, project.resolve("models.yaml"));
        assertThat(conversations.sources()).contains(home.resolve("llmo/conversations"));
        assertThat(CompletionCache.of("models", new CliEnvironment(null, null, null, env, work, home, ""),
                home.resolve("a\tb"))).isNull();
        assertThat(CompletionCache.directory(env, home)).isEqualTo(home.resolve(".cache/llmo/complete"));
        assertThat(CompletionCache.directory(Map.of("XDG_CACHE_HOME", "/c"), home)).isEqualTo(Path.of("/c/llmo/complete"));
        assertThat(CompletionCache.directory(Map.of("XDG_CACHE_HOME", "rel"), home)).isEqualTo(home.resolve(".cache/llmo/complete"));
    }

    @Test
    void theSignatureIsWhatStatPrintsAndThereIsNoneWhileASourceIsFresh() throws Exception {
        Path binary = Files.writeString(home.resolve("llmo-binary"), "x");
        Files.createDirectories(home.resolve("llmo"));
        Path models = Files.writeString(home.resolve("llmo/models.yaml"), "{}\n");
        CliEnvironment environment = new CliEnvironment(null, null, null,
                Map.of("HOME", home.toString(), "LLMO_HOME", home.resolve("llmo").toString(), "LLMO_SYSTEM_CONFIG_DIR",
                        home.resolve("etc").toString()), home, home, "");
        CompletionCache cache = CompletionCache.of("models", environment, binary);
        long now = System.currentTimeMillis();

        assertThat(cache.signature(now)).isNull(); // written this second: a change in the same second could not show
        Process stat = new ProcessBuilder("stat", "-L", "-c", "%i %s %Y %Z", binary.toString(), models.toString()).start();
        String printed = new String(stat.getInputStream().readAllBytes()).strip().replace("\n", ";");
        assertThat(stat.waitFor()).isZero();
        assertThat(cache.signature(now + 3_000)).isEqualTo("+---+;" + printed);
    }

    @Test
    void everyCommandAndOptionIsInEveryScript() {
        for (String shell : new String[] {"bash", "zsh", "fish"}) {
            String script = CliRun.in(home).run("install-completion", "--shell", shell, "--print").out();
            assertThat(script).as(shell).contains("install-completion", "chain", "validate", "replay", "passwd", "unlock", "lock", "--for",
                    "max-cost", "no-stream", "__complete", "models", "roles", "chains", "conversations", "vault-names",
                    "templates")
                    .doesNotContain("__cds-train");
        }
    }

    @Test
    void standardPlacesPerShell() {
        assertThat(InstallCompletionCommand.target(Shell.bash, Map.of(), home))
                .isEqualTo(home.resolve(".local/share/bash-completion/completions/llmo"));
        assertThat(InstallCompletionCommand.target(Shell.bash, Map.of("XDG_DATA_HOME", "/d"), home))
                .isEqualTo(Path.of("/d/bash-completion/completions/llmo"));
        assertThat(InstallCompletionCommand.target(Shell.zsh, Map.of(), home)).isEqualTo(home.resolve(".zfunc/_llmo"));
        assertThat(InstallCompletionCommand.target(Shell.fish, Map.of(), home))
                .isEqualTo(home.resolve(".config/fish/completions/llmo.fish"));
        assertThat(InstallCompletionCommand.rcLine(Shell.zsh, home.resolve(".zfunc/_llmo")))
                .contains("fpath=(" + home.resolve(".zfunc") + " $fpath)");
        assertThat(InstallCompletionCommand.rcLine(Shell.fish, home)).isNull();
    }

    @Test
    void installPrintsWhereAndTheRcLine() {
        CliRun.Result result = CliRun.in(home).run("install-completion", "--shell", "zsh");

        assertThat(result).succeeded();
        assertThat(result).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: installed zsh completion: " + home.resolve(".zfunc/_llmo") + "\n"
                + "llmo: add to ~/.zshrc, before compinit:\n  fpath=(" + home.resolve(".zfunc") + " $fpath)\n"
                + "  autoload -Uz compinit && compinit\n");
        assertThat(home.resolve(".zfunc/_llmo")).content().startsWith("#compdef llmo");
    }

    @Test
    void unknownShellIsAUsageError() {
        assertThat(CliRun.in(home).run("install-completion", "--shell", "csh")).failedWith(ExitCode.USAGE);
    }

    @Test
    void withoutShellTheOneShellNamesIsInstalled() {
        CliRun.Result result = CliRun.in(home).env("SHELL", "/usr/local/bin/fish").run("install-completion");

        assertThat(result).succeeded();
        assertThat(result).outIsEmpty().errIs("llmo: installed fish completion: "
                + home.resolve(".config/fish/completions/llmo.fish") + "\n");
        assertThat(home.resolve(".config/fish/completions/llmo.fish")).content().contains("complete -c llmo");
    }

    @Test
    void withoutShellAndWithAShellLlmoDoesNotKnowTheErrorSaysWhatToType() {
        CliRun.Result unknown = CliRun.in(home).env("SHELL", "/bin/tcsh").run("install-completion");
        CliRun.Result unset = CliRun.in(home).run("install-completion");

        assertThat(unknown).failedWith(ExitCode.USAGE);
        assertThat(unknown.err()).isEqualTo("llmo: error: $SHELL names 'tcsh', which llmo has no completion for; "
                + "name the shell: llmo install-completion --shell bash|zsh|fish\n");
        assertThat(unset).failedWith(ExitCode.USAGE);
        assertThat(unset.err()).startsWith("llmo: error: $SHELL is not set, so the shell is not known;");
    }
}
