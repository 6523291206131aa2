package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        // a cache directory of its own (the shared one of the other tests holds their completion caches too), with
        // the shared start-up archive linked into it: the completions that start llmo start it as a user's do
        llmo = BinaryRun.in(home).env("PATH", BinaryRun.binary().getParent() + ":" + System.getenv("PATH"))
                .startUpArchiveIn(home.resolve("cache"));
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
        return bash(home, script, line);
    }

    private List<String> bash(Path workingDir, Path script, String line) throws Exception {
        BinaryRun.Result result = llmo.workingDir(workingDir).exec(bashCompletion(script, line));
        assertThat(result.err()).isEmpty();
        return result.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    private static List<String> bashCompletion(Path script, String line) {
        return List.of("bash", "-c", "source \"$0\"; COMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE};"
                + " _llmo; printf '%s\\n' \"${COMPREPLY[@]}\"", script.toString(), line);
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
        Files.writeString(home.resolve("notes.txt"), "x");
        assertThat(bash(script, "llmo run --attach " + home + "/note")).containsExactly(home + "/notes.txt");
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
    void aCurrentCacheAnswersWithoutStartingLlmoInEveryShellAndAChangedSourceNeverDoes() throws Exception {
        Map<String, Path> scripts = new LinkedHashMap<>();
        scripts.put("bash", script("bash"));
        for (String shell : List.of("zsh", "fish")) {
            if (shellPresent(shell)) {
                scripts.put(shell, script(shell));
            }
        }
        Path models = home.resolve("llmo/models.yaml");
        settle(models);
        settle(BinaryRun.binary());
        List<String> before = List.of("ollama/llama3.2", "ollama/qwen3:30b-a3b");
        assertThat(complete("bash", scripts, "llmo run -m ollama/")).containsExactlyElementsOf(before); // llmo runs
        assertThat(home.resolve("cache/llmo/complete/models")).exists();

        llmo.env("LLMO_JAVA", "/bin/false"); // from here on, llmo cannot start: names can only come from the cache
        for (String shell : scripts.keySet()) {
            assertThat(complete(shell, scripts, "llmo run -m ollama/")).as(shell).containsExactlyElementsOf(before);
        }
        // the same size, the old modification time, the same inode: only the change time tells
        FileTime modified = Files.getLastModifiedTime(models);
        Files.writeString(models, Files.readString(models).replace("llama3.2", "llama3.3"));
        Files.setLastModifiedTime(models, modified);
        for (String shell : scripts.keySet()) {
            assertThat(complete(shell, scripts, "llmo run -m ollama/")).as(shell).isEmpty();
        }
        llmo.without("LLMO_JAVA");
        assertThat(complete("bash", scripts, "llmo run -m ollama/"))
                .containsExactly("ollama/llama3.3", "ollama/qwen3:30b-a3b");
    }

    @Test
    void aCacheIsForItsProjectAndItsConversations() throws Exception {
        Path script = script("bash");
        Path conversations = home.resolve("llmo/conversations");
        Path sub = Files.createDirectories(home.resolve("work/sub"));
        settle(home.resolve("llmo/models.yaml"));
        settle(conversations);
        settle(BinaryRun.binary());
        assertThat(bash(script, "llmo run -m ollama/")).hasSize(2);
        assertThat(bash(script, "llmo log show ")).containsExactly("20261121T194048-a1b2");

        llmo.env("LLMO_JAVA", "/bin/false");
        assertThat(bash(script, "llmo log show ")).containsExactly("20261121T194048-a1b2");
        Files.writeString(conversations.resolve("20261122T080000-c3d4.jsonl"), "");
        assertThat(bash(script, "llmo log show ")).isEmpty();
        // a project found above the working directory is another configuration
        Files.createDirectories(home.resolve("work/.llmo"));
        assertThat(bash(sub, script, "llmo run -m ollama/")).isEmpty();
        assertThat(bash(home, script, "llmo run -m ollama/")).hasSize(2);
        llmo.env("LLMO_HOME", home.resolve("other").toString());
        assertThat(bash(script, "llmo run -m ollama/")).isEmpty();
    }

    @Test
    void aNameThatWouldRunInTheShellIsNeverCompleted() throws Exception {
        Path script = script("bash");
        Path project = Files.createDirectories(home.resolve("repo/.llmo"));
        Files.writeString(project.resolve("models.yaml"), """
                evil:
                  type: openai
                  base_url: http://127.0.0.1:9/v1
                  models: ["$(touch pwned)", "`touch pwned`", "ok"]
                """);

        assertThat(bash(project.getParent(), script, "llmo run -m evil/")).containsExactly("evil/ok");
        assertThat(project.getParent().resolve("pwned")).doesNotExist();
    }

    private List<String> complete(String shell, Map<String, Path> scripts, String line) throws Exception {
        return switch (shell) {
            case "bash" -> bash(scripts.get(shell), line);
            case "fish" -> fish(scripts.get(shell), line);
            default -> zsh(scripts.get(shell), line.substring("llmo ".length()).split(" "));
        };
    }

    private List<String> zsh(Path script, String... words) throws Exception {
        List<String> command = new ArrayList<>(List.of("zsh", "-fc", "autoload -Uz compinit && compinit -u -d \"$1/zcompdump\";"
                + " source \"$2\"; shift 2; _llmo_candidates \"$(_llmo_spec '' \"$@\")\"", "zsh", home.toString(),
                script.toString()));
        command.addAll(List.of(words).subList(0, words.length - 1));
        String prefix = words[words.length - 1];
        BinaryRun.Result result = llmo.exec(command);
        assertThat(result.err()).isEmpty();
        return result.out().lines().filter(l -> !l.isEmpty() && l.startsWith(prefix)).toList();
    }

    /** Waits until the file's change time is over two seconds old: before that, llmo writes no cache of it. */
    private static void settle(Path file) throws Exception {
        long changed = ((FileTime) Files.getAttribute(file, "unix:ctime")).toMillis() / 1000;
        while (System.currentTimeMillis() / 1000 <= changed + 2) {
            Thread.sleep(100);
        }
    }

    @Test
    void installWritesToTheShellsOwnPlace() throws Exception {
        BinaryRun.Result result = llmo.run("install-completion", "--shell", "fish");

        assertThat(result.exitCode()).isZero();
        Path installed = home.resolve(".config/fish/completions/llmo.fish");
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("llmo: installed fish completion: " + installed + "\n");
        assertThat(Files.readString(installed)).startsWith("# fish completion for llmo");
    }

    private static void assumeShell(String shell) {
        assumeTrue(shellPresent(shell), shell + " is not installed");
    }

    private static boolean shellPresent(String shell) {
        boolean present = List.of(System.getenv("PATH").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, shell)));
        if (System.getenv("LLMO_REQUIRE_SHELLS") != null) {
            assertThat(present).as(shell + " is required (LLMO_REQUIRE_SHELLS is set)").isTrue();
        }
        return present;
    }
}
