package dev.llmo.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a batch is, as its record's {@code batch.spec} event keeps it: enough for {@code llmo batch resume} to run the
 * rest exactly as the start did, and for {@code report} to judge the answers.
 *
 * @param dataset       the dataset's absolute path, or {@code -} when it came on stdin
 * @param datasetFormat {@code jsonl} or {@code csv}
 * @param datasetSha256 the SHA-256 of the dataset's bytes ({@code sha256:<hex>})
 * @param rows          how many rows it has
 * @param models        the models, {@code provider/model}, in order ({@code model_index} in the rows)
 * @param prompt        the prompt template, with its {@code {{column}}} placeholders
 * @param template      the saved template's name when {@code -t} gave the prompt, else null
 * @param system        the system prompt, or null
 * @param optionsJson   the request options as a JSON object's text (text: an option may be a decimal, which an
 *                      event may not hold)
 * @param asserts       the assertions, as written ({@code contains Paris})
 * @param concurrency   {@code --concurrency}
 * @param via           {@code live}, or the provider whose batch API runs it
 */
public record BatchSpec(String dataset, String datasetFormat, String datasetSha256, long rows, List<String> models,
                        String prompt, String template, String system, String optionsJson, List<String> asserts,
                        int concurrency, String via) {
    /** The event type. */
    public static final String TYPE = "batch.spec";

    public BatchSpec {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(prompt, "prompt");
        models = List.copyOf(models);
        asserts = List.copyOf(asserts);
    }

    /** The {@code data} of its event. */
    public ObjectNode toJson() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("dataset", dataset);
        data.put("dataset_format", datasetFormat);
        data.put("dataset_sha256", datasetSha256);
        data.put("rows", rows);
        ArrayNode list = data.putArray("models");
        models.forEach(list::add);
        data.put("prompt", prompt);
        data.put("template", template);
        data.put("system", system);
        data.put("options", optionsJson);
        ArrayNode checks = data.putArray("asserts");
        asserts.forEach(checks::add);
        data.put("concurrency", concurrency);
        data.put("via", via);
        return data;
    }

    /** The spec an event's {@code data} holds. */
    public static BatchSpec of(JsonNode data) {
        return new BatchSpec(data.path("dataset").asText(), data.path("dataset_format").asText(),
                data.path("dataset_sha256").asText(), data.path("rows").asLong(), texts(data.path("models")),
                data.path("prompt").asText(), data.path("template").textValue(), data.path("system").textValue(),
                data.path("options").asText("{}"), texts(data.path("asserts")), data.path("concurrency").asInt(1),
                data.path("via").asText("live"));
    }

    private static List<String> texts(JsonNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
