package dev.llmo.chain;

import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.core.Conversation;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.tool.Tool;
import dev.llmo.core.RunResult;
import dev.llmo.engine.CallDefaults;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import dev.llmo.engine.Plan;
import dev.llmo.engine.Recording;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.SchemaBrokenException;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Part;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a chain: each step renders its prompt from the chain's variables and becomes a {@link Plan.ChainStep} for the
 * engine ({@link Orchestrator}: the one scheduler, so a step's models run at once within each provider's
 * {@code max_concurrency}); its answer becomes {@code previous} and {@code {{STEPNAME}}} for the steps after it.
 * {@code when} skips a step; {@code repeat} re-runs a step on its own output until its condition holds or {@code max}
 * runs are spent. Every call is recorded in one conversation, with a {@code chain.step} event before each step. A
 * failed call, or a listener that cannot show an answer, stops the chain; so does the run's {@link Cancellation}.
 */
public final class ChainRunner {
    private final Orchestrator engine;
    private final Settings settings;
    private final Conversation conversation;
    private final boolean stream;
    private final Cancellation cancellation;
    private final java.util.function.Function<List<String>, List<Tool>> tools;
    private final java.util.function.Function<ChainStep, List<Part.Attachment>> attachments;

    /** What the chain produced: the last output, and every call in order; {@code failed} is the call that stopped it. */
    public record Outcome(String output, List<StepCall> calls, RunResult failed) {
        public boolean succeeded() {
            return failed == null;
        }
    }

    /** One call of one step. */
    public record StepCall(String step, int iteration, RunResult result) {
    }

    public ChainRunner(Orchestrator engine, Settings settings, Conversation conversation, boolean stream,
                       Cancellation cancellation) {
        this(engine, settings, conversation, stream, cancellation, names -> {
            if (names.isEmpty()) {
                return List.of();
            }
            throw new dev.llmo.failure.UsageException("a step offers tools (" + String.join(", ", names)
                    + "), but no tools are open for this chain", "configure them in config.yaml; see "
                    + "docs/usage/tools.md");
        });
    }

    /**
     * @param tools the tools a step offers, given the names of its {@code tools:} (as {@code -T} takes them; empty
     *              when it names none), asked as each step starts
     */
    public ChainRunner(Orchestrator engine, Settings settings, Conversation conversation, boolean stream,
                       Cancellation cancellation, java.util.function.Function<List<String>, List<Tool>> tools) {
        this(engine, settings, conversation, stream, cancellation, tools, step -> List.of());
    }

    /**
     * @param attachments the attachments of a step's {@code attach:}, read and stored (the command reads them all
     *                    before the chain starts, so that a missing file or a model that cannot take one stops it
     *                    before anything is sent)
     */
    public ChainRunner(Orchestrator engine, Settings settings, Conversation conversation, boolean stream,
                       Cancellation cancellation, java.util.function.Function<List<String>, List<Tool>> tools,
                       java.util.function.Function<ChainStep, List<Part.Attachment>> attachments) {
        this.engine = engine;
        this.settings = settings;
        this.conversation = conversation;
        this.stream = stream;
        this.cancellation = cancellation;
        this.tools = tools;
        this.attachments = attachments;
    }

