package dev.llmo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.Settings;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.LlmoException;
import dev.llmo.tool.SecretSource;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolCatalog;
import dev.llmo.tool.ToolPolicy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo tools}: the tools of the configuration (MCP servers and command tools). */
@Command(name = "tools", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List the tools a model can be offered: MCP servers' tools and command tools.",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo tools list", "  llmo tools list --json | jq -r 'select(.decision == \"allow\") | .name'"})
final class ToolsCommand implements Callable<Integer> {
    private static final int SCHEMA_DIGITS = 12;
    private final CliContext context;

    ToolsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return list(false);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"List every tool: its name (SERVER.TOOL, or a command tool's name), source, schema hash, "
                    + "what tool_policy decides for it (and which rule), and its description.",
                    "Starts every configured MCP server to ask for its tools, and stops them again. A server that "
                            + "cannot start is one line on stderr and exit code 1, after the others are listed.",
                    "Rules with args_match depend on each call's arguments and are not shown here."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo tools list", "  llmo tools list --json | jq -r .name"})
    int list(@Option(names = "--json", description = "JSON Lines on stdout: one object per tool "
            + "{name, source, description, schema_sha256, decision, decided_by}.") boolean json) {
        Settings settings = context.settings();
        settings.requireTrusted(); // listing starts the configured servers: an untrusted project's may not run
        ToolPolicy policy = ToolPolicy.of(settings.tools().policy(), List.of(), false);
        List<Tool> tools;
        Map<String, LlmoException> failures;
        try (ToolCatalog catalog = openCatalog(context, settings)) {
            tools = catalog.all();
            failures = catalog.failures();
        }
        PrintWriter out = json ? context.jsonOut() : context.out();
        if (json) {
            printJson(tools, policy, out);
        } else {
            printTable(tools, policy, out, TerminalColumns.of(context.environment()));
        }
        out.flush();
        if (tools.isEmpty() && failures.isEmpty()) {
            context.err().println("llmo: no tools are configured (mcp_servers: and tools: in config.yaml; see "
                    + "'llmo help tools')");
            context.err().flush();
        }
        ErrorReporter reporter = new ErrorReporter(context);
        for (LlmoException failure : failures.values()) {
            reporter.report(failure);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** The catalog of this invocation's configuration, its logs and scratch directories in the data dir. */
    static ToolCatalog openCatalog(CliContext context, Settings settings) {
        return ToolCatalog.open(settings.tools(), context.dirs().toolLogDir(), secrets(context));
    }

    /** {@code ${vault:NAME}} from the vault (unlocked only when a server or tool needs it), {@code ${env:NAME}}. */
    static SecretSource secrets(CliContext context) {
        return new SecretSource() {
            @Override
            public String secret(String name) {
                return context.vaultKeys().secret(name, "a tool needs " + name + " from the vault")
                        .orElseThrow(() -> new CredentialsException("the vault has no entry " + name
                                + ", which a tool's configuration names (${vault:" + name + "})",
                                "add it with 'llmo vault set " + name + "'"));
            }

            @Override
            public String variable(String name) {
                return context.environment().env().get(name);
            }
        };
    }

    private static void printJson(List<Tool> tools, ToolPolicy policy, PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper();
        for (Tool tool : tools) {
            ToolPolicy.Verdict verdict = policy.decideAnyArguments(tool.name());
            ObjectNode row = mapper.createObjectNode();
            row.put("name", tool.name());
            row.put("source", tool.source());
            row.put("description", tool.description());
            row.put("schema_sha256", tool.schemaSha256());
            row.put("decision", verdict.decision().name().toLowerCase(java.util.Locale.ROOT));
            row.put("decided_by", verdict.decidedBy());
            try {
                out.println(mapper.writeValueAsString(row));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Columns padded to their widest cell; on a terminal each line is cut to its width. */
    private void printTable(List<Tool> tools, ToolPolicy policy, PrintWriter out, int width) {
        if (tools.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SOURCE", "SCHEMA", "POLICY", "DESCRIPTION"});
        for (Tool tool : tools) {
            ToolPolicy.Verdict verdict = policy.decideAnyArguments(tool.name());
            String description = tool.description().strip().lines().findFirst().orElse("");
            rows.add(new String[] {tool.name(), tool.source(), tool.schemaSha256().substring(0, SCHEMA_DIGITS),
                    verdict.decision().name().toLowerCase(java.util.Locale.ROOT) + " (" + shortBy(verdict.decidedBy())
                            + ")", description});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            line.append(row[4]);
            String text = context.stdoutText(line.toString().stripTrailing());
            if (width > 0 && text.codePointCount(0, text.length()) > width) {
                text = text.substring(0, text.offsetByCodePoints(0, width - 1)) + "…";
            }
            out.println(text);
        }
    }

    /** A rule's file by its name only ({@code rule 2 (config.yaml:7)}): the table has little room. */
    private static String shortBy(String decidedBy) {
        return decidedBy.replaceFirst("^tool_policy rule (\\d+) \\((?:.*/)?([^/]+)\\)$", "rule $1, $2");
    }
}
