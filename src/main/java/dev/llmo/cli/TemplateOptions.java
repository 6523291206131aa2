package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import dev.llmo.template.SavedTemplate;
import dev.llmo.template.TemplateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The template options of {@code run} ({@code @Mixin}): use a saved template, fill its placeholders, save one. */
final class TemplateOptions {
    @Option(names = {"-t", "--template"}, paramLabel = "NAME",
            description = "Use the saved template NAME (see 'llmo templates list'); flags given here win over its "
                    + "values.")
    String template;

    @Option(names = {"-p", "--param"}, arity = "2", paramLabel = "KEY VALUE", hideParamSyntax = true,
            description = "Fill the template's {{KEY}} with VALUE. Repeatable.")
    List<String> params = new ArrayList<>();

    @Option(names = "--save", paramLabel = "NAME",
            description = "Save this command (prompt, -s, -r, -m, -o, -f, --sf, -T, --schema, --schema-multi, "
                    + "--schema-retries, -p values as defaults) as template NAME "
                    + "instead of running it.")
    String save;

    /** The template -t names, or null without -t. */
    SavedTemplate load(CliContext context) {
        if (template == null) {
            if (!params.isEmpty() && save == null) {
                throw new UsageException("-p fills a template's placeholders, and no template is used",
                        "add -t NAME (or --save NAME to store the values as defaults)");
            }
            return null;
        }
        return store(context).load(template);
    }

    /** The -p values by name; a name given twice keeps its last value. */
    Map<String, String> params() {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < params.size(); i += 2) {
            String key = params.get(i).strip();
            if (key.isEmpty()) {
                throw new UsageException("-p needs a KEY and a VALUE, got an empty KEY", "e.g. -p style terse");
            }
            values.put(key, params.get(i + 1));
        }
        return values;
    }

    static TemplateStore store(CliContext context) {
        return new TemplateStore(context.dirs(), context.environment().workingDir());
    }
}
