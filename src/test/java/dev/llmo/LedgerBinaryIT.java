package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger as a user meets it: real {@code llmo run} processes (several at once) anchor their conversations,
 * {@code log anchor} prints the head, and a deleted conversation makes {@code log verify --all} exit 6.
 */
class LedgerBinaryIT {
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), "mock:\n  type: openai\n  base_url: " + server.url("/v1")
                + "\n  models: [m1]\n");
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    @Test
    void concurrentRunsAreAnchoredAndADeletedConversationFailsVerification() throws Exception {
        int runs = 4;
        for (int i = 0; i < runs; i++) {
            server.enqueue(OpenAiAnswers.streamed("answer"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        List<Future<BinaryRun.Result>> started = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String prompt = "question " + i;
            started.add(pool.submit(() -> BinaryRun.in(home).run("run", prompt)));
        }
        for (Future<BinaryRun.Result> result : started) {
            assertThat(result.get().exitCode()).as(result.get().err()).isZero();
        }
        pool.shutdown();

        BinaryRun.Result clean = BinaryRun.in(home).run("log", "verify", "--all");
        assertThat(clean.exitCode()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("ok  ledger  " + runs + " entries");
        Path conversations = home.resolve("llmo/conversations");
        String name;
        try (Stream<Path> files = Files.list(conversations)) {
            name = files.sorted().findFirst().orElseThrow().getFileName().toString();
        }
        BinaryRun.Result byName = BinaryRun.in(home).workingDir(conversations).run("log", "verify", name);
        assertThat(byName.exitCode()).as("a log named by its bare file name: " + byName.err()).isZero();
        assertThat(byName.out()).contains("ok  " + name.replace(".jsonl", ""));

        BinaryRun.Result anchor = BinaryRun.in(home).run("log", "anchor");
        assertThat(anchor.exitCode()).as(anchor.err()).isZero();
        String head = anchor.out().strip();
        assertThat(head).matches("sha256:[0-9a-f]{64}");

        Path deleted;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            deleted = files.sorted().findFirst().orElseThrow();
        }
        Files.delete(deleted);
        String id = deleted.getFileName().toString().replace(".jsonl", "");

        BinaryRun.Result verify = BinaryRun.in(home).run("log", "verify", "--all");
        assertThat(verify.exitCode()).isEqualTo(6);
        assertThat(verify.out()).contains("FAILED  " + id + "  deleted");
        assertThat(verify.err()).contains("llmo: error: 1 ledger problem found; first: ").contains(id)
                .doesNotContain("Exception");
        BinaryRun.Result check = BinaryRun.in(home).run("log", "anchor", "--check", head);
        assertThat(check.exitCode()).as("the ledger itself is intact").isZero();
    }
    /**
     * A conversation edited by hand, as the real binary meets it: {@code log verify} and {@code log show} exit 6
     * (show still shows it, marked where it breaks), and {@code run --cid} refuses to continue it: nothing is sent,
     * nothing appended. One rolled back to an earlier copy verifies on its own but fails against the ledger, with
     * the same FAILED line for its ID alone as for --all.
     */
    @Test
    void anEditedConversationIsNotContinuedAndOneRolledBackFailsItsOwnVerify() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("the real plan"));
        BinaryRun.Result first = BinaryRun.in(home).run("run", "secret plan");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.findFirst().orElseThrow();
        }
        String id = log.getFileName().toString().replace(".jsonl", "");
        List<String> lines = Files.readAllLines(log);
        assertThat(lines.get(3)).contains("the real plan");
        lines.set(3, lines.get(3).replace("the real plan", "a forged plan"));
        Files.write(log, lines);
        byte[] edited = Files.readAllBytes(log);

        BinaryRun.Result verify = BinaryRun.in(home).run("log", "verify", id);
        assertThat(verify.exitCode()).isEqualTo(6);
        assertThat(verify.out()).startsWith("FAILED  " + id + "  line 4: edited: ").doesNotContain("ok  ");
        BinaryRun.Result show = BinaryRun.in(home).run("log", "show", id);
        assertThat(show.exitCode()).as(show.err()).isEqualTo(6);
        assertThat(show.out()).contains("secret plan", "── chain broken here, line 4: edited: ", "a forged plan");
        BinaryRun.Result continued = BinaryRun.in(home).run("run", "--cid", id, "next");
        assertThat(continued.exitCode()).as(continued.err()).isEqualTo(6);
        assertThat(continued.out()).isEmpty();
        assertThat(continued.err()).startsWith("llmo: error: " + log + " does not verify, so it cannot be continued: "
                + "line 4: edited: ").contains("'llmo log verify " + id + "'").doesNotContain("Exception");
        assertThat(server.getRequestCount()).as("only the first run's request").isEqualTo(1);
        assertThat(Files.readAllBytes(log)).isEqualTo(edited);

        // rolled back: a whole, older copy of a conversation that has since grown
        server.enqueue(OpenAiAnswers.streamed("one"));
        server.enqueue(OpenAiAnswers.streamed("two"));
        assertThat(BinaryRun.in(home).run("run", "first").exitCode()).isZero();
        Path grown;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            grown = files.filter(file -> !file.equals(log)).findFirst().orElseThrow();
        }
        String grownId = grown.getFileName().toString().replace(".jsonl", "");
        byte[] older = Files.readAllBytes(grown);
        assertThat(BinaryRun.in(home).run("run", "--cid", grownId, "more").exitCode()).isZero();
        Files.write(grown, older);
        BinaryRun.Result one = BinaryRun.in(home).run("log", "verify", grownId);
        assertThat(one.exitCode()).isEqualTo(6);
        assertThat(one.out()).isEqualTo("FAILED  " + grownId + "  truncated: the file has 5 events; the ledger "
                + "recorded 10 (entry 2)\n");
        BinaryRun.Result all = BinaryRun.in(home).run("log", "verify", "--all");
        assertThat(all.out()).contains(one.out()).doesNotContain("ok  " + grownId);
    }

    /**
     * An attacker without the vault password against the real binary: every way of stripping the MACs — an entry
     * re-chained without its MAC, the whole ledger rewritten without MACs, the ledger emptied or deleted — exits 6.
     */
    @Test
    void withAVaultStrippingTheMacsOrTheLedgerFailsVerification() throws Exception {
        String password = "correct horse battery staple";
        BinaryRun.Result stored = BinaryRun.in(home).env("LLMO_VAULT_PASSWORD", password).stdin("sk-unused\n")
                .run("vault", "set", "UNUSED_KEY");
        assertThat(stored.exitCode()).as(stored.err()).isZero();
        for (int i = 0; i < 2; i++) {
            server.enqueue(OpenAiAnswers.streamed("answer"));
            BinaryRun.Result run = BinaryRun.in(home).env("LLMO_VAULT_PASSWORD", password).run("run", "q" + i);
            assertThat(run.exitCode()).as(run.err()).isZero();
        }
        Path ledger = home.resolve("llmo/ledger.jsonl");
        List<String> original = Files.readAllLines(ledger);
        assertThat(original).hasSize(2).allMatch(line -> line.contains("\"mac\":\"hmac-sha256:"));

        Files.write(ledger, List.of(original.get(0), original.get(1).replaceFirst(",\"mac\":\"[^\"]*\"", "")));
        assertFails("FAILED  ledger  line 2: unauthenticated");

        Files.write(ledger, withoutMacs(original));
        assertFails("FAILED  ledger  unauthenticated: a vault exists but none of its 2 entries has a MAC");

        Files.write(ledger, new byte[0]);
        assertFails("FAILED  ledger  missing: it is empty");

        Files.delete(ledger);
        assertFails("FAILED  ledger  missing: there is none");
    }

    private void assertFails(String line) throws Exception {
        BinaryRun.Result verify = BinaryRun.in(home).run("log", "verify", "--all");
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(6);
        assertThat(verify.out()).contains(line).doesNotContain("ok  ledger");
        assertThat(verify.err()).contains("llmo: error: ").doesNotContain("Exception");
    }

    /** The entries re-chained from the first without MACs: what someone who can write the file can make. */
    private static List<String> withoutMacs(List<String> lines) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> out = new ArrayList<>();
        String prev = "sha256:" + "0".repeat(64);
        for (String line : lines) {
            var entry = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
            entry.remove("mac");
            entry.remove("hash");
            entry.put("prev", prev);
            prev = dev.llmo.eventlog.Sha256.of(dev.llmo.eventlog.CanonicalJson.write(entry));
            entry.put("hash", prev);
            out.add(entry.toString());
        }
        return out;
    }
}
