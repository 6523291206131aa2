package dev.llmo.batch;

import dev.llmo.chain.Template;
import dev.llmo.config.ModelRef;
import dev.llmo.core.RunRequest;
import dev.llmo.eventlog.Sha256;
import dev.llmo.failure.UsageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one place a dataset row becomes a request: the prompt template's {@code {{column}}} placeholders filled from the
 * row, the batch's system prompt and options. A live batch sends what this builds; a batch on a provider's batch API
 * ({@code --via}) puts the same requests in its upload ({@code CallExecutor.chatRequest} of each, then the client's
 * body), so that both mean the same by the same row.
 */
public final class RowRequests {
    private final Template prompt;
    private final String system;
    private final Template systemTemplate;
    private final Map<String, Object> options;
    private final String dataset;
    private final Map<String, String> defaults;

    /**
     * @param prompt  the template, with {@code {{column}}} placeholders
     * @param system  the system prompt, or null
     * @param options request options ({@code -o})
     * @param dataset how messages name the dataset
     */
    public RowRequests(String prompt, String system, Map<String, Object> options, String dataset) {
        this(prompt, system, options, dataset, Map.of());
    }

    /**
     * @param defaults placeholder values a row's columns override (a saved template's {@code -p} defaults); the
     *                 system prompt's placeholders are filled from the row too
     */
    public RowRequests(String prompt, String system, Map<String, Object> options, String dataset,
                       Map<String, String> defaults) {
        this.prompt = new Template(Objects.requireNonNull(prompt, "prompt"));
        this.system = system;
        this.systemTemplate = system == null ? null : new Template(system);
        this.options = Map.copyOf(options);
        this.dataset = dataset;
        this.defaults = Map.copyOf(defaults);
    }

    /** The placeholders the template uses. */
    public List<String> columns() {
        return new ArrayList<>(prompt.variables());
    }

    /**
     * The row's prompt.
     *
     * @throws UsageException (exit 2) naming the row's line when it has no column for a placeholder
     */
    public String prompt(DatasetRow row) {
        return fill(prompt, row);
    }

    /** The row's system prompt, or null. */
    public String system(DatasetRow row) {
        return systemTemplate == null ? null : fill(systemTemplate, row);
    }

    private String fill(Template template, DatasetRow row) {
        Map<String, String> values = new java.util.HashMap<>(defaults);
        values.putAll(row.values());
        for (String name : template.variables()) {
            if (!values.containsKey(name)) {
                throw new UsageException(dataset + ":" + row.line() + ": no column '" + name + "' for {{" + name
                        + "}} (the row has " + String.join(", ", row.values().keySet()) + ")",
                        "add the column to the dataset, or use one it has in the prompt");
            }
        }
        return template.render(values);
    }

    /** The row's call to {@code model} (not streamed: nobody watches a batch's answers arrive). */
    public RunRequest request(DatasetRow row, ModelRef model) {
        return RunRequest.of(model, system(row), prompt(row), options, false);
    }

    /** What a record keeps to know the row's prompt again: the SHA-256 of the system prompt and the filled prompt. */
    public String inputSha256(DatasetRow row) {
        String filled = system(row);
        String both = (filled == null ? "" : filled) + "\u0000" + prompt(row);
        return Sha256.of(both.getBytes(StandardCharsets.UTF_8));
    }

    public String system() {
        return system;
    }
}
