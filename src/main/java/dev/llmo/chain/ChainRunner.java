package dev.llmo.chain;

import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.config.Settings;
import dev.llmo.core.Conversation;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.CallId;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.core.RunningCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a chain: each step renders its prompt from the chain's variables, calls its model (or several at once)
 * through the {@link CallExecutor}, and its answer becomes {@code previous} and {@code {{STEPNAME}}} for the steps
 * after it. {@code when} skips a step; {@code repeat} re-runs a step on its own output until its condition holds or
 * {@code max} runs are spent. Every call is recorded in one conversation, with a {@code chain.step} event before
 * each step. A failed call stops the chain.
 */
public final class ChainRunner {
    private final CallExecutor executor;
    private final Settings settings;
    private final Conversation conversation;
    private final boolean stream;
    private final List<RunningCall> inFlight = new ArrayList<>();
    private volatile boolean cancelled;
    private volatile LlmoException cancelReason;

    /** What a chain run tells its caller as it goes (the core never prints). */
    public interface Listener {
        /** A step (iteration 1, 2, ... within a repeat) starts on these models. */
        default void stepStarted(ChainStep step, int index, int iteration, List<ModelRef> models) {
        }

        /** A step's condition was false. */
        default void stepSkipped(ChainStep step, int index) {
        }

        /**
         * What hears the call to {@code model} of the step as it goes (its events name the step and the model's
         * position in it), or null: do not stream it.
         */
        default RunListener callListener(ChainStep step, ModelRef model) {
            return null;
        }

        /** One call ended. */
        default void callFinished(ChainStep step, int iteration, RunResult result) {
        }
    }

    /** What the chain produced: the last output, and every call in order; {@code failed} is the call that stopped it. */
    public record Outcome(String output, List<StepCall> calls, RunResult failed) {
        public boolean succeeded() {
            return failed == null;
        }
    }

    /** One call of one step. */
    public record StepCall(String step, int iteration, RunResult result) {
    }

    public ChainRunner(CallExecutor executor, Settings settings, Conversation conversation, boolean stream) {
        this.executor = executor;
        this.settings = settings;
        this.conversation = conversation;
        this.stream = stream;
    }

    /** Cancels the calls in flight and stops the chain (Ctrl-C); safe from any thread. */
    public void cancel() {
        cancel(null);
    }

    /**
     * {@link #cancel()}, every call in flight (and any the chain would still start) ending with {@code reason} as its
     * error, so the log says why (a SIGTERM, a SIGHUP, a closed stdout); null for Ctrl-C's. The first reason wins.
     */
    public void cancel(LlmoException reason) {
        synchronized (inFlight) {
            if (reason != null && cancelReason == null) {
                cancelReason = reason;
            }
            cancelled = true;
            LlmoException why = cancelReason;
            inFlight.forEach(call -> call.cancel(why));
        }
    }

    public Outcome run(ChainDefinition chain, String input, Listener listener) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(ChainParser.INPUT, input);
        variables.put(ChainParser.PREVIOUS, input);
        List<StepCall> calls = new ArrayList<>();
        for (int index = 0; index < chain.steps().size(); index++) {
            ChainStep step = chain.steps().get(index);
            if (step.when() != null && !step.when().test(variables)) {
                record(chain, step, index, 0, List.of(), true);
                listener.stepSkipped(step, index);
                variables.put(step.name(), ""); // a later {{name}} of a skipped step reads as empty
                continue;
            }
            Role role = step.role() == null ? null : settings.role(step.role());
            List<ModelRef> models = models(step, role);
            int runs = step.repeat() == null ? 1 : step.repeat().max();
            String output = variables.get(ChainParser.PREVIOUS);
            for (int iteration = 1; iteration <= runs; iteration++) {
                Map<String, String> scope = new LinkedHashMap<>(variables);
                scope.put(ChainParser.OUTPUT, output);
                record(chain, step, index, iteration, models, false);
                listener.stepStarted(step, index, iteration, models);
                List<RunResult> results = call(step, role, models, step.prompt().render(scope), listener);
                for (RunResult result : results) {
                    calls.add(new StepCall(step.name(), iteration, result));
                    try {
                        listener.callFinished(step, iteration, result);
                    } catch (LlmoException e) {
                        // the answer could not be shown (stdout closed or full): the chain stops, the log says why
                        conversation.failedBeforeSending(e);
                        cancel(e);
                        return new Outcome(null, calls, RunResult.failedBeforeAnswer(result.model(), 0, e));
                    }
                }
                for (RunResult result : results) {
                    if (!result.succeeded()) {
                        return new Outcome(null, calls, result);
                    }
                }
                output = combine(results);
                scope.put(ChainParser.OUTPUT, output);
                if (step.repeat() != null && step.repeat().until().test(scope)) {
                    break;
                }
            }
            variables.put(step.name(), output);
            variables.put(ChainParser.PREVIOUS, output);
        }
        return new Outcome(variables.get(ChainParser.PREVIOUS), calls, null);
    }

    /** Every model the chain may call, in step order, each once. */
    public static List<String> models(ChainDefinition chain, Settings settings) {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        for (ChainStep step : chain.steps()) {
            Role role = step.role() == null ? null : settings.role(step.role());
            models(step, role, settings).forEach(m -> ids.add(m.id()));
        }
        return List.copyOf(ids);
    }

    private List<ModelRef> models(ChainStep step, Role role) {
        return models(step, role, settings);
    }

    /** The step's models: named in the step, else the role's model, else the default model. */
    public static List<ModelRef> models(ChainStep step, Role role, Settings settings) {
        if (!step.models().isEmpty()) {
            return step.models().stream().map(settings.catalog()::resolve).toList();
        }
        if (role != null && role.model() != null) {
            return List.of(settings.catalog().resolve(role.model()));
        }
        return List.of(settings.defaultModel());
    }

    /** The step's prompt to each of its models at once; results in the order the models are listed. */
    private List<RunResult> call(ChainStep step, Role role, List<ModelRef> models, String prompt, Listener listener) {
        conversation.system(role == null ? null : role.system());
        conversation.user(prompt);
        Map<String, Object> options = role == null ? Map.of() : role.options();
        List<RunningCall> running = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ModelRef model = models.get(i);
            RunListener events = listener.callListener(step, model);
            RunRequest request = new RunRequest(model, conversation.system(), List.of(
                    dev.llmo.provider.ChatMessage.user(prompt)), options, stream);
            RunningCall call = executor.start(new CallId(model, step.name(), i), request,
                    events == null ? RunListener.NONE : events, conversation);
            running.add(call);
            synchronized (inFlight) {
                inFlight.add(call);
                if (cancelled) {
                    call.cancel(cancelReason);
                }
            }
        }
        List<RunResult> results = new ArrayList<>();
        try {
            for (RunningCall call : running) {
                results.add(call.await());
            }
        } finally {
            running.forEach(RunningCall::cancel);
            synchronized (inFlight) {
                inFlight.removeAll(running);
            }
        }
        return results;
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
