package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmo vault unlock} with the built binary: later processes of the "shell" (those given the printed
 * variable) run without the vault password; {@code lock} and the expiry end the agent process; a child process
 * (api_key_cmd) gets neither the variable nor the key. Every agent a test starts is ended after it.
 */
class VaultSessionIT {
    private static final String PASSWORD = "it vault password 15";
    private static final String KEY = "sk-vault-session-secret";
    private static final Pattern EXPORT = Pattern.compile("LLMO_VAULT_SESSION='([^']+)'; export LLMO_VAULT_SESSION;\n");

    @TempDir
    static Path shared;
    /** The vault with the key, stored once: {@code vault set} runs the key derivation, each test gets a copy. */
    private static Path vault;
    @TempDir
    Path home;
    private Path runtime;
    private MockWebServer server;

    @BeforeAll
    static void storeTheKey() throws Exception {
        BinaryRun.Result stored = BinaryRun.in(shared).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin(KEY + "\n")
                .run("vault", "set", "MOCK_API_KEY");
        assertThat(stored.exitCode()).as(stored.err()).isZero();
        vault = shared.resolve("llmo/vault.enc");
    }

    @BeforeEach
    void setUp() throws Exception {
        server = MockServers.create();
        server.start();
        runtime = Files.createDirectory(home.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path dir = Files.createDirectories(home.resolve("llmo"));
        // the child provider's api_key_cmd records what it was given, and tries to read the vault itself
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %1$s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                child:
                  type: openai
                  base_url: %1$s
                  api_key_cmd: "printenv LLMO_VAULT_SESSION > '%2$s/child-env'; '%3$s' vault get MOCK_API_KEY 2>'%2$s/child-err' || echo child-got-no-key"
                  default_model: c1
                  models:
                    - name: c1
                """.formatted(server.url("/v1"), home, BinaryRun.binary().toAbsolutePath()));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
        Files.copy(vault, dir.resolve("vault.enc"), StandardCopyOption.COPY_ATTRIBUTES);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            // whatever happened above, no agent of this test outlives it (SIGTERM, as `vault lock` would end it, without
            // a process of its own for it)
            for (ProcessHandle agent : agents()) {
                agent.destroy();
                agent.onExit().completeOnTimeout(agent, 10, TimeUnit.SECONDS).get();
                agent.destroyForcibly();
            }
        } finally {
            server.shutdown();
        }
    }

    private BinaryRun llmo() {
        return BinaryRun.in(home).env("XDG_RUNTIME_DIR", runtime.toString());
    }

    /** The agent processes this test started (their socket is under its runtime directory). */
    private List<ProcessHandle> agents() {
        String marker = runtime.toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(args -> List.of(args).stream().anyMatch(a -> a.startsWith(marker))).orElse(false)).toList();
    }

    private String unlock(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("vault", "unlock"));
        args.addAll(List.of(more));
        BinaryRun.Result unlocked = llmo().env("LLMO_VAULT_PASSWORD", PASSWORD).run(args.toArray(String[]::new));
        assertThat(unlocked.exitCode()).as(unlocked.err()).isZero();
        assertThat(unlocked.err()).contains("llmo: the vault is open until ").doesNotContain(PASSWORD, KEY);
        Matcher export = EXPORT.matcher(unlocked.out());
        assertThat(export.matches()).as(unlocked.out()).isTrue();
        return export.group(1);
    }

    private BinaryRun.Result runWith(String session, String... args) throws Exception {
        server.enqueue(OpenAiAnswers.streamed("answered"));
        return llmo().env("LLMO_VAULT_SESSION", session).run(args);
    }

    @Test
    void afterUnlockCommandsNeedNoPasswordUntilLockButChildrenAndForgedTokensGetNothing() throws Exception {
        String session = unlock();
        assertThat(agents()).hasSize(1);
        Path socket = Path.of(session.substring(0, session.lastIndexOf('#')));
        assertThat(socket.getParent()).isEqualTo(runtime.resolve("llmo"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        // the agent got the key through a pipe: nothing of it in its command line, and no environment at all
        ProcessHandle agent = agents().get(0);
        assertThat(String.join(" ", agent.info().arguments().orElseThrow())).doesNotContain(KEY, PASSWORD);
        assertThat(Files.readString(Path.of("/proc/" + agent.pid() + "/environ")))
                .doesNotContain("LLMO_", "MOCK_API_KEY", KEY, PASSWORD);

        // no LLMO_VAULT_PASSWORD and no terminal: only the session can give the key; its socket, the vault's
        // cipher and the ledger's MAC come without the JDK's SUN provider (JdkCrypto, ADR-003 "Twenty-first round")
        Path classes = home.resolve("classes.log");
        server.enqueue(OpenAiAnswers.streamed("answered"));
        BinaryRun.Result run = llmo().env("LLMO_VAULT_SESSION", session)
                .env("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classes).run("run", "hi");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("answered");
        assertThat(server.takeRequest(10, TimeUnit.SECONDS).getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(Files.readString(classes)).contains("sun.nio.ch.UnixDomainSockets ", "HmacCore ")
                .doesNotContain("sun.security.provider.Sun ");

        BinaryRun.Result get = llmo().env("LLMO_VAULT_SESSION", session).run("vault", "get", "MOCK_API_KEY");
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(get.out()).isEqualTo(KEY + "\n");
        BinaryRun.Result status = llmo().env("LLMO_VAULT_SESSION", session).run("vault", "status");
        assertThat(status.out()).containsPattern("session: +open until 20");

        // a child process (the child provider's api_key_cmd) gets neither the session nor the key
        BinaryRun.Result child = runWith(session, "run", "-m", "child", "hi");
        assertThat(child.exitCode()).as(child.err()).isZero();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS).getHeader("Authorization")).isEqualTo("Bearer child-got-no-key");
        assertThat(Files.readString(home.resolve("child-env"))).isEmpty();
        assertThat(Files.readString(home.resolve("child-err"))).contains("is locked and there is no terminal");

        // a wrong token gets nothing from the agent, and a refused client does not end the session
        int at = session.length() - 10;  // inside the token, away from base64's spare bits at its end
        String forged = session.substring(0, at) + (session.charAt(at) == 'A' ? 'B' : 'A') + session.substring(at + 1);
        BinaryRun.Result forgedGet = llmo().env("LLMO_VAULT_SESSION", forged).run("vault", "get", "MOCK_API_KEY");
        assertThat(forgedGet.exitCode()).isEqualTo(4);
        assertThat(forgedGet.out()).isEmpty();
        assertThat(agents()).extracting(ProcessHandle::pid).containsExactly(agent.pid());

        BinaryRun.Result lock = llmo().env("LLMO_VAULT_SESSION", session).run("vault", "lock");
        assertThat(lock.exitCode()).as(lock.err()).isZero();
        assertThat(lock.out()).isEqualTo("unset LLMO_VAULT_SESSION;\n");
        assertThat(lock.err()).isEqualTo("llmo: closed 1 vault session\n");
        agent.onExit().get(30, TimeUnit.SECONDS);
        assertThat(agents()).isEmpty();
        assertThat(socket).doesNotExist();

        // the stale variable leads nowhere: without a password, the vault stays locked
        BinaryRun.Result after = llmo().env("LLMO_VAULT_SESSION", session).run("run", "hi");
        assertThat(after.exitCode()).isEqualTo(4);
        assertThat(after.err()).contains("is locked and there is no terminal to ask for its password");
        BinaryRun.Result staleStatus = llmo().env("LLMO_VAULT_SESSION", session).run("vault", "status");
        assertThat(staleStatus.out()).contains("closed or expired (LLMO_VAULT_SESSION is stale)");
    }

    @Test
    void theSessionEndsByItselfAndItsProcessWithIt() throws Exception {
        String session = unlock("--for", "3s");
        // unlock returned once its agent answered; on a busy machine the 3 s can be over before the process list is
        // read, so the agent may be gone already; if it is still there, it exits at its expiry: waited for, not timed
        // (a generous bound for a busy machine)
        List<ProcessHandle> agents = agents();
        assertThat(agents).hasSizeLessThanOrEqualTo(1);
        for (ProcessHandle agent : agents) {
            agent.onExit().get(60, TimeUnit.SECONDS);
        }

        assertThat(agents()).isEmpty();
        assertThat(Path.of(session.substring(0, session.lastIndexOf('#')))).doesNotExist();
        BinaryRun.Result after = llmo().env("LLMO_VAULT_SESSION", session).run("vault", "get", "MOCK_API_KEY");
        assertThat(after.exitCode()).isEqualTo(4);
        assertThat(after.out()).isEmpty();
    }

    @Test
    void unlockingAgainReplacesTheSessionOfTheShell() throws Exception {
        String first = unlock();
        ProcessHandle firstAgent = agents().get(0);

        BinaryRun.Result again = llmo().env("LLMO_VAULT_PASSWORD", PASSWORD).env("LLMO_VAULT_SESSION", first)
                .run("vault", "unlock", "--for", "1h");

        assertThat(again.exitCode()).as(again.err()).isZero();
        firstAgent.onExit().get(30, TimeUnit.SECONDS);
        assertThat(agents()).hasSize(1);
    }
}
