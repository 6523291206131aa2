package dev.llmo.cli;

import com.sun.net.httpserver.HttpServer;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * Hidden: exercises the common paths once so that the launcher can record their classes in the AppCDS archive
 * (src/main/launcher/llmo.sh). The heaviest path, a streamed {@code run}, goes to a throw-away server on the
 * loopback interface with a throw-away LLMO_HOME, so that HTTP, SSE, the event log and the renderers are
 * archived too. Prints nothing; touches nothing of the user's.
 */
@Command(name = "__cds-train", hidden = true)
final class CdsTrainingCommand implements Callable<Integer> {
    /** The vault format's fewest (VaultCodec.MIN_ITERATIONS). */
    private static final int TRAINING_VAULT_ITERATIONS = 1_000;
    private static final List<List<String>> PATHS = List.of(
            List.of("--help"), List.of("models"), List.of("models", "--json"), List.of("run", "--help"),
            List.of("run", "-m", "no-such-model", "x"), List.of("chain", "list"), List.of("--no-such-flag"),
            List.of("run", "-m", "train/m", "hello"), List.of("run", "-m", "train/m", "--json", "-c", "again"),
            List.of("log", "list"), List.of("log", "verify", "--all"), List.of("cost"),
            List.of("install-completion", "--shell", "bash", "--print"), List.of("__complete", "models"),
            List.of("__complete", "conversations"));
    private static final String STREAM = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";

    private final CliContext context;

    CdsTrainingCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        Path home = Files.createTempDirectory("llmo-cds-train");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
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
            Map<String, String> env = new HashMap<>(context.environment().env());
            env.put("LLMO_HOME", home.toString());
            env.put("LLMO_MAX_RETRIES", "0");
            env.put("XDG_CACHE_HOME", home.toString()); // __complete's cache of names stays in the throw-away home
            for (List<String> args : PATHS) {
                PrintWriter sink = new PrintWriter(Writer.nullWriter());
                CliEnvironment quiet = new CliEnvironment(new ByteArrayInputStream(new byte[0]), sink, sink, env,
                        home, home, "i");
                LlmoCli.execute(args.toArray(String[]::new), quiet);
            }
            // a run whose key is in the vault: AES-GCM, the vault and ledger MAC classes (what a run in an unlocked
            // session loads besides a plain run). The archive needs the classes, not the work: the throwaway vault
            // gets the format's fewest iterations, two derivations of a millisecond instead of a second each.
            Map<String, String> vaultEnv = new HashMap<>(env);
            vaultEnv.remove("LLMO_VAULT_SESSION");
            vaultEnv.put("LLMO_VAULT_PASSWORD", "cds-train");
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            LlmoCli.execute(new String[] {"vault", "set", "TRAIN_API_KEY"}, new CliEnvironment(
                    new ByteArrayInputStream("k\n".getBytes(StandardCharsets.UTF_8)), sink, sink, vaultEnv, home, home,
                    "", TRAINING_VAULT_ITERATIONS));
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
}
