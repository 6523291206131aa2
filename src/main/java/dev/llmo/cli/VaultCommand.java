package dev.llmo.cli;

import dev.llmo.config.NameSuggestions;
import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.UsageException;
import dev.llmo.secret.ApiKey;
import dev.llmo.vault.PasswordSource;
import dev.llmo.vault.PasswordStrength;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import dev.llmo.vault.VaultEntry;
import dev.llmo.vault.VaultHeader;
import dev.llmo.vault.VaultSession;
import dev.llmo.vault.VaultStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code llmo vault}: the encrypted key store. Secrets come from a masked prompt or the first line of stdin, never
 * from the command line; only {@code get} prints one. Messages about what was done go to stderr, so stdout holds
 * only the answer ({@code get}, {@code list}, {@code status}).
 */
@Command(name = "vault", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Keep API keys in an encrypted vault (PBKDF2-HMAC-SHA256 + AES-256-GCM).",
                "Secrets are read from a masked prompt or stdin, never from the command line.",
                "The vault password comes from LLMO_VAULT_PASSWORD, else a prompt on the terminal.",
                "Without a subcommand: status."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo vault init", "  llmo vault set OPENAI_API_KEY",
                "  pass show openai | llmo vault set OPENAI_API_KEY",
                "  llmo vault list", "  export OPENAI_API_KEY=$(llmo vault get OPENAI_API_KEY)",
                "  eval \"$(llmo vault unlock --for 1h)\"   # no password for an hour here",
                "", "The file format: llmo help vault-format."})
final class VaultCommand implements Runnable {
    /** Env var style names, plus . and - for other uses; never anything a shell or JSON would trip on. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");

    private final CliContext context;
    private final Function<CliEnvironment, SecretPrompt> terminal;
    private SecretPrompt prompt;

    VaultCommand(CliContext context) {
        this(context, environment -> SecretPrompt.system());
    }

    /** For tests: the terminal to use when stdin is one. */
    VaultCommand(CliContext context, Function<CliEnvironment, SecretPrompt> terminal) {
        this.context = context;
        this.terminal = terminal;
    }

