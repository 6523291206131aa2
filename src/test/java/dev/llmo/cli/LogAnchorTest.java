package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import dev.llmo.Python3;
import dev.llmo.failure.ExitCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log verify --all} against the ledger that runs write, and {@code log anchor}. */
class LogAnchorTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;
    private MockWebServer server;
    private Path data;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        data = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(data.resolve("models.yaml"), "mock:\n  type: openai\n  base_url: " + server.url("/v1")
                + "\n  models: [m1]\n");
        Files.writeString(data.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private CliRun.Result run(CliRun cli, String prompt) {
        server.enqueue(OpenAiAnswers.streamed("answer to " + prompt));
        CliRun.Result result = cli.run("run", prompt);
        assertThat(result).succeeded();
        return result;
    }

    private List<Path> conversations() throws Exception {
        try (Stream<Path> files = Files.list(data.resolve("conversations"))) {
            return files.sorted().toList();
        }
    }

    private Path ledger() {
        return data.resolve("ledger.jsonl");
    }

    /**
     * A last event that only lost its newline: the advice says what --repair does (add it, keeping every event), and
     * the repair's report checks the file as repaired, against the ledger too, for one ID and for --all.
     */
    @Test
    void aLastEventWithoutItsNewlineIsAdvisedAndReportedAsRepairLeavesIt() throws Exception {
        run(CliRun.in(home), "one");
        Path file = conversations().get(0);
        String id = file.getFileName().toString().replace(".jsonl", "");
        byte[] whole = Files.readAllBytes(file);
        long events = new String(whole, StandardCharsets.UTF_8).lines().count();
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 1));

        CliRun.Result advised = CliRun.in(home).run("log", "verify", id);
        assertThat(advised).failedWith(ExitCode.LOG_INVALID).errContains("run 'llmo log verify " + id + " --repair' to "
                + "add its missing newline, keeping all " + events + " events");

        for (String[] command : List.of(new String[] {"log", "verify", id, "--repair"},
                new String[] {"log", "verify", "--all", "--repair"})) {
            Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 1));
            CliRun.Result repaired = CliRun.in(home).run(command);
            assertThat(repaired).succeeded();
            assertThat(repaired.out()).contains("repaired  " + id + "  added the missing newline after the last "
                    + "event, kept " + events + " events\nok  " + id + "  " + events + " events\n")
                    .doesNotContain("FAILED");
            assertThat(Files.readAllBytes(file)).isEqualTo(whole);
        }
    }

    @Test
    void runsAreAnchoredAndACleanHistoryVerifies() throws Exception {
        run(CliRun.in(home), "one");
        run(CliRun.in(home), "two");

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).succeeded().outContains("ok  ledger  2 entries, head sha256:", ", no MACs")
                .errDoesNotContain("warning");
        assertThat(Files.readAllLines(ledger())).hasSize(2);

        // the ledger beside conversations/ is not a conversation to list, cost or complete
        CliRun.Result list = CliRun.in(home).run("log", "list");
        assertThat(list.out().lines()).hasSize(3);
        CliRun.Result cost = CliRun.in(home).run("cost");
        assertThat(cost).succeeded().outContains("mock/m1");
        CliRun.Result completion = CliRun.in(home).run("__complete", "conversations");
        assertThat(completion.out().lines()).hasSize(2).noneMatch(line -> line.contains("ledger"));
    }

    @Test
    void aDeletedConversationFailsVerifyAllWithExit6() throws Exception {
        run(CliRun.in(home), "one");
        run(CliRun.in(home), "two");
        Path deleted = conversations().get(0);
        Files.delete(deleted);
        String id = deleted.getFileName().toString().replace(".jsonl", "");

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID)
                .outContains("FAILED  " + id + "  deleted: the file is gone");
        assertThat(verify.err()).startsWith("llmo: error: 1 ledger problem found; first: ").contains(id + ".jsonl deleted")
                .doesNotContain("Exception");
    }

    @Test
    void verifyingOneConversationTruncatedMidWayFailsAgainstItsLedgerEntry() throws Exception {
        run(CliRun.in(home), "one");
        Path file = conversations().get(0);
        List<String> events = Files.readAllLines(file);
        Files.write(file, events.subList(0, 3));
        String id = file.getFileName().toString().replace(".jsonl", "");

        CliRun.Result verify = CliRun.in(home).run("log", "verify", id);
        assertThat(verify).failedWith(ExitCode.LOG_INVALID)
                .outIs("FAILED  " + id + "  truncated: the file has 3 events; the ledger recorded 5 (entry 0)\n")
                .errContains(id + ".jsonl truncated: the file has 3 events; the ledger recorded 5");
        CliRun.Result all = CliRun.in(home).run("log", "verify", "--all");
        assertThat(all).as("one ID and --all say the same of it").failedWith(ExitCode.LOG_INVALID)
                .outContains(verify.out()).outDoesNotContain("ok  " + id);
    }

    @Test
    void aTruncatedRechainedOrSwappedConversationFailsVerifyAllWithExit6() throws Exception {
        for (String prompt : List.of("one", "two", "three", "four")) {
            run(CliRun.in(home), prompt);
        }
        List<Path> files = conversations();
        Files.write(files.get(0), new byte[0]); // truncated to nothing
        Files.write(files.get(1), Files.readAllLines(files.get(1)).subList(0, 2)); // truncated mid-way
        Path aside = home.resolve("aside.jsonl"); // the other two swapped
        Files.move(files.get(2), aside);
        Files.move(files.get(3), files.get(2));
        Files.move(aside, files.get(3));

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID);
        assertThat(verify.out()).contains("FAILED  " + id(files.get(0)) + "  truncated: the file has 0 events",
                "FAILED  " + id(files.get(1)) + "  truncated: the file has 2 events",
                "FAILED  " + id(files.get(2)) + "  swapped: the file holds the events of conversation "
                        + id(files.get(3)),
                "FAILED  " + id(files.get(3)) + "  swapped");
        assertThat(verify.err()).contains("4 ledger problems found");

        // a consistent rewrite: a new valid chain with other content under the old id
        Path forged;
        try (dev.llmo.eventlog.EventLog log = dev.llmo.eventlog.EventLog.create(home.resolve("forgery"),
                new dev.llmo.eventlog.EventData.SessionStart("run", dev.llmo.eventlog.RunMode.SINGLE, List.of("mock/m1"), null, "0.1.0"))) {
            for (int i = 0; i < 4; i++) {
                log.append(dev.llmo.eventlog.EventData.Message.user("what I wish I had asked " + i));
            }
            forged = log.file();
        }
        Files.move(forged, files.get(3), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun.Result rechained = CliRun.in(home).run("log", "verify", "--all");
        assertThat(rechained.out()).contains("FAILED  " + id(files.get(3)) + "  re-chained: its event at seq 4");
    }

    @Test
    void aTornLedgerEntryFailsUntilRepairedAndRunsSaySo() throws Exception {
        run(CliRun.in(home), "one");
        Files.writeString(ledger(), "{\"v\":1,\"seq\":1,", java.nio.file.StandardOpenOption.APPEND);

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID).outContains("FAILED  ledger  line 2: torn")
                .errContains("run 'llmo log verify --all --repair'");

        server.enqueue(OpenAiAnswers.streamed("answer"));
        CliRun.Result refused = CliRun.in(home).run("run", "two");
        assertThat(refused.out()).as("the answer is given and logged").contains("answer");
        assertThat(refused).failedWith(ExitCode.LOG_INVALID);
        assertThat(refused.err()).contains("ends with a torn or foreign line", "--repair").doesNotContain("Exception");

        CliRun.Result repaired = CliRun.in(home).run("log", "verify", "--all", "--repair");
        assertThat(repaired).succeeded().outContains("repaired  ledger  cut 15 bytes of torn last line, kept 1 entry")
                .errContains("1 conversation is not in the ledger");
    }

    private static String id(Path file) {
        return file.getFileName().toString().replace(".jsonl", "");
    }

    @Test
    void theWholeConversationsDirectoryGoneStillFails() throws Exception {
        run(CliRun.in(home), "one");
        Path gone = conversations().get(0);
        Files.delete(gone);
        Files.delete(data.resolve("conversations"));

        CliRun.Result verify = CliRun.in(home).run("log", "verify");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID).outContains("deleted");
    }

    @Test
    void aConversationWithoutEntryIsOnlyAWarningUnlessStrict() throws Exception {
        run(CliRun.in(home), "one");
        Files.delete(ledger());

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).succeeded().outDoesNotContain("ok  ledger");
        assertThat(verify.err()).contains("warning: there is no ledger yet", "warning: 1 conversation is not in the "
                + "ledger");

        CliRun.Result strict = CliRun.in(home).run("log", "verify", "--all", "--strict");
        assertThat(strict).failedWith(ExitCode.LOG_INVALID);
    }

    @Test
    void withTheVaultPasswordEntriesCarryAMacAndAForgedOneFails() throws Exception {
        CliRun.Result stored = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin("sk-unused\n")
                .run("vault", "set", "UNUSED_KEY");
        assertThat(stored).succeeded();
        run(CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD), "one");
        run(CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD), "two");
        List<String> lines = Files.readAllLines(ledger());
        assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"mac\":\"hmac-sha256:"));

        BinaryResult python = pythonLedgerVerifier();
        assertThat(python.output()).as("the verifier in the docs, written apart from the Java code")
                .startsWith("ok 2 entries, head sha256:").endsWith(", 2 MACs verified");
        assertThat(python.exitCode()).isZero();

        CliRun.Result good = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).run("log", "verify", "--all");
        assertThat(good).succeeded().outContains("MACs checked: 2 of 2 entries authenticated");

        // someone without the password adds an entry and signs it with a key of their own
        ObjectNode last = (ObjectNode) JSON.readTree(lines.get(1));
        ObjectNode forged = last.deepCopy();
        forged.put("seq", 2);
        forged.put("prev", last.get("hash").asText());
        forged.remove("hash");
        forged.remove("mac");
        forged.put("hash", dev.llmo.eventlog.Sha256.of(dev.llmo.eventlog.CanonicalJson.write(forged)));
        forged.put("mac", hmac("a guess at the key", forged.get("hash").asText()));
        Files.writeString(ledger(), forged + "\n", java.nio.file.StandardOpenOption.APPEND);

        CliRun.Result caught = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).run("log", "verify", "--all");
        assertThat(caught).failedWith(ExitCode.LOG_INVALID)
                .outContains("FAILED  ledger  line 3: forged: its MAC does not verify")
                .errDoesNotContain(PASSWORD);

        assertThat(pythonLedgerVerifier().output()).isEqualTo("line 3: forged MAC");

        CliRun.Result unchecked = CliRun.in(home).run("log", "verify", "--all");
        assertThat(unchecked).as("without the password the chain alone is whole").succeeded()
                .errContains("ledger MACs not checked: the vault is locked; set LLMO_VAULT_PASSWORD");
    }

    @Test
    void aNewVaultPasswordKeepsTheLedgerVerifying() throws Exception {
        CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin("sk-unused\n").run("vault", "set", "UNUSED_KEY");
        run(CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD), "one");
        String newPassword = "an even longer passphrase, 2026";
        CliRun.Result passwd = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin(newPassword + "\n")
                .run("vault", "passwd");
        assertThat(passwd).succeeded();

        CliRun.Result verify = CliRun.in(home).env("LLMO_VAULT_PASSWORD", newPassword).run("log", "verify", "--all");
        assertThat(verify).as(verify.out() + verify.err()).succeeded()
                .outContains("MACs checked: 1 of 1 entries authenticated");
        CliRun.Result old = CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD).run("log", "verify", "--all");
        assertThat(old).as("the old password no longer opens the vault").failedWith(ExitCode.CREDENTIALS);
    }

    @Test
    void aLedgerRechainedWithoutMacsIsFoundByTheKeptAnchor() throws Exception {
        run(CliRun.in(home), "one");
        CliRun.Result anchor = CliRun.in(home).run("log", "anchor");
        assertThat(anchor).succeeded();
        String head = anchor.out().strip();
        assertThat(head).matches("sha256:[0-9a-f]{64}");
        assertThat(head).isEqualTo(JSON.readTree(Files.readAllLines(ledger()).get(0)).get("hash").asText());
        assertThat(anchor.err()).contains("ledger head: entry 0");
        run(CliRun.in(home), "two");

        CliRun.Result check = CliRun.in(home).run("log", "anchor", "--check", head);
        assertThat(check).succeeded().outContains("ok  anchor  " + head + " is entry 0");

        // rewrite the first conversation and rebuild a consistent ledger for what is there now
        Path first = conversations().get(0);
        List<String> events = new ArrayList<>(Files.readAllLines(first));
        Files.write(first, events.subList(0, 2));
        Files.delete(ledger());
        dev.llmo.eventlog.Ledger rebuilt = new dev.llmo.eventlog.Ledger(ledger(), data.resolve("conversations"),
                dev.llmo.eventlog.Ledger.KeySource.NONE, java.time.Clock.systemUTC());
        for (Path file : conversations()) {
            List<dev.llmo.eventlog.Event> read = dev.llmo.eventlog.EventLog.read(file);
            rebuilt.record(file, read.get(read.size() - 1));
        }
        assertThat(CliRun.in(home).run("log", "verify", "--all").exitCode())
                .as("a consistent rewrite of everything passes without a kept anchor").isZero();

        CliRun.Result lost = CliRun.in(home).run("log", "anchor", "--check", head);
        assertThat(lost).failedWith(ExitCode.LOG_INVALID).errContains("does not hold anchor " + head);
        CliRun.Result all = CliRun.in(home).run("log", "verify", "--all", "--anchor", head.substring(7, 30));
        assertThat(all).failedWith(ExitCode.LOG_INVALID).outContains("FAILED  anchor");
    }

    @Test
    void anAnchorThatIsNotAHashIsAUsageError() {
        CliRun.Result result = CliRun.in(home).run("log", "anchor", "--check", "HEAD");
        assertThat(result).failedWith(ExitCode.USAGE).errContains("is not a ledger head");
    }

    @Test
    void anEditedLedgerFailsVerifyAll() throws Exception {
        run(CliRun.in(home), "one");
        run(CliRun.in(home), "two");
        List<String> lines = new ArrayList<>(Files.readAllLines(ledger()));
        lines.set(0, lines.get(0).replace("\"head_seq\":", "\"head_seq\":1"));
        Files.write(ledger(), lines);

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID).outContains("FAILED  ledger  line 1: edited");
    }

    // ---- an attacker without the vault password --------------------------------------------------------------

    private CliRun withPassword() {
        return CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD);
    }

    /** A vault and two runs that ended with it unlocked: every ledger entry has a MAC. */
    private void vaultHistory() {
        CliRun.Result stored = withPassword().stdin("sk-unused\n").run("vault", "set", "UNUSED_KEY");
        assertThat(stored).succeeded();
        run(withPassword(), "one");
        run(withPassword(), "two");
    }

    /** Lines {@code from} on re-chained consistently and without their MACs, as someone without the key can. */
    private static List<String> rechainedWithoutMacs(List<String> lines, int from) throws Exception {
        List<String> out = new ArrayList<>(lines.subList(0, from));
        String prev = from == 0 ? "sha256:" + "0".repeat(64) : JSON.readTree(lines.get(from - 1)).get("hash").asText();
        for (int i = from; i < lines.size(); i++) {
            ObjectNode entry = (ObjectNode) JSON.readTree(lines.get(i));
            entry.remove("mac");
            entry.remove("hash");
            entry.put("prev", prev);
            prev = dev.llmo.eventlog.Sha256.of(dev.llmo.eventlog.CanonicalJson.write(entry));
            entry.put("hash", prev);
            out.add(entry.toString());
        }
        return out;
    }

    @Test
    void aMacLessEntryInPlaceOfAMacedOneFailsWithOrWithoutThePassword() throws Exception {
        vaultHistory();
        Files.write(ledger(), rechainedWithoutMacs(Files.readAllLines(ledger()), 1));

        for (CliRun cli : List.of(CliRun.in(home), withPassword())) {
            CliRun.Result verify = cli.run("log", "verify", "--all");
            assertThat(verify).failedWith(ExitCode.LOG_INVALID);
            assertThat(verify.out()).contains("FAILED  ledger  line 2: unauthenticated: it has no MAC, but entry 0 "
                    + "before it has one").doesNotContain("ok  ledger");
        }
    }

    @Test
    void aLedgerRewrittenWithoutAnyMacFailsWhenAVaultExists() throws Exception {
        vaultHistory();
        Files.write(ledger(), rechainedWithoutMacs(Files.readAllLines(ledger()), 0));

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID);
        assertThat(verify.out()).contains("FAILED  ledger  unauthenticated: a vault exists but none of its 2 entries "
                + "has a MAC").doesNotContain("ok  ledger");
        assertThat(verify.err()).contains("cut before its first MAC, without the vault password");
    }

    @Test
    void aLedgerCutBeforeItsFirstMacFailsWhenAVaultExists() throws Exception {
        run(CliRun.in(home), "before the vault");
        CliRun.Result stored = withPassword().stdin("sk-unused\n").run("vault", "set", "UNUSED_KEY");
        assertThat(stored).succeeded();
        List<String> lines = Files.readAllLines(ledger());
        assertThat(lines).as("creating the vault sealed the ledger: the last head again, with a MAC").hasSize(2);
        assertThat(lines.get(0)).doesNotContain("\"mac\"");
        assertThat(lines.get(1)).contains("\"mac\":\"hmac-sha256:");
        run(withPassword(), "after");
        CliRun.Result clean = withPassword().run("log", "verify", "--all");
        assertThat(clean).succeeded().outContains("MACs checked: 3 of 3 entries authenticated")
                .errDoesNotContain("warning");

        Files.write(ledger(), lines.subList(0, 1));
        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID);
        assertThat(verify.out()).contains("FAILED  ledger  unauthenticated: a vault exists but none of its 1 entry "
                + "has a MAC");
    }

    @Test
    void aDeletedOrEmptiedLedgerFailsWhenAVaultExists() throws Exception {
        vaultHistory();
        Files.write(ledger(), new byte[0]);
        CliRun.Result emptied = CliRun.in(home).run("log", "verify", "--all");
        assertThat(emptied).failedWith(ExitCode.LOG_INVALID);
        assertThat(emptied.out()).contains("FAILED  ledger  missing: it is empty, yet a vault exists and 2 "
                + "conversations do").doesNotContain("ok  ledger");

        Files.delete(ledger());
        CliRun.Result deleted = CliRun.in(home).run("log", "verify", "--all");
        assertThat(deleted).failedWith(ExitCode.LOG_INVALID).outContains("FAILED  ledger  missing: there is none");
        assertThat(deleted.err()).contains("while a vault exists").doesNotContain("Exception");
    }

    @Test
    void swappedLedgerEntriesFail() throws Exception {
        vaultHistory();
        List<String> lines = new ArrayList<>(Files.readAllLines(ledger()));
        java.util.Collections.swap(lines, 0, 1);
        Files.write(ledger(), lines);

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).failedWith(ExitCode.LOG_INVALID)
                .outContains("FAILED  ledger  line 1: removed: seq jumps to 1 where 0 belongs");
    }

    @Test
    void aRunWithTheVaultLockedWaitsForItAndTheNextUnlockedRunAuthenticatesIt() throws Exception {
        vaultHistory();
        run(CliRun.in(home), "locked");
        assertThat(Files.readAllLines(ledger())).hasSize(2);
        assertThat(Files.readAllLines(data.resolve("ledger-pending.jsonl"))).singleElement()
                .satisfies(line -> assertThat(line).doesNotContain("\"mac\""));

        CliRun.Result verify = withPassword().run("log", "verify", "--all");
        assertThat(verify).succeeded();
        assertThat(verify.err()).contains("warning: 1 entry in ", "ledger-pending.jsonl waits for the vault",
                "1 conversation is named by no ledger entry a good MAC vouches for");
        CliRun.Result strict = withPassword().run("log", "verify", "--all", "--strict");
        assertThat(strict).failedWith(ExitCode.LOG_INVALID).errContains("--strict: 2 warnings above");

        run(withPassword(), "unlocked again");
        assertThat(Files.readAllLines(ledger())).hasSize(4).allSatisfy(line -> assertThat(line).contains("\"mac\""));
        assertThat(Files.size(data.resolve("ledger-pending.jsonl"))).isZero();
        CliRun.Result clean = withPassword().run("log", "verify", "--all", "--strict");
        assertThat(clean).succeeded().outContains("MACs checked: 4 of 4 entries authenticated");
    }

    @Test
    void aFreshHomeWithAVaultIsNotAFailureButNotOkEither() {
        CliRun.Result stored = withPassword().stdin("sk-unused\n").run("vault", "set", "UNUSED_KEY");
        assertThat(stored).succeeded();

        CliRun.Result verify = CliRun.in(home).run("log", "verify", "--all");
        assertThat(verify).succeeded().outDoesNotContain("ok")
                .errContains("no conversations yet", "warning: a vault exists but there is no ledger");
        assertThat(CliRun.in(home).run("log", "verify", "--all", "--strict")).failedWith(ExitCode.LOG_INVALID);
    }

    @Test
    void strictIsForTheWholeHistory() {
        run(CliRun.in(home), "one");
        CliRun.Result one = CliRun.in(home).run("log", "verify", conversationsUnchecked().get(0), "--strict");
        assertThat(one).failedWith(ExitCode.USAGE).errContains("--strict applies to the whole history");
    }

    private List<String> conversationsUnchecked() {
        try {
            return conversations().stream().map(LogAnchorTest::id).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record BinaryResult(int exitCode, String output) {
    }

    /** The second Python program of docs/usage/event-log.md (the ledger verifier) on this home's ledger and vault. */
    private BinaryResult pythonLedgerVerifier() throws Exception {
        String doc = Files.readString(Path.of("docs/usage/event-log.md"));
        int start = doc.indexOf("```python\n", doc.indexOf("```python\n") + 1);
        int end = doc.indexOf("```", start + 10);
        Path script = home.resolve("verify_llmo_ledger.py");
        Files.writeString(script, doc.substring(start + "```python\n".length(), end));
        ProcessBuilder builder = new ProcessBuilder(Python3.executable(), script.toString(), ledger().toString(),
                data.resolve("vault.enc").toString()).redirectErrorStream(true);
        builder.environment().put("LLMO_VAULT_PASSWORD", PASSWORD);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        return new BinaryResult(process.exitValue(), output);
    }

    private static String hmac(String key, String hash) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(hash.getBytes(StandardCharsets.US_ASCII)));
    }
}
