package dev.llmo.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import dev.llmo.config.Settings;
import dev.llmo.failure.ExitCode;
import dev.llmo.core.KeyResolver;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.ProviderKeys;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.core.ProviderClients;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive chat on jline's emulated xterm: keys are typed into a pipe, the screen is read back. */
class ChatReplTest {
    private static final long WAIT_MS = 15_000;

    @TempDir
    Path home;
    private ChatServer server;
    private PipedOutputStream keys;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private Terminal terminal;
    private ChatSession session;
    private CompletableFuture<ExitCode> repl;
    private int columns = 120;
    /** The turns' spinner ({@link ChatRepl.Waiting}); none unless a test sets one. */
    private java.util.function.Supplier<ChatRepl.Waiting> waiting = () -> null;

    @BeforeEach
    void start() throws IOException {
        server = ChatServer.start(home);
    }

    @AfterEach
    void stop() throws IOException {
        if (repl != null && !repl.isDone()) {
            keys.write(4); // Ctrl-D
            keys.flush();
        }
        server.close();
    }

    private AppDirs dirs() {
        return AppDirs.fromEnvironment(Map.of("LLMO_HOME", home.resolve("llmo").toString()), home);
    }

    /** Starts the REPL on its own thread against an emulated terminal. */
    private void chat(boolean color) throws IOException {
        chat(color, true);
    }