    @Override
    public void run() {
        status();
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the vault. On a terminal: a wizard that asks for a password (twice) and offers to "
                    + "store a key for each configured provider.", "Otherwise the password comes from "
                    + "LLMO_VAULT_PASSWORD."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault init", "  LLMO_VAULT_PASSWORD=… llmo vault init   # in a script"})
    void init() {
        Vault vault = vault();
        vault.requireAbsent();
        if (context.environment().stdinIsTerminal()) {
            try {
                new VaultWizard(prompt(), vault, keySlots(), context.environment().env()).run();
            } finally {
                closePrompt();
            }
            return;
        }
        VaultPasswords passwords = passwords();
        if (!passwords.inEnvironment()) {
            throw new CredentialsException("there is no terminal to ask for a new vault password",
                    "set " + PasswordSource.ENV + " to the password the vault should have");
        }
        char[] password = passwords.password(vault.file(), "llmo vault init needs the new vault's password");
        try {
            try (UnlockedVault open = vault.create(password)) {
                sealLedger(open);
            }
            note("created the vault " + vault.file());
            warnIfWeak(password, "the password in " + PasswordSource.ENV);
        } finally {
            VaultPasswords.wipe(password);
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Store a secret: typed at a masked prompt, or the first line of stdin when piped.",
                    "Creates the vault when there is none."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault set OPENAI_API_KEY", "  pass show openai | llmo vault set OPENAI_API_KEY"})
    void set(@Parameters(paramLabel = "NAME", description = "Entry name, e.g. OPENAI_API_KEY.") String name,
             @Parameters(arity = "0..*", hidden = true) List<String> secretOnCommandLine) {
        if (secretOnCommandLine != null && !secretOnCommandLine.isEmpty()) {
            // Caught here rather than by picocli so the answer explains why, not just "unmatched argument".
            throw new UsageException("llmo never takes a secret on the command line (it would stay in your shell "
                    + "history and in the process list)", "type it at the prompt of 'llmo vault set " + name
                    + "', or pipe it: pass show openai | llmo vault set " + name);
        }
        checkName(name);
        Vault vault = vault();
        // the value first: one refused (empty, not header-safe) must leave no vault created, no ledger sealed
        try {
            String value = readValue(name);
            try (UnlockedVault open = vault.exists() ? unlock(vault, "set") : createForSet(vault)) {
                boolean added = open.put(name, value);
                note((added ? "stored " : "replaced ") + name + " in " + open.file());
            }
        } finally {
            closePrompt();
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a secret to stdout.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault get OPENAI_API_KEY", "  export OPENAI_API_KEY=$(llmo vault get OPENAI_API_KEY)"})
    void get(@Parameters(paramLabel = "NAME", description = "Entry name.") String name) {
        checkName(name);
        try (UnlockedVault open = unlock(vault(), "get")) {
            String value = open.secret(name).orElseThrow(() -> noEntry(name, open, "store it with 'llmo vault set "
                    + name + "'"));
            context.out().println(value);
            context.out().flush();
        } finally {
            closePrompt();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List entry names and dates (no secrets).",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault list"})
    void list() {
        Vault vault = vault();
        if (!vault.exists()) {
            note("there is no vault at " + vault.file() + " yet; create it with 'llmo vault init'");
            return;
        }
        try (UnlockedVault open = unlock(vault, "list")) {
            List<VaultEntry> entries = open.entries();
            if (entries.isEmpty()) {
                note("the vault is empty; add a key with 'llmo vault set NAME'");
                return;
            }
            int width = Math.max("NAME".length(), entries.stream().mapToInt(e -> e.name().length()).max().orElse(0));
            PrintWriter out = context.out();
            out.println(pad("NAME", width) + "  " + pad("CREATED", 20) + "  UPDATED");
            for (VaultEntry entry : entries) {
                out.println(pad(entry.name(), width) + "  " + pad(date(entry.created()), 20) + "  " + date(entry.updated()));
            }
            out.flush();
        } finally {
            closePrompt();
        }
    }

    @Command(name = "remove", aliases = "rm", mixinStandardHelpOptions = true, description = "Delete an entry.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault remove OPENAI_API_KEY", "  llmo vault rm GROQ_API_KEY"})
    void remove(@Parameters(paramLabel = "NAME", description = "Entry name.") String name) {
        checkName(name);
        try (UnlockedVault open = unlock(vault(), "remove")) {
            if (!open.remove(name)) {
                throw noEntry(name, open, "run 'llmo vault list' to see the entries");
            }
            note("removed " + name + " from " + open.file());
        } finally {
            closePrompt();
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = {"Change the vault password. The new one is typed twice at a masked prompt, or is the "
                    + "first line of stdin when piped (the current one then comes from LLMO_VAULT_PASSWORD)."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault passwd"})
    void passwd() {
        try (UnlockedVault open = unlock(vault(), "passwd")) {
            String weak;
            char[] password = context.environment().stdinIsTerminal() ? VaultWizard.newPassword(prompt())
                    : SecretPrompt.firstLine(context.environment().in()).orElse(new char[0]);
            try {
                if (password.length == 0) {
                    throw new UsageException("no new vault password on stdin",
                            "pipe it as the first line, e.g. 'printf %s\\\\n \"$NEW\" | llmo vault passwd'");
                }
                // typed at the prompt, it was rated (and a weak one confirmed) there
                weak = context.environment().stdinIsTerminal() ? null
                        : weakness(password, "the new password from stdin");
                byte[] oldLedgerKey = open.ledgerKey().orElseThrow();
                try {
                    open.changePassword(password);
                    remacLedger(oldLedgerKey, open);
                } finally {
                    java.util.Arrays.fill(oldLedgerKey, (byte) 0);
                }
            } finally {
                VaultPasswords.wipe(password);
            }
            note("changed the password of " + open.file() + (passwords().inEnvironment()
                    ? "; update " + PasswordSource.ENV + " to the new one" : ""));
            if (weak != null) {
                note(weak);
            }
            // open sessions hold the old key, which opens old copies of the file: they end with it
            if (VaultSession.lockAll(context.environment().env()) > 0) {
                note("closed the open vault sessions; 'llmo vault unlock' opens a new one");
            }
        } finally {
            closePrompt();
        }
    }

    /**
     * With the vault open anyway, the ledger gets its MACs: entries waiting since the vault was last unlocked, and
     * entries written before it existed (see docs/usage/event-log.md). A ledger that cannot be written is left for
     * 'llmo log verify --all' to report: the vault command itself goes on.
     */
    private void sealLedger(UnlockedVault open) {
        byte[] key = open.ledgerKey().orElse(null);
        if (key == null) {
            return;
        }
        try {
            context.ledger().seal(key);
        } catch (dev.llmo.failure.LlmoException e) {
            note("warning: the ledger was not sealed: " + e.getMessage());
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    /** The ledger's MACs follow the new vault key (the key they are derived from changed with the password). */
    private void remacLedger(byte[] oldKey, UnlockedVault open) {
        byte[] newKey = open.ledgerKey().orElseThrow();
        try {
            context.ledger().remac(oldKey, newKey);
        } finally {
            java.util.Arrays.fill(newKey, (byte) 0);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,5})h)?(?:(\\d{1,5})m)?(?:(\\d{1,5})s)?");

    @Command(name = "unlock", mixinStandardHelpOptions = true,
            description = {"Keep the vault open for this shell, like ssh-agent: later llmo commands of the shell get "
                    + "keys without the password and without deriving the key, until 'llmo vault lock' or the end of "
                    + "the time given.",
                    "Prints a line for the shell to run: use it as eval \"$(llmo vault unlock)\". The key stays in "
                    + "the memory of a small process of yours, reached through a socket only you can open; child "
                    + "processes (api_key_cmd) do not get the session."},
            footerHeading = "%nExamples:%n",
            footer = {"  eval \"$(llmo vault unlock)\"           # 15 minutes",
                    "  eval \"$(llmo vault unlock --for 2h)\"",
                    "  eval (llmo vault unlock --for 1h)      # fish",
                    "", "How it works and what it protects against: llmo help vault."})
    void unlock(@Option(names = "--for", paramLabel = "DURATION", defaultValue = "15m",
            description = "How long the vault stays open: 90s, 15m, 2h, 1h30m (default: ${DEFAULT-VALUE}, at most 24h).")
                String duration) {
        java.time.Duration length = duration(duration);
        if (context.environment().stdoutIsTerminal()) {
            throw new UsageException("llmo vault unlock prints a line for your shell to run, not for you to read",
                    "run it as: eval \"$(llmo vault unlock" + (duration.equals("15m") ? "" : " --for " + duration)
                            + ")\"" + (fish() ? " (fish: eval (llmo vault unlock))" : ""));
        }
        Vault vault = vault();
        VaultSession session;
        try (UnlockedVault open = unlockWithPassword(vault, "unlock")) {
            session = VaultSession.start(open, length, context.environment().env());
        } finally {
            closePrompt();
        }
        // the session this shell had is replaced, not left running beside the new one
        VaultSession.fromEnvironment(context.environment().env()).ifPresent(VaultSession::lock);
        Instant until = session.expires().orElseGet(() -> Instant.now().plus(length));
        String value = session.environmentValue();
        context.out().println(fish() ? "set -gx " + VaultSession.ENV + " " + shellQuote(value) + ";"
                : VaultSession.ENV + "=" + shellQuote(value) + "; export " + VaultSession.ENV + ";");
        context.out().flush();
        note("the vault is open until " + date(until) + " for commands of this shell; 'llmo vault lock' closes it");
    }

    @Command(name = "lock", mixinStandardHelpOptions = true,
            description = {"Close every open vault session of yours (see 'llmo vault unlock'): their keys are wiped "
                    + "from memory. Prints a line that removes " + VaultSession.ENV + " when run as eval \"$(llmo "
                    + "vault lock)\"; a command that finds the variable of a closed session asks for the password."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault lock", "  eval \"$(llmo vault lock)\""})
    void lock() {
        Optional<VaultSession> own = VaultSession.fromEnvironment(context.environment().env());
        int locked = own.map(VaultSession::lock).orElse(false) ? 1 : 0;
        locked += VaultSession.lockAll(context.environment().env());
        if (!context.environment().stdoutIsTerminal()) {
            context.out().println(fish() ? "set -e " + VaultSession.ENV + ";" : "unset " + VaultSession.ENV + ";");
            context.out().flush();
        }
        note(locked == 0 ? "no vault session was open" : "closed " + locked + " vault session" + (locked == 1 ? "" : "s"));
    }

    private boolean fish() {
        return context.environment().env().getOrDefault("SHELL", "").endsWith("/fish");
    }

    /** Single quotes for sh and fish; the value (a path and base64url) has none, but a path could. */
    private static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static java.time.Duration duration(String text) {
        java.util.regex.Matcher matcher = DURATION.matcher(text);
        java.time.Duration length = java.time.Duration.ZERO;
        if (!text.isEmpty() && matcher.matches()) {
            for (int group = 1; group <= 3; group++) {
                if (matcher.group(group) != null) {
                    long n = Long.parseLong(matcher.group(group));
                    length = length.plusSeconds(group == 1 ? n * 3600 : group == 2 ? n * 60 : n);
                }
            }
        }
        if (length.isZero() || length.compareTo(VaultSession.MAX_DURATION) > 0) {
            throw new UsageException("--for takes a duration from 1s to 24h such as 90s, 15m, 2h or 1h30m, not '"
                    + text + "'", "e.g. llmo vault unlock --for 1h");
        }
        return length;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show where the vault is and what can be read without its password.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo vault status", "  llmo vault"})
    void status() {
        VaultStatus status = vault().status();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("vault", status.file().toString());
        rows.put("exists", status.exists() ? "yes" : "no (create it with 'llmo vault init')");
        if (status.exists()) {
            rows.put("size", status.size() + " bytes");
            status.modified().ifPresent(m -> rows.put("modified", date(m)));
            status.permissions().ifPresent(p -> rows.put("permissions", p.equals("rw-------") ? p
                    : p + " (expected rw-------: run 'chmod 600 " + status.file() + "')"));
            status.header().ifPresent(header -> describe(header, rows));
            if (status.header().isPresent()) {
                rows.put("entries", "not shown: counting them needs the password ('llmo vault list')");
            }
        }
        Optional<VaultSession> session = VaultSession.fromEnvironment(context.environment().env());
        Optional<Instant> until = session.flatMap(VaultSession::expires);
        rows.put("session", until.map(t -> "open until " + date(t) + " (" + VaultSession.ENV + ")")
                .orElse(session.isEmpty() ? "none ('llmo vault unlock' opens one)"
                        : session.get().refusal().map(why -> "not used: " + why)
                        .orElse("closed or expired (" + VaultSession.ENV + " is stale)")));
        // the session's key serves every command of this shell: the password is asked for by none of them
        rows.put("password", until.isPresent() ? "not needed: the session is open until " + date(until.get())
                : passwords().inEnvironment() ? "from " + PasswordSource.ENV
                : context.environment().stdinIsTerminal() ? "asked on the terminal when needed"
                : "needed from " + PasswordSource.ENV + " (no terminal to ask on)");
        PrintWriter out = context.out();
        rows.forEach((key, value) -> out.println(pad(key + ":", 13) + value));
        out.flush();
        Optional<String> problem = status.problem();
        if (problem.isPresent()) {
            throw new CredentialsException(problem.get(),
                    "restore vault.enc from a backup, or move it away and run 'llmo vault init'");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private Vault vault() {
        return Vault.withIterations(context.dirs().vaultFile(), context.environment().vaultIterations());
    }

    private VaultPasswords passwords() {
        return new VaultPasswords(context.environment(), this::prompt);
    }

    private SecretPrompt prompt() {
        if (prompt == null) {
            context.err().flush();  // keep our stderr lines before the terminal's
            prompt = terminal.apply(context.environment());
        }
        return prompt;
    }

    private void closePrompt() {
        if (prompt != null) {
            prompt.close();
            prompt = null;
        }
    }

    /**
     * Unlocks with the key of an open session ({@code llmo vault unlock}), else with one PBKDF2 run; the password is
     * asked only after the file is known to exist.
     */
    private UnlockedVault unlock(Vault vault, String command) {
        vault.requireExists();
        Optional<VaultSession> session = VaultSession.fromEnvironment(context.environment().env());
        if (session.isPresent()) {
            Optional<UnlockedVault> open = vault.unlock(session.get());
            if (open.isPresent()) {
                sealLedger(open.get());
                return open.get();
            }
        }
        return unlockWithPassword(vault, command);
    }

    private UnlockedVault unlockWithPassword(Vault vault, String command) {
        vault.requireExists();
        char[] password = passwords().password(vault.file(), "llmo vault " + command + " opens the vault");
        try {
            UnlockedVault open = vault.unlock(password);
            if (open.strengthened()) {
                note("re-encrypted the vault with " + open.iterations() + " PBKDF2 iterations");
            }
            sealLedger(open);
            return open;
        } finally {
            VaultPasswords.wipe(password);
        }
    }

    /**
     * A new password that came without a prompt (the environment, stdin) was not rated as it was typed: a weak one is
     * said after the fact, as {@code init} says it.
     */
    private void warnIfWeak(char[] password, String what) {
        String warning = weakness(password, what);
        if (warning != null) {
            note(warning);
        }
    }

    /** The warning for a weak {@code password} ({@code what}: how it came), or null when it is not weak. */
    private static String weakness(char[] password, String what) {
        PasswordStrength strength = PasswordStrength.of(password);
        return strength.level() == PasswordStrength.Level.WEAK
                ? "warning: " + what + " is weak (" + strength.describe() + ")" : null;
    }

    private UnlockedVault createForSet(Vault vault) {
        if (context.environment().stdinIsTerminal() && !passwords().inEnvironment()) {
            prompt().println("There is no vault at " + vault.file() + " yet; choose a password to create it.");
            char[] password = VaultWizard.newPassword(prompt());
            try {
                UnlockedVault open = vault.create(password);
                sealLedger(open);
                return open;
            } finally {
                VaultPasswords.wipe(password);
            }
        }
        char[] password = passwords().password(vault.file(), "llmo vault set creates the vault");
        try {
            UnlockedVault open = vault.create(password);
            sealLedger(open);
            note("created the vault " + vault.file());
            warnIfWeak(password, "the password in " + PasswordSource.ENV);
            return open;
        } finally {
            VaultPasswords.wipe(password);
        }
    }

    /** The secret to store: masked prompt on a terminal, else the first line of stdin; surrounding blanks dropped. */
    private String readValue(String name) {
        boolean typed = context.environment().stdinIsTerminal();
        char[] chars = typed ? prompt().readSecret(name + " (typing shows as *): ").orElse(new char[0])
                : SecretPrompt.firstLine(context.environment().in()).orElse(new char[0]);
        try {
            String value = new String(chars).strip();
            if (value.isEmpty()) {
                throw typed ? new UsageException("nothing entered for " + name + "; the vault is unchanged", null)
                        : new UsageException("no secret on stdin for " + name,
                        "pipe it as the first line, e.g. 'pass show openai | llmo vault set " + name + "'");
            }
            // every secret here is sent as a header (an API key): one that cannot be would fail each call later
            String problem = ApiKey.headerProblem(value);
            if (problem != null) {
                throw new UsageException(name + " has a character an HTTP header cannot carry (" + problem
                        + "); the vault is unchanged", "set it again without that character");
            }
            return value;
        } finally {
            VaultPasswords.wipe(chars);
        }
    }

    private List<VaultWizard.KeySlot> keySlots() {
        Map<String, VaultWizard.KeySlot> slots = new LinkedHashMap<>();
        for (ProviderConfig provider : context.settings().catalog().providers()) {
            String key = provider.apiKeyName();
            if (key != null && !key.isBlank() && !slots.containsKey(key)) {
                slots.put(key, new VaultWizard.KeySlot(key, provider.name()));
            }
        }
        return new ArrayList<>(slots.values());
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new UsageException("invalid entry name '" + name + "'",
                    "use letters, digits, '_', '.' and '-', starting with a letter or '_' (e.g. OPENAI_API_KEY)");
        }
    }

    private static CredentialsException noEntry(String name, UnlockedVault open, String fix) {
        List<String> names = open.entries().stream().map(VaultEntry::name).toList();
        String hint = NameSuggestions.didYouMean(name, names);
        return new CredentialsException("no entry " + name + " in the vault " + open.file()
                + (hint.isEmpty() ? "" : " (" + hint + ")"), fix);
    }

    private static void describe(VaultHeader header, Map<String, String> rows) {
        rows.put("format", "llmo-vault version " + header.version());
        String kdf = header.kdf() + ", " + header.iterations() + " iterations, " + header.saltBytes() + "-byte salt";
        if (header.iterations() < Vault.DEFAULT_ITERATIONS) {
            kdf += " (below " + Vault.DEFAULT_ITERATIONS + ": strengthened at the next unlock)";
        }
        rows.put("kdf", kdf);
        rows.put("cipher", header.cipher());
    }

    private void note(String message) {
        context.err().println("llmo: " + message);
        context.err().flush();
    }

    private static String date(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
