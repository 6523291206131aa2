package dev.llmo.cli;

import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import dev.llmo.config.ConfigTreeCache;
import dev.llmo.config.Settings;
import dev.llmo.failure.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the commands of one invocation share: the environment, the global flags, and the configuration,
 * loaded on first use so that commands which do not need it (--help, --version) never pay for YAML.
 */
public final class CliContext {
    private final CliEnvironment environment;
    private final GlobalOptions options;
    private Settings settings;
    private PrintWriter jsonOut;
    private java.util.concurrent.FutureTask<Settings> settingsAhead;
    private final java.util.List<AutoCloseable> closeAtEnd = new java.util.ArrayList<>();
    private dev.llmo.vault.VaultKeys vaultKeys;
    /** What draws on stderr while a call waits: it holds still while a question is asked there. */
    private volatile WaitingSpinner waiting = WaitingSpinner.NONE;
    /** Null: the system's terminal. */
    private volatile java.util.function.Supplier<SecretPrompt> questions;

    CliContext(CliEnvironment environment, GlobalOptions options) {
        this.environment = environment;
        this.options = options;
    }

    public CliEnvironment environment() {
        return environment;
    }

    public PrintWriter out() {
        return environment.out();
    }

    /**
     * Stdout for JSON: on a terminal DEL and the C1 controls are escaped as well ({@link TerminalText#json}), to a
     * pipe or a file the bytes are unchanged. Every {@code --json} output that carries text from a model, a server or
     * a file is printed through it.
     */
    public PrintWriter jsonOut() {
        if (jsonOut == null) {
            jsonOut = TerminalText.jsonWriter(environment.out(), environment.stdoutIsTerminal());
        }
        return jsonOut;
    }

    public PrintWriter err() {
        return environment.err();
    }

