package dev.llmo;

import dev.llmo.cli.BuildInfo;
import dev.llmo.cli.CliEnvironment;
import dev.llmo.cli.ErrorReporter;
import dev.llmo.cli.LlmoCli;
import dev.llmo.cli.terminal.Signals;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The process entry point: runs the command line against the real terminal and exits with its code. */
public final class Main {
    /** Made before it is needed: when memory has run out, building a message may fail too. */
    private static final byte[] OUT_OF_MEMORY = ("llmo: error: " + ErrorReporter.OUT_OF_MEMORY + "; "
            + ErrorReporter.OUT_OF_MEMORY_FIX + "\n").getBytes(StandardCharsets.UTF_8);
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);
    /**
     * Memory set aside for the last writes after memory ran out (each open log's error and session.end): released
     * then, it leaves them room even when what filled the heap is still held.
     */
    private static volatile byte[] reserve = new byte[512 * 1024];
    private static final long LAST_WRITES_MS = 3000;
    private static final String CALL_ARCHIVE = ".call.jsa";
    private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";
    /** {@code --debug} (or {@code LLMO_DEBUG=1}): an internal error's stack trace is printed too. */
    private static volatile boolean debug;

    private Main() {
    }

    public static void main(String[] args) {
        // --version needs nothing but a string: answering it before the command tree is built keeps it at JVM
        // start-up cost (the same text picocli's --version prints). System.out hides why a write failed
        // (/dev/full, a closed pipe): then the whole command line runs, whose writer says why and exits non-zero.
        if (args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]))) {
            System.out.println(new BuildInfo().getVersion()[0]);
            if (!System.out.checkError()) {
                return;
            }
        }
        debug = dev.llmo.cli.GlobalOptions.scan(args, System.getenv()).debug();
        chooseLocaleData();
        LibraryLogs.configure(debug);
        chooseSelectorProvider(System.getenv());
        forgetRefusedArchive();
        Thread.setDefaultUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() {
            @Override
            public void uncaughtException(Thread thread, Throwable failure) {
                uncaught(thread, failure); // not a lambda: each one linked costs start-up ~0.3 ms (ADR-003)
            }
        });
        Signals.install();
        CliEnvironment environment = CliEnvironment.system();
        int code = LlmoCli.execute(args, environment);
        environment.out().flush();
        environment.err().flush();
        System.exit(code);
    }

    /**
     * Jackson's ObjectMapper (which the commands that read logs or print JSON use; a model call no longer does) makes
     * a {@code SimpleDateFormat} for its date format and so loads the JDK's locale data. Before JDK 21 the default
     * source (CLDR) cost a run ~30 ms of CPU and ~15-20 ms of wall time there; the older source (COMPAT) serves the
     * same and costs neither (ADR-003, "Eighth round"). What llmo prints does not depend on it: its numbers and dates
     * are formatted with {@code Locale.ROOT} or by hand. JDK 21 warns when COMPAT is named and JDK 23 removed it, so
     * only older JDKs get it, and never over the user's own {@code -Djava.locale.providers}. Read once, before
     * anything has asked for locale data.
     */
    static void chooseLocaleData() {
        if (Runtime.version().feature() < 21 && System.getProperty("java.locale.providers") == null) {
            System.setProperty("java.locale.providers", "COMPAT");
        }
    }

    /**
     * A command in an unlocked vault session (its environment names the session) asks the session's agent for keys
     * over a Unix-domain socket on a thread of its own, at once. Java's first socket channel looks for a
     * {@code SelectorProvider} on the class path, which opens every jar on it, the binary's ~5,300 entries included
     * (~4 ms on that thread; ADR-003, "Twenty-first round"), to find none and take the JDK's own. Naming the JDK's
     * own class in the JVM's property for it skips the search; the JDK makes its provider from that class as it
     * would have. Only a class the JDK has is named, and a provider the user named is kept.
     */
    static void chooseSelectorProvider(java.util.Map<String, String> env) {
        if (!env.containsKey(dev.llmo.vault.VaultSession.ENV) || System.getProperty(SELECTOR_PROVIDER) != null) {
            return;
        }
        for (String name : List.of("sun.nio.ch.EPollSelectorProvider", "sun.nio.ch.KQueueSelectorProvider")) {
            try {
                if (java.nio.channels.spi.SelectorProvider.class.isAssignableFrom(Class.forName(name, false, null))) {
                    System.setProperty(SELECTOR_PROVIDER, name);
                    return;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not this platform's: the next, or the search as before
            }
        }
    }

    /**
     * The launcher names the archive it gave a {@code run}'s JVM ({@code -Dllmo.cds}, its static "call" archive). A
     * JVM that refused it (a JDK updated in place: an archive serves only the JVM that made it) runs without any
     * archive at all, and would on every run: that archive and the general one beside it, made by the same JVM, are
     * deleted, so that the next start makes them again.
     */
    static void forgetRefusedArchive() {
        String archive = System.getProperty("llmo.cds");
        if (archive == null || !archive.endsWith(CALL_ARCHIVE)
                || System.getProperty("java.vm.info", "").contains("sharing")) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(archive));
            Files.deleteIfExists(Path.of(archive.substring(0, archive.length() - CALL_ARCHIVE.length()) + ".jsa"));
        } catch (IOException | RuntimeException e) {
            // the next run tries again
        }
    }

    /**
     * A thread died of something nobody caught. Left alone, the thread would vanish with a stack trace while the
     * main thread waits forever for the call it was running. Out of memory (or another failure of the JVM itself)
     * ends the process at once with one line and exit 1: nothing can be trusted to run any more, not even the
     * shutdown hooks. Anything else is a bug: one line, then exit 1 through the shutdown hooks (which record the
     * conversation's end).
     */
    /**
     * Writes each open log's error and session.end before the process halts, on a thread of its own and for a bounded
     * time: a thread that holds a log's lock may never let go now, and the process must end anyway.
     */
    private static void endLogs(String what) {
        try {
            Thread last = new Thread(() -> dev.llmo.core.Conversation.endAfterJvmFailure(what), "llmo-last-writes");
            last.setDaemon(true);
            last.start();
            last.join(LAST_WRITES_MS);
        } catch (Throwable ignored) {
            // no thread, no memory: the logs stay whole, without their end
        }
    }

    static void uncaught(Thread thread, Throwable error) {
        if (error instanceof VirtualMachineError) {
            reserve = null;
            try {
                if (error instanceof OutOfMemoryError) {
                    STDERR.write(OUT_OF_MEMORY);
                } else {
                    STDERR.write(("llmo: error: the JVM failed: " + error + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (Throwable ignored) {
                // nothing more can be said
            }
            endLogs(error instanceof OutOfMemoryError ? ErrorReporter.OUT_OF_MEMORY : "the JVM failed: " + error);
            Runtime.getRuntime().halt(1);
        }
        if (closedTerminalSignal(thread, error)) {
            return;
        }
        try {
            STDERR.write(("llmo: error: internal error in " + thread.getName() + ": "
                    + dev.llmo.failure.Unexpected.describe(error) + "; this is a bug in llmo; rerun with --debug and "
                    + "report it\n").getBytes(StandardCharsets.UTF_8));
            if (debug) {
                java.io.StringWriter trace = new java.io.StringWriter();
                error.printStackTrace(new java.io.PrintWriter(trace));
                STDERR.write(trace.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (Throwable ignored) {
            // stderr is gone: the exit code still says it
        }
        // not on this thread: it may be a shutdown hook, where exit() would wait for itself
        Thread exit = new Thread(() -> System.exit(1), "llmo-exit");
        exit.setDaemon(true);
        exit.start();
    }

    /**
     * A window resized as a chat ends: the JVM runs each signal's handler on a thread of its own, and jline's line
     * reader, waiting for the line being read to finish, then redraws on a terminal the chat has closed. Nothing is
     * lost but that redraw, so it is no reason to end llmo with exit 1 (before the ledger has its entry).
     */
    static boolean closedTerminalSignal(Thread thread, Throwable error) {
        return "SIGWINCH handler".equals(thread.getName()) && error instanceof IllegalStateException
                && "Terminal has been closed".equals(error.getMessage());
    }
}
