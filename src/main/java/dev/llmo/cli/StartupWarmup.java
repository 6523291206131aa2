package dev.llmo.cli;

import dev.llmo.config.Settings;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Does, on a second thread, work a model call will need while the main thread is busy elsewhere. For a command read
 * by picocli, which first builds the command's model: it reads the configuration for {@link CliContext#settings()}
 * (which waits for it, or reads it itself when this thread has not begun), computes its digest, sets up Jackson's
 * JSON factories (for the log and the request's body), then what URLs and sockets need. For a plain run read without
 * picocli ({@link RunArguments}), whose main thread reads the configuration at once: what opening the log needs, what
 * sockets need, then what the main thread needs when it builds the request. What URLs need is OkHttp's utilities'
 * statics and {@link java.net.IDN}'s Unicode tables (OkHttp's URL parser needs them for every URL); what sockets need
 * is the JDK's socket layer, which a call's first connection needs. Reading the configuration is what the main thread
 * would do; the static initialisers are pure set-up; so
 * running them early changes nothing but when the work is done, and on a machine with a free core it is done beside
 * the main thread instead of in its way.
 */
final class StartupWarmup {
    /** The commands that call models, for which the warm-up pays. */
    private static final Set<String> CALLING = Set.of("run", "chat", "chain", "batch");

    private StartupWarmup() {
    }

    static void beginFor(String command, String[] args, CliContext context) {
        if (command == null || !CALLING.contains(command) || asksForHelp(args)) {
            return;
        }
        begin(context);
    }