    /**
     * Runs {@code chain} on {@code input}. {@code listener} hears each step start ({@link RunEvent.StepStarted}) or be
     * skipped ({@link RunEvent.StepSkipped}) and every call's events, which name their step.
     */
    public Outcome run(ChainDefinition chain, String input, RunListener listener) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(ChainParser.INPUT, input);
        variables.put(ChainParser.PREVIOUS, input);
        List<StepCall> calls = new ArrayList<>();
        // the answers of the steps that declared a schema, parsed: what {{step.field}} reads
        Map<String, JsonNode> structured = new LinkedHashMap<>();
        for (int index = 0; index < chain.steps().size(); index++) {
            ChainStep step = chain.steps().get(index);
            try {
                variables.putAll(fields(step, structured, variables.keySet()));
            } catch (IllegalArgumentException e) {
                FailureException failure = new FailureException("chain '" + chain.name() + "', step '" + step.name()
                        + "': " + e.getMessage(), "make the field required "
                        + "in that step's schema, or read the whole answer");
                conversation.failedBeforeSending(failure);
                return new Outcome(null, calls, RunResult.failedBeforeAnswer(defaults(step, settings).model(), 0,
                        failure));
            }
            if (step.when() != null && !step.when().test(variables)) {
                record(chain, step, index, 0, List.of(), true);
                listener.onEvent(new RunEvent.StepSkipped(step.name(), index));
                variables.put(step.name(), ""); // a later {{name}} of a skipped step reads as empty
                continue;
            }
            CallDefaults defaults = defaults(step, settings);
            int runs = step.repeat() == null ? 1 : step.repeat().max();
            String output = variables.get(ChainParser.PREVIOUS);
            for (int iteration = 1; iteration <= runs; iteration++) {
                Map<String, String> scope = new LinkedHashMap<>(variables);
                scope.put(ChainParser.OUTPUT, output);
                record(chain, step, index, iteration, defaults.models(), false);
                listener.onEvent(new RunEvent.StepStarted(step.name(), index, iteration, defaults.models()));
                List<RunResult> results = call(step, defaults, step.prompt().render(scope), listener).stream()
                        .map(result -> withChainFix(chain, step, result)).toList();
                for (RunResult result : results) {
                    calls.add(new StepCall(step.name(), iteration, result));
                }
                RunResult failed = results.stream().filter(r -> !r.succeeded()).findFirst().orElse(null);
                LlmoException stopped = cancellation.reason();
                if (failed == null && stopped != null) {
                    // every answer came, but one could not be shown (stdout closed or full): the log says why
                    conversation.failedBeforeSending(stopped);
                    failed = RunResult.failedBeforeAnswer(results.get(results.size() - 1).model(), 0, stopped);
                }
                if (failed != null) {
                    return new Outcome(null, calls, failed);
                }
                output = combine(results);
                scope.put(ChainParser.OUTPUT, output);
                if (step.schema() != null && results.get(0).json() != null) {
                    structured.put(step.name(), Json.parseExact(results.get(0).json()).orElseThrow());
                }
                if (step.repeat() != null && step.repeat().until().test(scope)) {
                    break;
                }
            }
            variables.put(step.name(), output);
            variables.put(ChainParser.PREVIOUS, output);
        }
        return new Outcome(variables.get(ChainParser.PREVIOUS), calls, null);
    }

    /**
     * The values of the fields {@code step} reads ({@code {{draft.title}}}) in its prompt and conditions: of a
     * structured step that ran, its answer's field; of one that was skipped, empty (as {@code {{draft}}} is).
     *
     * @throws IllegalArgumentException naming the field when the answer does not have it
     */
    private static Map<String, String> fields(ChainStep step, Map<String, JsonNode> structured,
                                              java.util.Set<String> known) {
        java.util.Set<String> used = new java.util.LinkedHashSet<>(step.prompt().variables());
        if (step.when() != null) {
            used.addAll(step.when().variables());
        }
        if (step.repeat() != null) {
            used.addAll(step.repeat().until().variables());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : used) {
            if (known.contains(name) && !name.contains(".")) {
                continue;
            }
            StepFields.Reference field = StepFields.parse(name, known);
            if (field == null) {
                continue;
            }
            JsonNode answer = structured.get(field.step());
            if (answer == null) {
                values.put(name, ""); // the step was skipped
                continue;
            }
            try {
                values.put(name, StepFields.value(answer, field.path()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("{{" + name + "}} reads field '" + field.field() + "' of step '"
                        + field.step() + "', but " + e.getMessage().replace("the answer", "its answer"));
            }
        }
        return values;
    }

    /** Every model the chain may call, in step order, each once. */
    public static List<String> models(ChainDefinition chain, Settings settings) {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        for (ChainStep step : chain.steps()) {
            defaults(step, settings).models().forEach(m -> ids.add(m.id()));
        }
        return List.copyOf(ids);
    }

    /**
     * A step's models, system prompt and options, resolved as {@code run} resolves its flags: the step's models (as
     * {@code -m}), else its role's model, else the default model; the role's system prompt and options.
     */
    public static CallDefaults defaults(ChainStep step, Settings settings) {
        Role role = step.role() == null ? null : settings.role(step.role());
        return CallDefaults.resolve(settings, step.models(), role, null, Map.of(), null);
    }

    /** The step's prompt to each of its models at once; results in the order the models are listed. */
    private List<RunResult> call(ChainStep step, CallDefaults defaults, String prompt, RunListener listener) {
        conversation.system(defaults.system());
        List<Part.Attachment> attached = step.attach().isEmpty() ? List.of() : attachments.apply(step);
        ChatMessage message = ChatMessage.user(prompt);
        if (attached.isEmpty()) {
            conversation.user(prompt);
        } else {
            List<Part> parts = new java.util.ArrayList<>();
            parts.add(new Part.Text(prompt));
            parts.addAll(attached);
            conversation.user(parts);
            message = new ChatMessage(ChatMessage.Role.USER, parts);
        }
        RunRequest request = new RunRequest(defaults.model(), conversation.system(),
                List.of(message), defaults.options(), stream, tools.apply(step.tools()))
                .withSchema(step.schema(), step.schemaRetries());
        return engine.run(new Plan.ChainStep(step.name(), request, defaults.models()), listener,
                Recording.of(conversation), cancellation);
    }

    /**
     * {@code result}, its schema error telling how to raise the retries in the chain: a chain has no
     * {@code --schema-retries}, its steps have {@code schema_retries:}.
     */
    private static RunResult withChainFix(ChainDefinition chain, ChainStep step, RunResult result) {
        if (!(result.error() instanceof SchemaBrokenException broken)) {
            return result;
        }
        String where = "in step '" + step.name() + "' of chain '" + chain.name() + "' (" + step.origin().where() + ")";
        return result.withError(broken.withFix((broken.retries() == 0 ? "ask again with schema_retries: N "
                : "raise schema_retries: (" + broken.retries() + " now) ") + where + ", or loosen the schema"));
    }

    /** One model's answer as it is; several under a header each, in the order listed. */
    private static String combine(List<RunResult> results) {
        if (results.size() == 1) {
            return results.get(0).text();
        }
        StringBuilder all = new StringBuilder();
        for (RunResult result : results) {
            if (all.length() > 0) {
                all.append("\n\n");
            }
            all.append("== ").append(result.model().id()).append(" ==\n").append(result.text().strip());
        }
        return all.toString();
    }

    private void record(ChainDefinition chain, ChainStep step, int index, int iteration, List<ModelRef> models,
                        boolean skipped) {
        conversation.note(new EventData.ChainStep(chain.name(), step.name(), index, iteration, skipped,
                models.stream().map(ModelRef::id).toList()));
    }
}
