package dev.llmo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ConfigLayer;
import dev.llmo.config.ModelCatalog;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProjectTrust;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Urls;
import dev.llmo.config.Settings;
import dev.llmo.config.TrustViolation;
import dev.llmo.core.RemoteModels;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ErrorKind;
import dev.llmo.provider.RemoteModel;
import dev.llmo.cli.terminal.TextTable;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo models}: every configured provider and model, and where each comes from. */
@Command(name = "models", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"List the configured providers and models with context window, price and source layer.",
                "(default) marks each provider's default model; prices are USD per million tokens.",
                "An untrusted project configuration (.llmo/) is marked, and what it may not set is listed on stderr."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo models", "  llmo models --json | jq -r .id", "  llmo models --remote"})
final class ModelsCommand implements Callable<Integer> {
    private static final String UNKNOWN = "?";
    private final CliContext context;

    @Option(names = "--remote", description = "Ask each provider's list endpoint what it serves.")
    boolean remote;

    @Option(names = "--json", description = "JSON Lines on stdout: one object per model.")
    boolean json;

    ModelsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (remote) {
            return listRemote();
        }
        Settings settings = context.settings();
        ModelCatalog catalog = settings.catalog();
        if (json) {
            printJson(catalog, settings.project(), context.out());
        } else {
            printTable(catalog, context.out());
        }
        context.out().flush();
        printTrust(settings, context.err(), context.environment().stderrIsTerminal());
        return 0;
    }

    /** On stderr: an untrusted project layer, and each setting of it that stops the commands that send. */
    private static void printTrust(Settings settings, PrintWriter err, boolean terminal) {
        ProjectTrust project = settings.project();
        if (project == null || project.trusted()) {
            return;
        }
        if (settings.untrusted().isEmpty()) {
            err.println("llmo: note: the project configuration " + project.configDir() + " is "
                    + project.status().label() + "; it sets nothing that needs trust");
        } else {
            err.println("llmo: note: the project configuration " + project.configDir() + " is "
                    + project.status().label() + "; run, chat and chain run stop until you "
                    + project.fix().replace(" if you trust it", "") + ". It sets:");
            for (TrustViolation violation : settings.untrusted()) {
                err.println(TerminalText.forTerminal("llmo: note:   " + violation.origin().where() + ": "
                        + violation.what(), terminal));
            }
        }
        err.flush();
    }

    /**
     * Asks each provider's list endpoint. A provider without a key is skipped with a note. A keyless server that
     * cannot be reached (a local Ollama that is not running) is a note too, as long as some provider answered: it
     * is not installed or not started, which is no failure of the listing. Any other failure is reported and makes
     * the exit code 1, after the others are listed.
     */
    private int listRemote() throws Exception {
        ModelCatalog catalog = context.settings().catalog();
        ObjectMapper mapper = new ObjectMapper();
        ErrorReporter reporter = new ErrorReporter(context);
        PrintWriter out = context.out();
        List<RemoteModels.Listing> listings = CoreServices.remoteModels(context).list(catalog.providers());
        boolean anyAnswered = listings.stream().anyMatch(l -> l.skipped() == null && l.error() == null);
        boolean failed = false;
        for (RemoteModels.Listing listing : listings) {
            ProviderConfig provider = listing.provider();
            if (listing.skipped() != null) {
                context.err().println("llmo: note: skipped " + provider.name() + ": " + listing.skipped());
                context.err().flush();
                continue;
            }
            if (listing.error() != null && anyAnswered && unreachableKeyless(listing)) {
                context.err().println(context.stderrText("llmo: note: " + provider.name() + " is unreachable: "
                        + listing.error().getMessage() + " (start it, or ignore this if you do not use it)"));
                context.err().flush();
                continue;
            }
            if (listing.error() != null) {
                reporter.report(listing.error());
                failed = true;
                continue;
            }
            int width = listing.models().stream().mapToInt(m -> m.id().length()).max().orElse(0)
                    + provider.name().length() + 1;
            for (RemoteModel model : listing.models()) {
                String id = provider.name() + "/" + model.id();
                if (json) {
                    ObjectNode row = mapper.createObjectNode();
                    row.put("id", id);
                    row.put("provider", provider.name());
                    row.put("model", model.id());
                    row.put("display_name", model.displayName());
                    out.println(mapper.writeValueAsString(row));
                } else {
                    out.println(context.stdoutText(model.displayName() == null ? id
                            : id + " ".repeat(width - id.length() + 2) + model.displayName()));
                }
            }
            out.flush();
        }
        return failed ? 1 : 0;
    }

    /** A provider that needs no key (a local server) and could not be connected to. */
    private static boolean unreachableKeyless(RemoteModels.Listing listing) {
        ProviderConfig provider = listing.provider();
        return provider.apiKeyName() == null && provider.apiKeyCmd() == null
                && listing.error() instanceof CallError call && call.kind() == ErrorKind.CONNECTION;
    }

    private static void printJson(ModelCatalog catalog, ProjectTrust project, PrintWriter out) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (ProviderConfig provider : catalog.providers()) {
            for (ModelSpec spec : provider.models()) {
                ObjectNode row = mapper.createObjectNode();
                row.put("id", provider.name() + "/" + spec.name());
                row.put("provider", provider.name());
                row.put("type", provider.type().id());
                row.put("model", spec.name());
                row.set("aliases", mapper.valueToTree(spec.aliases()));
                row.put("default", spec.name().equals(provider.defaultModel()));
                row.put("context_window", spec.contextWindow());
                row.put("max_output_tokens", spec.maxOutputTokens());
                // what it takes (models.yaml input:, in the order of the kinds); null: unknown, sent as is
                row.set("input", spec.input() == null ? null : mapper.valueToTree(ModelSpec.INPUT_KINDS.stream()
                        .filter(spec.input()::contains).toList()));
                if (spec.pricing() == null) {
                    row.putNull("pricing");
                } else {
                    ObjectNode pricing = row.putObject("pricing");
                    pricing.put("input_per_mtok", spec.pricing().inputPerMtok());
                    pricing.put("output_per_mtok", spec.pricing().outputPerMtok());
                    // null: cached input costs the plain input price
                    pricing.put("cached_input_per_mtok", spec.pricing().cachedInputPerMtok());
                    pricing.put("cache_write_per_mtok", spec.pricing().cacheWritePerMtok());
                }
                row.put("base_url", Urls.shown(provider.baseUrl()));
                row.put("source", spec.origin().layer());
                row.put("file", spec.origin().file());
                row.put("trusted", !isUntrusted(spec.origin(), project));
                out.println(mapper.writeValueAsString(row));
            }
        }
    }

    private void printTable(ModelCatalog catalog, PrintWriter out) {
        ProjectTrust project = context.settings().project();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MODEL", "ALIASES", "CONTEXT", "MAX OUT", "IN $/M", "OUT $/M", "SOURCE"});
        for (ProviderConfig provider : catalog.providers()) {
            for (ModelSpec spec : provider.models()) {
                boolean isDefault = spec.name().equals(provider.defaultModel());
                rows.add(new String[] {
                    provider.name() + "/" + spec.name() + (isDefault ? " (default)" : ""),
                    String.join(",", spec.aliases()),
                    count(spec.contextWindow()),
                    count(spec.maxOutputTokens()),
                    spec.pricing() == null ? UNKNOWN : price(spec.pricing().inputPerMtok()),
                    spec.pricing() == null ? UNKNOWN : price(spec.pricing().outputPerMtok()),
                    source(spec.origin(), project),
                });
            }
            if (provider.models().isEmpty()) {
                rows.add(new String[] {provider.name() + "/* (no models listed)", "", UNKNOWN, UNKNOWN, UNKNOWN,
                    UNKNOWN, source(provider.origin(), project)});
            }
        }
        // on a narrow terminal the source, the aliases and the answer limit are spared, in that order: never the id
        TextTable.Layout table = TextTable.layout(rows, new boolean[] {false, false, true, true,
            true, true, false}, TerminalColumns.of(context.environment()), 6, 1, 3);
        boolean bold = context.colorOut();
        for (int r = 0; r < table.lines().size(); r++) {
            String text = context.stdoutText(table.lines().get(r));
            out.println(r == 0 && bold ? "\u001b[1m" + text + "\u001b[0m" : text);
        }
        out.flush();
        TextTable.omitted(context.err(), table, "llmo models --json");
    }

    /**
     * 128,000: commas, as the other tables print counts. By hand, because {@code String.format("%,d")} loads the
     * locale's number formats, a tenth of the time {@code llmo models} took.
     */
    static String count(Long value) {
        if (value == null) {
            return UNKNOWN;
        }
        String digits = Long.toString(value);
        int first = value < 0 ? 1 : 0;
        StringBuilder grouped = new StringBuilder(digits.length() + digits.length() / 3);
        for (int i = 0; i < digits.length(); i++) {
            if (i > first && (digits.length() - i) % 3 == 0) {
                grouped.append(',');
            }
            grouped.append(digits.charAt(i));
        }
        return grouped.toString();
    }

    private static String price(BigDecimal value) {
        return value.setScale(Math.max(2, value.stripTrailingZeros().scale())).toPlainString();
    }

    private static String source(Origin origin, ProjectTrust project) {
        if (ConfigLayer.BUILT_IN.equals(origin.layer())) {
            return origin.layer();
        }
        return origin.layer() + (isUntrusted(origin, project) ? " (untrusted) " : " ") + origin.where();
    }

    private static boolean isUntrusted(Origin origin, ProjectTrust project) {
        return ConfigLayer.PROJECT.equals(origin.layer()) && project != null && !project.trusted();
    }
}
