package dev.llmo.template;

import dev.llmo.chain.Template;
import dev.llmo.config.NameSuggestions;
import dev.llmo.failure.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A saved command ({@code llmo run --save NAME}): the raw values of its flags, so that {@code -t NAME} replays the
 * same command. The prompt and the system prompt may hold {@code {{name}}} placeholders (the syntax of chain
 * templates, {@link Template}), filled by {@link #fill}: {@code -p KEY VALUE} on the command line, a dataset
 * row's columns in a batch, {@code {{input}}} from stdin. Immutable; null means "not set" for the texts.
 *
 * @param prompt          the prompt, or null (then the input is the prompt)
 * @param system          the system prompt ({@code -s}), or null
 * @param role            the role ({@code -r}), or null
 * @param models          the models ({@code -m}), in order; empty for the configured default
 * @param options         request options ({@code -o KEY=VALUE}), as typed
 * @param fragments       fragments of the prompt ({@code -f}): paths, URLs or {@code -}
 * @param systemFragments fragments of the system prompt ({@code --sf})
 * @param tools           tools offered ({@code -T})
 * @param defaults        placeholder values used when nothing else gives one
 * @param schema          the answer's schema ({@code --schema} or {@code --schema-multi}), or null
 * @param attachments     attachments ({@code -a}): absolute paths or URLs
 * @param attachmentTypes their media types ({@code --attach-type}): none, one for all, or one each
 */
public record SavedTemplate(String prompt, String system, String role, List<String> models,
                            Map<String, String> options, List<String> fragments, List<String> systemFragments,
                            List<String> tools, Map<String, String> defaults, Schema schema,
                            List<String> attachments, List<String> attachmentTypes) {
    /** The placeholder that stands for the input: piped stdin and PROMPT words in {@code run}. */
    public static final String INPUT = "input";

    public SavedTemplate {
        models = List.copyOf(models);
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        fragments = List.copyOf(fragments);
        systemFragments = List.copyOf(systemFragments);
        tools = List.copyOf(tools);
        attachments = List.copyOf(attachments);
        attachmentTypes = List.copyOf(attachmentTypes);
        defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
    }

    /** A template without a schema or attachments. */
    public SavedTemplate(String prompt, String system, String role, List<String> models, Map<String, String> options,
                         List<String> fragments, List<String> systemFragments, List<String> tools,
                         Map<String, String> defaults) {
        this(prompt, system, role, models, options, fragments, systemFragments, tools, defaults, null, List.of(),
                List.of());
    }

    /**
     * Structured output as saved: {@code --schema} or {@code --schema-multi} and {@code --schema-retries}.
     *
     * @param value   the schema as given (inline JSON, the DSL, or the path of a file holding JSON: absolute, so that
     *                the template works from any directory); null when only the retries are set
     * @param multi   whether it is {@code --schema-multi} (a list of such objects)
     * @param retries {@code --schema-retries}, or null when not set
     */
    public record Schema(String value, boolean multi, Integer retries) {
    }

    /** The placeholders of the prompt and the system prompt, in order of first use. */
    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        if (system != null) {
            names.addAll(new Template(system).variables());
        }
        if (prompt != null) {
            names.addAll(new Template(prompt).variables());
        }
        return names;
    }

    /**
     * Refuses a {@code -p} name that no placeholder uses: a misspelled name would otherwise leave the placeholder to
     * its default without a word. {@code input} is always accepted: PROMPT words and stdin fill it.
     *
     * @throws UsageException (exit 2) naming the first such name and the placeholder it is closest to
     */
    public void requirePlaceholders(Collection<String> names) {
        Set<String> placeholders = placeholders();
        for (String name : names) {
            if (INPUT.equals(name) || placeholders.contains(name)) {
                continue;
            }
            List<String> known = placeholders.stream().filter(p -> !INPUT.equals(p)).toList();
            String hint = NameSuggestions.didYouMean(name, known);
            throw new UsageException("-p " + name + " fills no placeholder of the template"
                    + (hint.isEmpty() ? known.isEmpty() ? " (it has none)" : "" : " (" + hint + ")"),
                    known.isEmpty() ? "write {{" + name + "}} in the prompt or the system prompt, or leave out -p "
                            + name : "its placeholders are {{" + String.join("}}, {{", known) + "}}");
        }
    }

    /**
     * The placeholders that neither {@code values} nor {@link #defaults} fill, in order of first use. An empty
     * {@code input} counts as unfilled: a template that asks for input gets some.
     */
    public List<String> missing(Map<String, String> values) {
        List<String> missing = new ArrayList<>();
        for (String name : placeholders()) {
            String value = value(name, values);
            if (value == null || INPUT.equals(name) && value.isBlank()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /**
     * This template with its prompt and system prompt filled: {@code values} first, then {@link #defaults}. The
     * {@code input} value, when the prompt does not place it with {@code {{input}}}, follows the prompt after a blank
     * line (as piped stdin follows PROMPT in {@code run}), or is the prompt when the template has none.
     *
     * @throws UsageException naming the first placeholder left unfilled and the {@code -p} that fills it, or a value
     *                        that fills none ({@link #requirePlaceholders}) (exit 2); call {@link #missing} first to
     *                        say it another way
     */
    public SavedTemplate fill(Map<String, String> values) {
        requirePlaceholders(values.keySet());
        List<String> missing = missing(values);
        if (!missing.isEmpty()) {
            String name = missing.get(0);
            if (INPUT.equals(name)) {
                throw new UsageException("the template needs {{input}}, and there is none",
                        "pipe text on stdin or give PROMPT words");
            }
            throw new UsageException("the template needs a value for {{" + name + "}}"
                    + (missing.size() > 1 ? " (and " + String.join(", ", missing.subList(1, missing.size())) + ")"
                    : ""), "add -p " + name + " VALUE");
        }
        Map<String, String> all = new LinkedHashMap<>(defaults);
        values.forEach((name, value) -> {
            if (value != null) {
                all.put(name, value);
            }
        });
        String filled = prompt == null ? null : new Template(prompt).render(all);
        String input = all.get(INPUT);
        boolean placed = prompt != null && new Template(prompt).variables().contains(INPUT);
        if (!placed && input != null && !input.isBlank()) {
            filled = filled == null || filled.isBlank() ? input : filled + "\n\n" + input;
        }
        String filledSystem = system == null ? null : new Template(system).render(all);
        return new SavedTemplate(filled, filledSystem, role, models, options, fragments, systemFragments, tools,
                defaults, schema, attachments, attachmentTypes);
    }

    private String value(String name, Map<String, String> values) {
        String given = values.get(name);
        return given != null ? given : defaults.get(name);
    }
}