    /** {@link #chat(boolean)}, not logged ({@code --no-log}) unless {@code logged}. */
    private void chat(boolean color, boolean logged) throws IOException {
        PipedInputStream input = new PipedInputStream(1 << 16);
        keys = new PipedOutputStream(input);
        terminal = TerminalBuilder.builder().system(false).type("xterm").streams(input, screen)
                .encoding(StandardCharsets.UTF_8).size(new org.jline.terminal.Size(columns, 40)).build();
        Settings settings = ConfigLoader.load(dirs(), home, Map.of());
        CallExecutor executor = new CallExecutor(
                new ProviderKeys(KeyResolver.environment(Map.of("MOCK_API_KEY", "sk-mock"))),
                new ProviderClients(Transport.shared(new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(30),
                        0))), System::nanoTime);
        session = ChatSession.open(new ChatSession.Setup(settings, new dev.llmo.engine.Orchestrator(executor, null), dirs().conversationsDir(), "test",
                TokenEstimator.CHARS_PER_TOKEN, RequestAssembler.WHOLE_HISTORY, dev.llmo.eventlog.EventLog.Options.defaults(),
                logged ? null : new dev.llmo.cost.UnloggedSpend(dev.llmo.cost.UnloggedSpend.file(
                        dirs().conversationsDir()), java.time.Clock.systemUTC())), null, null, false, null);
        ChatRepl chat = new ChatRepl(session, terminal, dirs().historyFile(), null, color, true, waiting);
        repl = CompletableFuture.supplyAsync(() -> {
            ExitCode code = chat.run();
            session.end(code);
            session.close();
            return code;
        });
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private String shown() {
        terminal.flush();
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** Waits until the screen shows {@code text} {@code times} times; fails with the screen after the deadline. */
    private void awaitShown(String text, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            if (count(shown(), text) >= times) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the screen never showed '" + text + "' " + times + " time(s):\n" + shown());
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }

    private ExitCode awaitEnd() throws Exception {
        return repl.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private List<Event> events() throws IOException {
        try (Stream<Path> files = Files.list(dirs().conversationsDir())) {
            return EventLog.read(files.sorted().toList().get(0));
        }
    }

    @Test
    void aTurnStreamsTheAnswerThenTheStatusLineAndExitLeaves() throws Exception {
        server.answer("Hello from the mock.", 120, 6);
        chat(false);

        awaitShown("m1> ", 1);
        type("hi there\r");
        awaitShown("Hello from the mock.", 1);
        awaitShown("120 in / 6 out tokens", 1);
        awaitShown("m1> ", 2);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(shown()).contains("context 12.0% of 1,000");
        assertThat(server.takeBody().get("messages").get(0).get("content").asText()).isEqualTo("hi there");
        assertThat(Files.readString(dirs().historyFile())).contains("hi there", "/exit");
    }

    /** A spinner that shows where it was drawn and erased: {@code [waiting]} and {@code [erased]} on the screen. */
    private final class MarkedWaiting implements ChatRepl.Waiting {
        private boolean stopped;

        MarkedWaiting() {
            terminal.writer().print("[waiting]");
            terminal.writer().flush();
        }

        @Override
        public dev.llmo.core.RunListener before(dev.llmo.core.RunListener next) {
            return event -> {
                if (!(event instanceof dev.llmo.core.RunEvent.Idle)
                        && !(event instanceof dev.llmo.core.RunEvent.CallStarted)) {
                    stop();
                }
                next.onEvent(event);
            };
        }

        @Override
        public synchronized void stop() {
            if (!stopped) {
                stopped = true;
                terminal.writer().print("[erased]");
                terminal.writer().flush();
            }
        }
    }

    @Test
    void eachTurnWaitsBehindASpinnerErasedBeforeTheAnswerOrTheErrorAndNeverWhileALineIsRead() throws Exception {
        server.answer("Hello from the mock.", 120, 6).failure(500);
        waiting = MarkedWaiting::new;
        chat(false);

        awaitShown("m1> ", 1);
        type("hi there\r");
        awaitShown("120 in / 6 out tokens", 1);
        awaitShown("m1> ", 2);
        type("again\r");
        awaitShown("m1> ", 3);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        String screen = shown();
        // one spinner per turn, drawn after the line was read and erased before the answer, the error and the prompt
        assertThat(count(screen, "[waiting]")).isEqualTo(2);
        assertThat(count(screen, "[erased]")).isEqualTo(2);
        int answer = screen.indexOf("Hello from the mock.");
        assertThat(screen.indexOf("[waiting]")).isGreaterThan(screen.indexOf("hi there"));
        assertThat(screen.indexOf("[erased]")).isBetween(screen.indexOf("[waiting]"), answer);
        int secondPrompt = screen.indexOf("m1> ", answer);
        int secondWaiting = screen.indexOf("[waiting]", secondPrompt);
        int secondErased = screen.indexOf("[erased]", secondWaiting);
        assertThat(secondWaiting).isGreaterThan(screen.indexOf("again", secondPrompt));
        assertThat(secondErased).isPositive().isLessThan(screen.indexOf("boom", secondWaiting))
                .isLessThan(screen.indexOf("m1> ", secondWaiting));
    }

    @Test
    void ctrlCDuringAnAnswerCancelsItKeepsThePartialTextAndTheSessionGoesOn() throws Exception {
        server.slowAnswer("Once upon").answer("Next.", 10, 1);
        chat(false);

        awaitShown("m1> ", 1);
        type("tell me a story\r");
        awaitShown("Once upon", 1);
        type("\u0003");
        awaitShown("[cancelled]", 1);
        awaitShown("m1> ", 2);
        type("next\r");
        awaitShown("Next.", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        server.takeBody();
        JsonNode second = server.takeBody();
        assertThat(second.get("messages").get(1).get("content").asText()).startsWith("Once upon");
        List<Event> events = events();
        Event partial = events.stream().filter(e -> e.type().equals("response")).findFirst().orElseThrow();
        assertThat(partial.data().get("stop_reason").asText()).isEqualTo("incomplete");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void tabCompletesTheCommandWord() throws Exception {
        chat(false);

        awaitShown("m1> ", 1);
        type("/mo\t");
        awaitShown("/model", 1);
        type("\r");

        awaitShown("mock/m1 (context 1,000 tokens", 1);
        type("/role Pi\t\r");
        awaitShown("role Pirate, model mock/free", 1);
        type("/exit\r");
        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
    }

    @Test
    void ctrlCTwiceAtAnEmptyPromptLeaves() throws Exception {
        chat(false);

        awaitShown("m1> ", 1);
        type("\u0003");
        awaitShown("press Ctrl-C again", 1);
        type("\u0003");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void ctrlDLeavesAndAnUnknownCommandOnlyHints() throws Exception {
        chat(false);

        awaitShown("m1> ", 1);
        type("/hepl\r");
        awaitShown("did you mean '/help'?", 1);
        type("\u0004");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aBackslashContinuesTheInputOnTheNextLine() throws Exception {
        server.answer("ok", 1, 1);
        chat(false);

        awaitShown("m1> ", 1);
        type("first\\\r");
        awaitShown("... ", 1);
        type("second\r");
        awaitShown("ok", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(server.takeBody().get("messages").get(0).get("content").asText()).isEqualTo("first\nsecond");
    }

    @Test
    void withColourTheAnswerIsRenderedAsMarkdown() throws Exception {
        server.answer("# Title\nsome **bold** text\n```\ncode()\n```\n", 10, 10);
        chat(true);

        awaitShown("m1>", 1);
        type("md please\r");
        awaitShown("code()", 1);
        awaitShown("session $", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(shown()).contains(MarkdownRenderer.BOLD + MarkdownRenderer.UNDERLINE + "Title")
                .contains(MarkdownRenderer.BOLD + "bold" + MarkdownRenderer.RESET)
                .contains(MarkdownRenderer.CODE + "code()");
    }

    @Test
    void ctrlCDuringAnAttachThatWaitsForAServerReturnsToThePromptWithNothingAttached() throws Exception {
        try (okhttp3.mockwebserver.MockWebServer silent = new okhttp3.mockwebserver.MockWebServer()) {
            silent.enqueue(new okhttp3.mockwebserver.MockResponse()
                    .setSocketPolicy(okhttp3.mockwebserver.SocketPolicy.NO_RESPONSE));
            silent.start();
            chat(false);

            awaitShown("m1> ", 1);
            type("/attach " + silent.url("/x.png") + "\r");
            assertThat(silent.takeRequest(WAIT_MS, TimeUnit.MILLISECONDS)).isNotNull();
            java.util.List<Thread> fetching = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("llmo-attach")).toList();
            assertThat(fetching).isNotEmpty();
            type("\u0003");
            awaitShown("/attach cancelled; nothing attached", 1);
            awaitShown("m1> ", 2);
            // Ctrl-C cancels the fetch itself: its thread ends now, not when the silent server meets a time limit (the
            // read's 10 s, the URL's 30 s); a bound well below them, far above what a cancel takes
            for (Thread thread : fetching) {
                thread.join(5_000);
                assertThat(thread.isAlive()).as("the fetch still runs after Ctrl-C").isFalse();
            }
            type("/attach\r");
            awaitShown("Nothing is attached", 1);
            type("/exit\r");

            assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        }
    }

    @Test
    void attachRefusesANamedPipeAndItsErrorsNameAttachAndItsTypeOption() throws Exception {
        Path fifo = home.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Path binary = Files.write(home.resolve("bin.dat"), new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 7});
        chat(false);

        awaitShown("m1> ", 1);
        type("/attach " + fifo + "\r");
        awaitShown("is not a regular file (a named pipe or a device)", 1);
        type("/attach " + binary + "\r");
        awaitShown("cannot tell what it is from its content", 1);
        // the type is taken, and text must be UTF-8 as with -f: these bytes are refused, in /attach's words
        type("/attach --type text/plain " + binary + "\r");
        awaitShown("or attach it without /attach --type text/plain if it is not text", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(shown()).contains("/attach " + fifo + " is not a regular file")
                .contains("/attach " + binary + ": cannot tell what it is from its content")
                .contains("name its type, e.g. /attach --type image/png")
                .doesNotContain("-a " + binary).doesNotContain("--attach-type");
    }

    @Test
    void aNoLogSessionWritesNoLineToTheHistoryFile() throws Exception {
        Files.createDirectories(dirs().historyFile().getParent());
        Files.writeString(dirs().historyFile(), "");
        server.answer("Kept in memory.", 5, 1);
        chat(false, false);

        awaitShown("m1> ", 1);
        type("a secret prompt\r");
        awaitShown("Kept in memory.", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(dirs().historyFile())).doesNotContain("secret").doesNotContain("/exit");
    }

    @Test
    void aHistoryFileOthersCanReadIsMadeOwnerOnlyAndJlineLogsNothingToTheScreen() throws Exception {
        Path history = dirs().historyFile();
        Files.createDirectories(history.getParent());
        Files.writeString(history, "earlier\n");
        Files.setPosixFilePermissions(history, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        chat(false);

        awaitShown("m1> ", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
                .isEqualTo("rw-------");
        assertThat(java.util.logging.Logger.getLogger("org.jline").isLoggable(java.util.logging.Level.WARNING))
                .isFalse();
    }

    @Test
    void helpOnANarrowTerminalWrapsEachDescriptionUnderItsColumn() throws Exception {
        columns = 60;
        chat(false);

        awaitShown("m1> ", 1);
        type("/help\r");
        awaitShown("A line ending in", 1);
        type("/exit\r");

        assertThat(awaitEnd()).isEqualTo(ExitCode.OK);
        String screenText = shown().replace("\r", "");
        String help = screenText.substring(screenText.indexOf("Commands:\n") + "Commands:\n".length(),
                screenText.indexOf("A line ending in"));
        assertThat(help.lines()).hasSizeGreaterThan(SlashCommands.HELP.size())
                .allSatisfy(line -> assertThat(line).matches("  /\\S.*| {22}\\S.*"));
    }
}