    /**
     * For a run read without picocli ({@link RunArguments}): its main thread asks for the settings within a few ms and
     * reads them itself, opens the conversation and builds the request. This thread sets up what each of those steps
     * needs, in the order the main thread reaches them: what opening the log needs (SHA-256, Jackson's factories),
     * then the JDK's socket layer, which the call's thread waited for when it came after the configuration (ADR-003,
     * "Seventeenth round"), and last what building the request needs ("Twentieth round", "Twenty-first round"). OkHttp
     * is not set up: a call to a plain-HTTP server goes without it, and an {@code https} call's client and URL parser
     * are set up beside the main thread by {@link CoreServices#prepareConnections} ("Twenty-second round").
     * In a vault session it first sets up the JCE, which the session's thread needs once its agent has answered.
     */
    static void beginForPlainRun(CliContext context) {
        if (!Boolean.getBoolean("llmo.nowarmup")) {
            boolean session = context.environment().env().containsKey(dev.llmo.vault.VaultSession.ENV);
            start(context, new Thread(new Runnable() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
                @Override
                public void run() {
                    if (session) {
                        warmCipher();
                    }
                    warmLog();
                    warmSockets();
                    warmRequest();
                    warmStream();
                }
            }, "llmo-warmup"));
        }
    }

    private static void begin(CliContext context) {
        if (!Boolean.getBoolean("llmo.nowarmup")) {
            FutureTask<Settings> settings = context.settingsAhead();
            start(context, new Thread(() -> warm(settings), "llmo-warmup"));
        }
    }

    /** Whether a thread opens the vault with the session's key: then there is no stream warm-up. */
    private static volatile boolean vaultOpening;

    private static void start(CliContext context, Thread thread) {
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        if (context.environment().env().containsKey(dev.llmo.vault.VaultSession.ENV)) {
            // an unlocked vault session (`eval "$(llmo vault unlock)"`) is there to give this command its keys: the
            // vault is opened with it beside the main thread, which otherwise waited ~40 ms for the agent and the
            // decryption (a run 1.23x one with its key in the environment; ADR-003, "Fifteenth round")
            Thread vault = new Thread(() -> openWithSession(context), "llmo-vault-warmup");
            vault.setDaemon(true);
            vaultOpening = true;
            vault.start();
        }
        thread.start();
    }

    /**
     * The JCE's set-up, which the session's thread meets when it decrypts the vault with the key the agent gave it:
     * its policy files (and a URL whose protocol handler the JDK would look for on the class path, opening every jar on
     * it, but for {@link dev.llmo.secret.JdkCrypto#presetHttpHandler}); and AES's tables, which its class computes in
     * the interpreter (~4 ms of CPU). Done here, beside the session's talk with its agent, instead of after it (ADR-003,
     * "Twenty-first round", "Twenty-second round" and "Twenty-sixth round").
     */
    private static void warmCipher() {
        try {
            dev.llmo.secret.JdkCrypto.presetHttpHandler();
            Class.forName("javax.crypto.JceSecurity", true, null);
            Class.forName("com.sun.crypto.provider.AESCrypt", true, null);
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            // nothing was gained; the session's thread does the same work when it needs it and reports what fails
        }
    }

    private static void openWithSession(CliContext context) {
        try {
            context.vaultKeys().openWithSession();
        } catch (RuntimeException | LinkageError e) {
            // the main thread meets the same failure when it needs a key, and reports it
        }
    }

    private static void warm(FutureTask<Settings> settings) {
        settings.run(); // its failure is the main thread's to report, when it asks for the settings
        try {
            // The configuration's digest first: the main thread needs it for the conversation's log a few ms after
            // the settings, and computed it itself (~7 ms, SHA-256's provider lookup included) when this thread was
            // still on OkHttp's statics (ADR-003, "Fifteenth round"). Kept by the settings; get() does not wait.
            settings.get().digest();
            jacksonFactories(StartupWarmup.class.getClassLoader());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ClassNotFoundException | ExecutionException | LinkageError | RuntimeException e) {
            // nothing was gained; the main thread does the same work when it needs it and reports what fails
        }
        warmHttp();
        warmRequest();
        warmStream();
    }

    /**
     * What the main thread sets up while it builds the request, which it reaches after this thread is done with the
     * rest (the main thread is a run's critical path): the provider clients' base class and CompletableFuture's pool
     * (ADR-003, "Twentieth round").
     */
    private static void warmRequest() {
        try {
            ClassLoader loader = StartupWarmup.class.getClassLoader();
            Class.forName("dev.llmo.provider.http.HttpProviderClient", true, loader);
            Class.forName("java.util.concurrent.CompletableFuture", true, null);
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            // nothing was gained; the main thread does the same work when it needs it and reports what fails
        }
    }

    /**
     * What a streamed answer runs through once per event, compiled before it arrives: a long answer's first few
     * thousand events were read in the interpreter ({@link dev.llmo.provider.http.StreamWarmup}).
     */
    private static void warmStream() {
        try {
            if (vaultOpening) {
                // a session's run waits for the vault's key, opened on a thread of its own: on two CPUs the stream's
                // warm-up took a core from it or from what follows it (the run 1.19-1.24x one with the key in the
                // environment with the warm-up beside the opening, 1.14-1.21x after it, 1.11-1.17x without it; the
                // limit is 1.2x; ADR-003, "Twenty-fifth round")
                return;
            }
            dev.llmo.provider.http.StreamWarmup.run();
        } catch (java.io.IOException | LinkageError | RuntimeException e) {
            // nothing was gained; the call reads its stream as it would have
        }
    }

    /**
     * What the main thread needs first when it opens the conversation's log, a few ms after it has the settings:
     * SHA-256 (for the configuration's digest and the log's chain: the JDK's digest, its byte-order view handles and
     * their constant descriptors, set up by the first digest made), Jackson's factories, and a tiny JSON object
     * written the two ways the main thread then writes its events and its request (canonically, and by Jackson's
     * generator): code run once is set up, classes and call sites, for its first real use (ADR-003, "Twenty-first
     * round": 3.19x against 3.11x, 150 interleaved rounds).
     */
    private static void warmLog() {
        try {
            dev.llmo.secret.JdkCrypto.sha256().digest(new byte[1]);
            jacksonFactories(StartupWarmup.class.getClassLoader());
            com.fasterxml.jackson.databind.node.ObjectNode tiny = dev.llmo.provider.http.Json.object().put("a", "b");
            dev.llmo.provider.http.Json.write(tiny);
            dev.llmo.eventlog.CanonicalJson.write(tiny);
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            // nothing was gained; the main thread does the same work when it needs it and reports what fails
        }
    }

    private static void warmHttp() {
        warmUrls();
        warmSockets();
    }

    /**
     * What parsing a URL with OkHttp needs, which the main thread does a few ms after it has opened the log (the
     * OpenAI format's request asks for its host): OkHttp's utilities' statics (its GMT time zone reads the JDK's whole
     * time-zone database; ADR-003, "Eleventh round") and {@link java.net.IDN}'s Unicode tables.
     */
    private static void warmUrls() {
        try {
            Class.forName("okhttp3.internal.Util", true, StartupWarmup.class.getClassLoader());
            java.net.IDN.toASCII("localhost");
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            // nothing was gained; the main thread does the same work when it needs it and reports what fails
        }
    }

    /**
     * What a call to a plain-HTTP server ({@code LocalHttp}: a local model server's) sets up before it connects: the
     * JDK's socket layer (its native library and address families), its address and proxy classes, which the call's
     * thread, the run's critical path once the request is built, set up itself (~4 ms). An {@code https} call's client
     * is built beside the main thread by {@link CoreServices#prepareConnections}; no OkHttp client is built here, which
     * a plain-HTTP call no longer uses (ADR-003, "Twenty-second round").
     */
    private static void warmSockets() {
        try {
            Class.forName("sun.nio.ch.Net", true, null);
            java.net.InetAddress.getByName("127.0.0.1");
            java.net.ProxySelector proxies = java.net.ProxySelector.getDefault();
            if (proxies != null) {
                proxies.select(java.net.URI.create("http://127.0.0.1/"));
            }
            Class.forName("dev.llmo.provider.http.ReadAheadSocket", true, StartupWarmup.class.getClassLoader());
        } catch (ClassNotFoundException | java.io.IOException | LinkageError | RuntimeException e) {
            // nothing was gained; the call's thread does the same work when it needs it and reports what fails
        }
    }

    /**
     * Jackson's JSON factories, for the conversation's log and the request's body: the main thread set them up (~6 ms)
     * a few ms after the digest, while OkHttp's statics are needed only when the call starts (ADR-003, "Sixteenth
     * round").
     */
    private static void jacksonFactories(ClassLoader loader) throws ClassNotFoundException {
        Class.forName("dev.llmo.eventlog.EventJson", true, loader);
        Class.forName("dev.llmo.provider.http.Json", true, loader);
    }

    /** Help and version print and end: nothing to warm. */
    static boolean asksForHelp(String[] args) {
        for (String arg : args) {
            if ("--".equals(arg)) {
                return false;
            }
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
                return true;
            }
        }
        return false;
    }
}
