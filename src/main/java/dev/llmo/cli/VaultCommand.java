package dev.llmo.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code llmo vault}: the encrypted key store. */
@Command(name = "vault", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Keep API keys in an encrypted vault (PBKDF2-HMAC-SHA256 + AES-256-GCM).",
                "Secrets are read from a masked prompt or stdin, never from the command line."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo vault init", "  llmo vault set OPENAI_API_KEY", "  pass show openai | llmo vault set OPENAI_API_KEY",
                "  llmo vault list"})
final class VaultCommand implements Runnable {
    private final CliContext context;

    VaultCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        status();
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create the vault (a wizard on a terminal).")
    void init() {
        throw Unreleased.command("vault init");
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Store a secret (masked prompt or stdin).")
    void set(@Parameters(paramLabel = "NAME", description = "Entry name, e.g. OPENAI_API_KEY.") String name) {
        throw Unreleased.command("vault set");
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a secret to stdout.")
    void get(@Parameters(paramLabel = "NAME", description = "Entry name.") String name) {
        throw Unreleased.command("vault get");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List entry names and dates (no secrets).")
    void list() {
        throw Unreleased.command("vault list");
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Delete an entry.")
    void remove(@Parameters(paramLabel = "NAME", description = "Entry name.") String name) {
        throw Unreleased.command("vault remove");
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change the vault password.")
    void passwd() {
        throw Unreleased.command("vault passwd");
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say where the vault is and its state.")
    void status() {
        throw Unreleased.command("vault status");
    }
}