    public AppDirs dirs() {
        AppDirs dirs = AppDirs.fromEnvironment(environment.env(), environment.home());
        for (Path dir : List.of(dirs.configDir(), dirs.dataDir())) {
            // else every file under it fails on its own with "Not a directory", blaming the file's permissions
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                String home = environment.env().getOrDefault("LLMO_HOME", "");
                throw new ConfigException(dir + " is not a directory", "point " + (home.isBlank()
                        ? "XDG_CONFIG_HOME and XDG_DATA_HOME" : "LLMO_HOME") + " at a directory (llmo makes it when it "
                        + "is missing)");
            }
        }
        return dirs;
    }

    public Settings settings() {
        if (settings == null) {
            settings = settingsAhead == null ? load() : take(settingsAhead);
        }
        return settings;
    }

    /**
     * The reading of the configuration as a task for another thread to run now ({@link StartupWarmup}); {@link
     * #settings()} then takes its result, waiting for it, or runs it itself if that thread has not begun it. Call it
     * before that thread starts.
     */
    java.util.concurrent.FutureTask<Settings> settingsAhead() {
        settingsAhead = new java.util.concurrent.FutureTask<>(this::load);
        return settingsAhead;
    }

    private Settings load() {
        // only under the launcher, whose build id names the code that parsed an entry (a development build has none)
        String build = System.getProperty("llmo.build");
        ConfigTreeCache trees = build == null ? null
                : new ConfigTreeCache(AppDirs.cacheDir(environment.env(), environment.home()).resolve("config"), build);
        return ConfigLoader.load(dirs(), environment.workingDir(), environment.env(), trees);
    }

    private static Settings take(java.util.concurrent.FutureTask<Settings> ahead) {
        ahead.run(); // nothing when it has begun elsewhere
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return ahead.get();
                } catch (InterruptedException e) {
                    interrupted = true; // as uninterruptible as reading the files here would have been
                } catch (java.util.concurrent.ExecutionException e) {
                    // what the loader threw, as if it had run here: a ConfigException is reported as one
                    if (e.getCause() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof Error failure) {
                        throw failure;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code text} for stdout: made visible when stdout is a terminal. Every command that prints text it did not
     * write itself (names, descriptions and prompts from configuration files, model names from a server, titles
     * from the log) goes through here or {@link #stderrText}, so a project's config cannot drive the terminal.
     */
    public String stdoutText(String text) {
        return TerminalText.forTerminal(text, environment.stdoutIsTerminal());
    }

    /** {@code text} for stderr: made visible when stderr is a terminal (see {@link #stdoutText}). */
    public String stderrText(String text) {
        return TerminalText.forTerminal(text, environment.stderrIsTerminal());
    }

    /** Colour on stdout: only on a terminal, and never with --no-color or NO_COLOR. */
    public boolean colorOut() {
        return environment.stdoutIsTerminal() && !options.noColor() && !environment.noColorRequested();
    }

    /** Colour on stderr, by the same rules. */
    public boolean colorErr() {
        return environment.stderrIsTerminal() && !options.noColor() && !environment.noColorRequested();
    }

    /**
     * How conversation logs reach the disk: {@code LLMO_LOG_SYNC=event} syncs after every event (slower, loses
     * nothing on power loss); by default after each session.
     */
    public dev.llmo.eventlog.EventLog.Options logOptions() {
        String sync = environment.env().getOrDefault("LLMO_LOG_SYNC", "session");
        if (!sync.equals("session") && !sync.equals("event")) {
            throw new dev.llmo.failure.ConfigException("LLMO_LOG_SYNC must be 'session' or 'event', not '" + sync + "'",
                    "unset it for the default (session)");
        }
        return new dev.llmo.eventlog.EventLog.Options(java.time.Clock.systemUTC(), sync.equals("event"), ledger());
    }

    /**
     * The ledger every session end is anchored in. Its entries carry a MAC when the vault is unlocked in this
     * process anyway, or can be without asking ({@code LLMO_VAULT_PASSWORD} set); nobody is asked for a password
     * only to write it. Without the key, once a vault exists, entries wait in the pending file for one.
     */
    public dev.llmo.eventlog.Ledger ledger() {
        boolean passwordAtHand = !environment.env().getOrDefault(dev.llmo.vault.PasswordSource.ENV, "").isEmpty();
        return new dev.llmo.eventlog.Ledger(dirs().dataDir().resolve(dev.llmo.eventlog.Ledger.FILE_NAME),
                dirs().conversationsDir(), new dev.llmo.eventlog.Ledger.KeySource() {
                    @Override
                    public java.util.Optional<byte[]> key() {
                        return vaultKeys().ledgerKey(passwordAtHand);
                    }

                    @Override
                    public boolean vaultExists() {
                        return vaultKeys().exists();
                    }
                }, java.time.Clock.systemUTC());
    }

    /**
     * The vault as this invocation sees it, shared by key resolution and the ledger: unlocked at most once, its key
     * wiped when the invocation ends.
     */
    public synchronized dev.llmo.vault.VaultKeys vaultKeys() {
        if (vaultKeys == null) {
            vaultKeys = closeAtEnd(VaultPasswords.vaultKeys(this));
        }
        return vaultKeys;
    }

    /** The spinner shown while a call waits, which {@link #asking} holds still. */
    void waiting(WaitingSpinner spinner) {
        this.waiting = spinner;
    }

    /**
     * Where questions (the vault's password) are asked from now on: a chat's own terminal, once it is open. A second
     * terminal built beside it would share the keys typed with the chat's reader: Ctrl-C was not seen, and the next
     * line typed went into the password.
     */
    void askOn(java.util.function.Supplier<SecretPrompt> questions) {
        this.questions = questions;
    }

    /** A prompt on the terminal where questions are asked; the caller closes it. */
    SecretPrompt question() {
        java.util.function.Supplier<SecretPrompt> asked = questions;
        return asked == null ? SecretPrompt.system() : asked.get();
    }

    /**
     * Lets the vault be asked for again after a failed unlock (a mistyped password): for a chat's next turn, where the
     * user can try again. Within one command the failure stands, so that a wrong password is asked once.
     */
    void forgetVaultFailure() {
        dev.llmo.vault.VaultKeys keys;
        synchronized (this) {
            keys = vaultKeys;
        }
        if (keys != null) {
            keys.forgetFailure();
        }
    }

    /** Asks a question on the terminal ({@code question}) with the waiting spinner's line erased meanwhile. */
    <T> T asking(java.util.function.Supplier<T> question) {
        WaitingSpinner spinner = waiting;
        spinner.pause();
        try {
            return question.get();
        } finally {
            spinner.resume();
        }
    }

    /** Closes {@code resource} when the invocation ends (an unlocked vault's key is wiped then). */
    public <T extends AutoCloseable> T closeAtEnd(T resource) {
        synchronized (closeAtEnd) { // the warm-up's vault thread adds to it beside the main thread
            closeAtEnd.add(resource);
        }
        return resource;
    }

    /** Closes what {@link #closeAtEnd} collected, newest first; a failure to close must not hide the result. */
    void closeAll() {
        java.util.List<AutoCloseable> open;
        synchronized (closeAtEnd) {
            open = new java.util.ArrayList<>(closeAtEnd);
            closeAtEnd.clear();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // nothing useful to tell the user at exit
            }
        }
    }

    public boolean debug() {
        return options.debug();
    }
}
