package dev.llmo.cli;

import dev.llmo.batch.Assertion;
import dev.llmo.batch.BatchRecord;
import dev.llmo.batch.EvalFile;
import dev.llmo.batch.BatchScan;
import dev.llmo.batch.BatchSpec;
import dev.llmo.batch.OutFile;
import dev.llmo.batch.RowRequests;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Role;
import dev.llmo.template.SavedTemplate;
import dev.llmo.template.TemplateStore;
import dev.llmo.config.Settings;
import dev.llmo.core.CallExecutor;
import dev.llmo.engine.CallDefaults;
import dev.llmo.failure.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo batch run}: every row of a dataset × every model, one call each, recorded as one batch. */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Run a prompt over every row of DATASET on each model; print the results as JSON Lines in "
                + "dataset order.",
                "DATASET is JSON Lines (one object per line), CSV with a header row, or - for stdin. {{column}} in "
                        + "the prompt is filled from each row. Progress goes to stderr. Exit 1 when a call failed (the "
                        + "batch goes on), 5 when the budget refuses the batch's worst case (nothing is sent)."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo batch run questions.jsonl --prompt 'Answer in one word: {{question}}'",
                "  llmo batch run reviews.csv --prompt 'Sentiment: {{text}}' -m openai -m groq",
                "  cat rows.jsonl | llmo batch run - --prompt '{{q}}' --concurrency 8",
                "  llmo batch run qa.csv --prompt '{{q}}' --assert 'contains {{expected}}'",
                "  llmo batch run qa.csv --eval eval.yaml --max-cost 0.50"})
