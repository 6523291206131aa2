package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated completion scripts in real bash, fish and zsh, calling the real binary for live names.
 * .ci/run installs fish and zsh; elsewhere a missing shell skips its test unless LLMO_REQUIRE_SHELLS is set.
 */
class CompletionIT {
    @TempDir
    Path home;
    BinaryRun llmo;

    @BeforeEach
    void setUp() throws Exception {
        llmo = BinaryRun.in(home).env("PATH", BinaryRun.binary().getParent() + ":" + System.getenv("PATH"));
        Path config = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(config.resolve("config.yaml"), "chains:\n  summarize: [\"Summarize>/Research)-openai\"]\n");
        Files.writeString(config.resolve("models.yaml"),
                "ollama:\n  models: [llama3.2, \"qwen3:30b-a3b\"]\n");
        Files.createDirectories(config.resolve("conversations"));
        Files.writeString(config.resolve("conversations/20261121T194048-a1b2.jsonl"), "");
    }

    private Path script(String shell) throws Exception {
        BinaryRun.Result result = llmo.run("install-completion", "--shell", shell, "--print");
        assertThat(result.exitCode()).isZero();
        Path file = home.resolve("completion." + shell);
        Files.writeString(file, result.out());
        return file;
    }

    private List<String> bash(Path script, String line) throws Exception {
        BinaryRun.Result result = llmo.exec(List.of("bash", "-c", "source \"$0\"; COMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE};"
                + " _llmo; printf '%s\\n' \"${COMPREPLY[@]}\"", script.toString(), line));
        assertThat(result.err()).isEmpty();
        return result.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void bashCompletesCommandsOptionsAndLiveNames() throws Exception {
        Path script = script("bash");

        assertThat(bash(script, "llmo ru")).containsExactly("run");
        assertThat(bash(script, "llmo run -m ")).contains("openai/gpt-4o-mini", "anthropic", "ollama/qwen3:30b-a3b");
        assertThat(bash(script, "llmo run -m ollama/")).containsExactly("ollama/llama3.2", "ollama/qwen3:30b-a3b");
        // bash breaks words at ':'; the reply continues after it
        assertThat(bash(script, "llmo run -m ollama/qwen3:")).containsExactly("30b-a3b");
        assertThat(bash(script, "llmo run --model=ollama/")).containsExactly("ollama/llama3.2", "ollama/qwen3:30b-a3b");
        assertThat(bash(script, "llmo run --model=ollama/qwen3:")).containsExactly("30b-a3b");
        assertThat(bash(script, "llmo chain run ")).containsExactly("code_review", "summarize");
        assertThat(bash(script, "llmo chain ")).containsExactlyInAnyOrder("list", "run", "show", "validate");
        assertThat(bash(script, "llmo run -r Dev")).containsExactly("Developer");
        assertThat(bash(script, "llmo log show ")).containsExactly("20261121T194048-a1b2");
        assertThat(bash(script, "llmo run --cid 2026")).containsExactly("20261121T194048-a1b2");
        assertThat(bash(script, "llmo vault get OPENAI")).containsExactly("OPENAI_API_KEY");
        assertThat(bash(script, "llmo run --no-s")).containsExactly("--no-stream");
        assertThat(bash(script, "llmo install-completion --shell ")).containsExactly("bash", "zsh", "fish");
        assertThat(bash(script, "llmo --debug mod")).containsExactly("models");
    }

    @Test
    void fishCompletesTheSame() throws Exception {
        assumeShell("fish");
        Path script = script("fish");

        assertThat(fish(script, "llmo ru")).containsExactly("run");
        assertThat(fish(script, "llmo run -m ollama/")).containsExactlyInAnyOrder("ollama/llama3.2", "ollama/qwen3:30b-a3b");
        assertThat(fish(script, "llmo chain run ")).containsExactlyInAnyOrder("code_review", "summarize");
        assertThat(fish(script, "llmo chain show s")).containsExactly("summarize");
        assertThat(fish(script, "llmo install-completion --shell ")).containsExactlyInAnyOrder("bash", "zsh", "fish");
    }

    private List<String> fish(Path script, String line) throws Exception {
        BinaryRun.Result result = llmo.exec(List.of("fish", "--no-config", "-c",
                "source $argv[1]; complete -C$argv[2]", script.toString(), line));
        assertThat(result.err()).isEmpty();
        return result.out().lines().map(l -> l.split("\t")[0]).toList();
    }

    @Test
    void zshRegistersTheCompletionAndItsFunctionsAnswer() throws Exception {
        assumeShell("zsh");
        Path script = script("zsh");

        BinaryRun.Result result = llmo.exec(List.of("zsh", "-fc", "autoload -Uz compinit && compinit -u -d \"$1/zcompdump\";"
                + " source \"$2\"; print -r -- \"registered: $_comps[llmo]\";"
                + " _llmo_candidates \"$(_llmo_spec '' run -m)\" | grep -c /;"
                + " _llmo_candidates \"$(_llmo_spec '' chain run)\" | tr '\\n' ' '", "zsh", home.toString(), script.toString()));

        assertThat(result.err()).isEmpty();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("registered: _llmo");
        assertThat(Integer.parseInt(lines.get(1))).isGreaterThan(20);
        assertThat(lines.get(2)).isEqualTo("code_review summarize ");
    }

    @Test
    void installWritesToTheShellsOwnPlace() throws Exception {
        BinaryRun.Result result = llmo.run("install-completion", "--shell", "fish");

        assertThat(result.exitCode()).isZero();
        Path installed = home.resolve(".config/fish/completions/llmo.fish");
        assertThat(result.out()).isEqualTo("Installed fish completion: " + installed + "\n");
        assertThat(Files.readString(installed)).startsWith("# fish completion for llmo");
    }

    private static void assumeShell(String shell) {
        boolean present = List.of(System.getenv("PATH").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, shell)));
        if (System.getenv("LLMO_REQUIRE_SHELLS") != null) {
            assertThat(present).as(shell + " is required (LLMO_REQUIRE_SHELLS is set)").isTrue();
        }
        assumeTrue(present, shell + " is not installed");
    }
}
