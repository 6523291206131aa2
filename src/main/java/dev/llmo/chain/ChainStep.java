package dev.llmo.chain;

import dev.llmo.config.Origin;
import dev.llmo.schema.AnswerSchema;
import java.util.List;

/**
 * One step of a chain.
 *
 * @param models   the model references to call: one, or several when {@code parallel}; empty = the default model
 * @param role     the role whose system prompt (and model, if the step names none) applies, or null
 * @param when     run the step only when this holds, or null to always run it
 * @param repeat   re-run the step on its own output until a condition holds, or null
 * @param tools    the tools its models may call ({@code tools: [fs.*, wc]}, as {@code -T} takes them); empty for none
 * @param schema   the JSON Schema its answer must follow ({@code schema:} or {@code schema_multi:}), or null; later
 *                 steps read its fields as {@code {{name.field}}}
 * @param schemaRetries how many times an answer that breaks the schema is asked for again ({@code schema_retries:})
 * @param attach   files or URLs attached to its prompt ({@code attach: [chart.png]}, as {@code -a} takes them)
 */
public record ChainStep(String name, List<String> models, boolean parallel, String role, Template prompt,
                        Condition when, String whenSource, Repeat repeat, Origin origin, List<String> tools,
                        AnswerSchema schema, int schemaRetries, List<String> attach) {
    public ChainStep {
        models = List.copyOf(models);
        tools = List.copyOf(tools);
        attach = List.copyOf(attach);
    }

    /** A step that attaches nothing. */
    public ChainStep(String name, List<String> models, boolean parallel, String role, Template prompt,
                     Condition when, String whenSource, Repeat repeat, Origin origin, List<String> tools,
                     AnswerSchema schema, int schemaRetries) {
        this(name, models, parallel, role, prompt, when, whenSource, repeat, origin, tools, schema, schemaRetries,
                List.of());
    }

    /** {@code repeat: {until: "<condition>", max: N}}. */
    public record Repeat(Condition until, String untilSource, int max) {
    }
}
