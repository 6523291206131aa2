package dev.llmo.cli;

import com.sun.net.httpserver.HttpServer;
import dev.llmo.config.AppDirs;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import dev.llmo.vault.VaultSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Hidden: exercises the common paths once so that the launcher can record their classes in its class archives
 * (src/main/launcher/llmo.sh). The heaviest path, a streamed {@code run}, goes to a throw-away server on the
 * loopback interface with a throw-away LLMO_HOME, so that HTTP, SSE, the event log and the renderers are
 * archived too. Without arguments it runs every path in this JVM (the general archive records this JVM's
 * classes); {@code call LIST [STARTER]} runs the calls each in a JVM of its own, started from STARTER when it can be
 * made ({@link StarterJar}), and writes the classes they loaded to LIST, for the archive {@code run} maps instead
 * (ADR-003, "Eleventh round" and "Twenty-first round"). Prints nothing; touches nothing of the user's.
 */
@Command(name = "__cds-train", hidden = true)
final class CdsTrainingCommand implements Callable<Integer> {
    /** The vault format's fewest (VaultCodec.MIN_ITERATIONS). */
    private static final int TRAINING_VAULT_ITERATIONS = 1_000;
    private static final String TRAINING_VAULT_PASSWORD = "cds-train";
    /**
     * A prompt too large for a plain-HTTP call of llmo's own (provider/http/LocalHttp, 32 KiB at most): its call goes
     * through OkHttp, as an {@code https} call does, so that OkHttp's classes are in the archives too.
     */
    private static final String LARGE = "hello " + "x".repeat(40_000);
    private static final List<List<String>> PATHS = List.of(
            List.of("--help"), List.of("models"), List.of("models", "--json"), List.of("run", "--help"),
            List.of("run", "-m", "no-such-model", "x"), List.of("chain", "list"), List.of("--no-such-flag"),
            List.of("run", "-m", "train/m", "hello"),
            List.of("run", "-m", "train/m", "--json", "--max-cost", "1", "-c", "again"),
            List.of("run", "-m", "train/m", "-T", "train_tool", "hello"), List.of("run", "-m", "train/m", LARGE),
            List.of("log", "list"),
            List.of("log", "verify", "--all"), List.of("cost"),
            List.of("install-completion", "--shell", "bash", "--print"), List.of("__complete", "models"),
            List.of("__complete", "conversations"));
    /**
     * The runs whose classes make the launcher's archive for {@code run} (its "call" archive, the JDK's classes with
     * llmo's): a plain call, to a pipe and to a terminal, a continued one with JSON output under a budget, a call whose
     * key is in the vault, one whose key comes from an unlocked vault session (its client and the JDK's Unix-domain
     * sockets: ~8 ms of CPU from the jar and the JDK's image without them, ADR-003, "Twentieth round"), one whose model
     * calls a command tool (the tool catalog, its schema and arguments as JSON, the policy, the child process: without
     * it such a run loaded ~500 classes from the jar and the JDK's image, ~65 ms more than with the general archive),
     * one whose call goes through OkHttp ({@link #LARGE}: an {@code https} call's classes but TLS), a usage error and
     * the command's help. The first only fills the cache of parsed configuration, as a user's earlier
     * runs have.
     */
    private static final List<CallRun> CALL_RUNS = List.of(new CallRun("", "run", "-m", "train/m", "hello"),
            new CallRun("", "run", "-m", "train/m", "hello"), new CallRun("oe", "run", "-m", "train/m", "hello"),
            new CallRun("", "run", "-m", "train/m", "--json", "--max-cost", "1", "-c", "again"),
            new CallRun("", Key.PASSWORD, "run", "-m", "vtrain/m", "hello"),
            new CallRun("", Key.SESSION, "run", "-m", "vtrain/m", "hello"),
            new CallRun("", "run", "-m", "train/m", "-T", "train_tool", "hello"),
            new CallRun("", "run", "-m", "train/m", LARGE),
            new CallRun("", "run", "-m", "no-such-model", "x"),
            new CallRun("oe", "run", "--help"));
    /** A run that does not end in this time is stuck: no list, no call archive (the general one serves). */
    private static final long CALL_RUN_SECONDS = 60;
    private static final String STREAM = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
    /** The answer to a request that offers tools and has no tool result yet: a call of the training's tool. */
    private static final String TOOL_CALL = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
            + "\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
            + "\"train_tool\",\"arguments\":\"{\\\"text\\\":\\\"hello\\\"}\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
    /** The most of a request the training's server reads: its own runs' are a few KB. */
    private static final int MAX_REQUEST = 1 << 20;

    private final CliContext context;

    @Parameters(index = "0", arity = "0..1", description = "call: record the classes of runs, each in a JVM of its own; "
            + "starter: only make the starter jar for this binary")
    private String set;

    @Parameters(index = "1", arity = "0..1", description = "where the call runs' class list goes (starter: the starter jar)")
    private Path classList;

    @Parameters(index = "2", arity = "0..1", description = "the starter jar the call runs start from (StarterJar)")
    private Path starter;

    CdsTrainingCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        if ("starter".equals(set)) {
            // a binary at a path that a URL writes otherwise: every command starts from the starter (the launcher)
            return classList != null && StarterJar.make(classList, Path.of(System.getProperty("java.class.path")))
                    ? 0 : 1;
        }
        Path home = Files.createTempDirectory("llmo-cds-train");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String request = new String(exchange.getRequestBody().readNBytes(MAX_REQUEST), StandardCharsets.UTF_8);
            boolean callTool = request.contains("\"tools\"") && !request.contains("\"role\":\"tool\"");
            byte[] body = (callTool ? TOOL_CALL : STREAM).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            // one provider in YAML's flow style, one in block style (what most files use): the parser's classes of
            // both go into the archive
            Files.writeString(home.resolve("models.yaml"), "train:\n  type: openai\n  base_url: http://127.0.0.1:"
                    + server.getAddress().getPort() + "/v1\n  models: [{ name: m, pricing: { input_per_mtok: 1, "
                    + "output_per_mtok: 1 } }]\nvtrain:\n  type: openai\n  base_url: http://127.0.0.1:"
                    + server.getAddress().getPort() + "/v1\n  api_key_name: TRAIN_API_KEY\n  models:\n    - name: m\n");
            // a command tool the training's model calls, allowed without asking; cat echoes its arguments
            Files.writeString(home.resolve("config.yaml"), "tools:\n  train_tool:\n    description: Echo\n"
                    + "    command: [cat]\n    schema: { type: object, properties: { text: { type: string } } }\n"
                    + "tool_policy:\n  - { tool: train_tool, decision: allow }\n");
            Map<String, String> env = new HashMap<>(context.environment().env());
            env.put("LLMO_HOME", home.toString());
            env.put("LLMO_MAX_RETRIES", "0");
            env.put("XDG_CACHE_HOME", home.toString()); // __complete's cache of names stays in the throw-away home
            if ("call".equals(set)) {
                return recordCalls(home, env);
            }
            for (List<String> args : PATHS) {
                PrintWriter sink = new PrintWriter(Writer.nullWriter());
                CliEnvironment quiet = new CliEnvironment(new ByteArrayInputStream(new byte[0]), sink, sink, env,
                        home, home, "i");
                LlmoCli.execute(args.toArray(String[]::new), quiet);
            }
            // a run whose key is in the vault: AES-GCM, the vault and ledger MAC classes (what a run in an unlocked
            // session loads besides a plain run)
            Map<String, String> vaultEnv = vaultEnv(env);
            makeVault(home, vaultEnv);
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            LlmoCli.execute(new String[] {"run", "-m", "vtrain/m", "hello"}, new CliEnvironment(
                    new ByteArrayInputStream(new byte[0]), sink, sink, vaultEnv, home, home, "",
                    TRAINING_VAULT_ITERATIONS));
        } finally {
            server.stop(0);
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private static Map<String, String> vaultEnv(Map<String, String> env) {
        Map<String, String> vaultEnv = new HashMap<>(env);
        vaultEnv.remove("LLMO_VAULT_SESSION");
        vaultEnv.put("LLMO_VAULT_PASSWORD", TRAINING_VAULT_PASSWORD);
        return vaultEnv;
    }

    // The archive needs the classes, not the work: the throwaway vault gets the format's fewest iterations, two
    // derivations of a millisecond instead of a second each.
    private static void makeVault(Path home, Map<String, String> vaultEnv) {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        LlmoCli.execute(new String[] {"vault", "set", "TRAIN_API_KEY"}, new CliEnvironment(
                new ByteArrayInputStream("k\n".getBytes(StandardCharsets.UTF_8)), sink, sink, vaultEnv, home, home,
                "", TRAINING_VAULT_ITERATIONS));
    }

    /**
     * Runs {@link #CALL_RUNS}, each as a process of its own started the way the launcher starts a run (this process's
     * java and JVM options, read from its command line, then {@code -jar} and the starter or the binary), and writes
     * the classes they loaded to {@link #classList}: a list of what runs load and nothing of this trainer's (its
     * server, its picocli model, the commands it does not run). Their environment is a throw-away one: nothing of the user's, no key but
     * the throw-away vault's (with its password, or from a session of it, opened here and locked when the runs are
     * done; when no session can be opened, its run is left out). Returns 1, and writes nothing, when this process's
     * command line cannot be read or a run does not end.
     */
    private int recordCalls(Path home, Map<String, String> env) throws IOException {
        Launch found = launch(ProcessHandle.current().info());
        if (found == null || classList == null) {
            return 1;
        }
        // the runs start as the launcher will start a user's: from the starter, when it can be made here (or this
        // process started from it already: a binary at a path that a URL writes otherwise)
        Path jar = Path.of(found.main().get(1));
        boolean fromStarter = starter != null
                && (jar.equals(starter) ? Files.isRegularFile(starter) : StarterJar.make(starter, jar));
        Launch launch = fromStarter ? found.startingFrom(starter) : found;
        Map<String, String> runEnv = new HashMap<>();
        for (String name : List.of("LLMO_HOME", "LLMO_MAX_RETRIES", "XDG_CACHE_HOME")) {
            runEnv.put(name, env.get(name));
        }
        runEnv.put("HOME", home.toString());
        runEnv.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin"));
        for (String name : List.of("LANG", "LC_ALL", "LC_CTYPE")) {
            if (env.containsKey(name)) {
                runEnv.put(name, env.get(name));
            }
        }
        Map<String, String> vaultEnv = vaultEnv(runEnv);
        makeVault(home, vaultEnv);
        Map<String, String> sessionEnv = new HashMap<>(runEnv);
        sessionEnv.put("XDG_RUNTIME_DIR", Files.createDirectory(home.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))).toString());
        Map<Key, Map<String, String>> envs = new HashMap<>(Map.of(Key.NONE, runEnv, Key.PASSWORD, vaultEnv));
        VaultSession session = unlock(AppDirs.fromEnvironment(vaultEnv, home).vaultFile(), sessionEnv);
        if (session != null) {
            sessionEnv.put(VaultSession.ENV, session.environmentValue());
            envs.put(Key.SESSION, sessionEnv);
        }
        try {
            return recordCalls(home, launch, envs);
        } finally {
            if (session != null) {
                session.lock();
            }
        }
    }

    /**
     * A session of the training's vault for two minutes, as {@code vault unlock} opens one; null when it cannot be
     * opened here (no agent could start): its run is then left out, not the archive. Its agent is a process of its
     * own, which the training locks when it is done and which ends by itself if the training is killed first.
     */
    private static VaultSession unlock(Path vaultFile, Map<String, String> env) {
        char[] password = TRAINING_VAULT_PASSWORD.toCharArray();
        try (UnlockedVault open = Vault.withIterations(vaultFile, TRAINING_VAULT_ITERATIONS).unlock(password)) {
            return VaultSession.start(open, Duration.ofMinutes(2), env);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private int recordCalls(Path home, Launch launch, Map<Key, Map<String, String>> envs) throws IOException {
        Set<String> lines = new LinkedHashSet<>();
        for (int i = 0; i < CALL_RUNS.size(); i++) {
            CallRun run = CALL_RUNS.get(i);
            if (!envs.containsKey(run.key())) {
                continue;
            }
            Path part = home.resolve("classes." + i);
            List<String> command = new ArrayList<>(launch.options());
            command.add("-Dllmo.tty=" + run.tty()); // which streams the run takes for terminals (its output is dropped)
            if (i > 0) {
                command.add("-XX:DumpLoadedClassList=" + part);
            }
            command.addAll(launch.run());
            command.addAll(run.args());
            ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(envs.get(run.key()));
            Process process = builder.start();
            try {
                if (!process.waitFor(CALL_RUN_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return 1;
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                return 1;
            }
            if (i > 0) {
                for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
                    if (!line.startsWith("#")) {
                        lines.add(line);
                    }
                }
            }
        }
        Files.write(classList, lines, StandardCharsets.UTF_8);
        return 0;
    }

    /**
     * How the process {@code info} describes was started, in two parts: the java binary with its JVM options (without
     * the options that record or map class archives, and without its terminals), then its class path and main class;
     * null when its command line cannot be read or names no class path.
     */
    static Launch launch(ProcessHandle.Info info) {
        if (info.command().isEmpty() || info.arguments().isEmpty()) {
            return null;
        }
        List<String> options = new ArrayList<>();
        options.add(info.command().get());
        String[] args = info.arguments().get();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) {
                return i + 2 < args.length ? new Launch(options, List.of(arg, args[i + 1], args[i + 2])) : null;
            }
            if (!arg.startsWith("-XX:DumpLoadedClassList=") && !arg.startsWith("-XX:ArchiveClassesAtExit=")
                    && !arg.startsWith("-XX:SharedArchiveFile=") && !arg.startsWith("-Dllmo.tty=")) {
                options.add(arg);
            }
        }
        return null;
    }

    /**
     * A command line: the java binary and its options, then the class path and main class; and the jar a run starts
     * from, the binary itself unless a starter ({@link StarterJar}) is.
     */
    record Launch(List<String> options, List<String> main, String runJar) {
        Launch(List<String> options, List<String> main) {
            this(options, main, main.get(1));
        }

        Launch startingFrom(Path starter) {
            return new Launch(options, main, starter.toString());
        }

        /**
         * What follows the options in a {@code run}: a jar with {@code -jar}, as the launcher starts it, so that the
         * JVM reads the manifest's exports and the runs load what a user's do (without them, OkHttp's probe set up
         * every security provider, whose classes then filled the archive).
         */
        List<String> run() {
            return List.of("-jar", runJar);
        }
    }

    /** Where a training run's key comes from: none, the vault with its password, an unlocked session of it. */
    private enum Key { NONE, PASSWORD, SESSION }

    private record CallRun(String tty, Key key, List<String> args) {
        CallRun(String tty, String... args) {
            this(tty, Key.NONE, List.of(args));
        }

        CallRun(String tty, Key key, String... args) {
            this(tty, key, List.of(args));
        }
    }
}
