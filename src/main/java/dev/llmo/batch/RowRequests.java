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
    private final Map<String, Object> options;
    private final String dataset;

    /**
     * @param prompt  the template, with {@code {{column}}} placeholders
     * @param system  the system prompt, or null
     * @param options request options ({@code -o})
     * @param dataset how messages name the dataset
     */
    public RowRequests(String prompt, String system, Map<String, Object> options, String dataset) {
        this.prompt = new Template(Objects.requireNonNull(prompt, "prompt"));
        this.system = system;
        this.options = Map.copyOf(options);
        this.dataset = dataset;
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
        for (String name : prompt.variables()) {
            if (!row.values().containsKey(name)) {
                throw new UsageException(dataset + ":" + row.line() + ": no column '" + name + "' for {{" + name
                        + "}} (the row has " + String.join(", ", row.values().keySet()) + ")",
                        "add the column to the dataset, or use one it has in the prompt");
            }
        }
        return prompt.render(row.values());
    }

    /** The row's call to {@code model} (not streamed: nobody watches a batch's answers arrive). */
    public RunRequest request(DatasetRow row, ModelRef model) {
        return RunRequest.of(model, system, prompt(row), options, false);
    }

    /** What a record keeps to know the row's prompt again: the SHA-256 of the system prompt and the filled prompt. */
    public String inputSha256(String filledPrompt) {
        String both = (system == null ? "" : system) + "\u0000" + filledPrompt;
        return Sha256.of(both.getBytes(StandardCharsets.UTF_8));
    }

    public String system() {
        return system;
    }
}