final class BatchRunCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "DATASET", description = "JSON Lines or CSV file, or - for stdin.")
    String dataset;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "The prompt; {{column}} is replaced by the row's value of that column.")
    String prompt;

    @Option(names = {"-t", "--template"}, paramLabel = "TEMPLATE", description = "A saved template ('llmo template "
            + "save'): its prompt, system prompt, role, models and options (-m, -s and -o on the command line win); "
            + "its {{placeholders}} are filled from each row, then from its defaults.")
    String template;

    @Option(names = "--assert", paramLabel = "CHECK", description = {"Check each result (repeat for several): "
            + "'contains TEXT', 'equals TEXT', 'regex PATTERN', 'json-schema SCHEMA' (JSON, a file or fields like "
            + "'name, age int'), 'max-latency 2s', 'max-cost 0.001', 'judge MODEL RUBRIC'. TEXT and RUBRIC may use {{column}}. 'llmo batch report' sums them up."})
    List<String> asserts = new ArrayList<>();

    @Option(names = "--eval", paramLabel = "FILE", description = "An eval file (YAML: prompt, system, models, "
            + "asserts); the command line adds to its asserts and overrides the rest.")
    Path eval;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model to use (provider/model, provider, or alias). Repeat for several: every row goes to "
                    + "each. Default: main_llm of config.yaml (or LLMO_MODEL).")
    List<String> models = new ArrayList<>();

    @Option(names = {"-s", "--system"}, paramLabel = "SYSTEM", description = "System prompt of every call.")
    String system;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Request option, e.g. -o temperature=0 -o max_tokens=200.")
    Map<String, String> options = new LinkedHashMap<>();

    @Mixin
    BatchOptions batch = new BatchOptions();

    @Option(names = "--via", paramLabel = "live|provider", description = "live (default): call each model now; "
            + "provider: send the rows to each model's provider's batch service (OpenAI, Anthropic, Gemini: about half "
            + "price, answered within 24 hours), then 'llmo batch wait ID'.")
    String via;

    BatchRunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Settings settings = context.settings();
        int limit = BatchExecution.concurrency(batch.concurrency);
        String remote = BatchVia.via(via);
        List<String> checks = new ArrayList<>();
        if (eval != null) {
            EvalFile file = EvalFile.read(eval);
            prompt = prompt != null ? prompt : file.prompt();
            system = system != null ? system : file.system();
            models = models.isEmpty() ? new ArrayList<>(file.models()) : models;
            checks.addAll(file.asserts());
        }
        checks.addAll(asserts);
        Role role = null;
        Map<String, String> defaultsOfTemplate = Map.of();
        Map<String, String> rawOptions = new LinkedHashMap<>();
        if (template != null) {
            if (prompt != null) {
                throw new UsageException("-t and --prompt do not go together", "give one of them");
            }
            SavedTemplate saved = new TemplateStore(context.dirs(), context.environment().workingDir()).load(template);
            if (!saved.fragments().isEmpty() || !saved.systemFragments().isEmpty() || !saved.tools().isEmpty()) {
                throw new UsageException("template '" + template + "' uses fragments or tools, which a batch does not "
                        + "send", "save a template without -f, --sf and -T for batches");
            }
            if (saved.prompt() == null) {
                throw new UsageException("template '" + template + "' has no prompt", "a batch's prompt comes from "
                        + "the template; save one with a prompt that uses the dataset's {{columns}}");
            }
            prompt = saved.prompt();
            system = system != null ? system : saved.system();
            models = models.isEmpty() ? new ArrayList<>(saved.models()) : models;
            rawOptions.putAll(saved.options());
            role = saved.role() == null ? null : settings.role(saved.role());
            defaultsOfTemplate = saved.defaults();
        }
        rawOptions.putAll(options);
        if (remote.equals(BatchVia.PROVIDER)) {
            BatchVia.check(checks, batch.out);
        }
        if (prompt == null) {
            throw new UsageException("no prompt: give --prompt TEXT (or prompt: in the --eval file)",
                    "e.g. --prompt 'Answer briefly: {{question}}'");
        }
        List<Assertion> parsed = Assertion.parseAll(checks, context.environment().workingDir());
        Map<Integer, ModelRef> judges = BatchExecution.judges(settings, parsed);
        CallDefaults defaults = CallDefaults.resolve(settings, models, role, system, RunInput.options(rawOptions), null);
        List<ModelRef> resolved = defaults.models();
        if (resolved.stream().map(ModelRef::id).distinct().count() != resolved.size()) {
            throw new UsageException("a model is named twice with -m", "name each model once");
        }
        if (prompt.isBlank()) {
            throw new UsageException("--prompt is empty", "e.g. --prompt 'Answer briefly: {{question}}'");
        }
        if (defaults.defaultModel()) {
            CoreServices.requireKeyOfDefault(context, defaults.model(), "-m ");
        }
        CoreServices.requireKeys(context, java.util.stream.Stream.concat(resolved.stream(), judges.values().stream())
                .toList());
        boolean once = BatchExecution.readOnce(dataset); // stdin or a pipe: the record cannot name it for a resume
        Path file = BatchExecution.datasetFile(context, dataset);
        String shown = dataset.equals("-") ? "stdin" : dataset;
        if (batch.out != null) {
            OutFile.check(batch.out, once ? null : file, null);
        }
        // built (and its flags checked) before the dataset is read and before the record exists: a refused batch
        // leaves no record behind
        CallExecutor executor = CoreServices.executor(context, batch.maxCost, batch.timeout);
        RowRequests requests = new RowRequests(prompt, defaults.system(), defaults.options(), shown, defaultsOfTemplate);
        BatchScan scan = BatchExecution.scan(context, file, shown, requests, resolved, (row, model) -> false,
                batch.maxCost, judges, parsed);
        if (scan.rows() == 0) {
            throw new UsageException("the dataset " + shown + " has no rows", "give a file with at least one row");
        }
        BatchSpec spec = new BatchSpec(once ? "-" : file.toAbsolutePath().toString(),
                scan.format().id(), scan.sha256(), scan.rows(), resolved.stream().map(ModelRef::id).toList(), prompt,
                template, defaults.system(), dev.llmo.provider.http.Json.write(
                dev.llmo.provider.http.Json.mapper().valueToTree(defaults.options())),
                // as parsed: a json-schema check keeps its schema, not the path of a file that may change
                parsed.stream().map(Assertion::source).toList(), limit, remote);
        OutFile out = batch.out == null ? null : OutFile.open(batch.out);
        BatchRecord record;
        try {
            record = BatchRecord.create(context.dirs().batchesDir(), spec, settings.digest(), BuildInfo.version(),
                    context.logOptions());
        } catch (RuntimeException e) {
            if (out != null) {
                out.close();
            }
            throw e;
        }
        context.err().println("llmo: batch " + record.id() + ": " + scan.rows() + " row" + (scan.rows() == 1 ? "" : "s")
                + " × " + resolved.size() + " model" + (resolved.size() == 1 ? "" : "s"));
        if (remote.equals(BatchVia.PROVIDER)) {
            return BatchVia.submit(context, record, file, shown, requests, resolved);
        }
        return BatchExecution.run(context, executor, limit, record, file, shown, requests, resolved, parsed, judges,
                scan, out);
    }
}
