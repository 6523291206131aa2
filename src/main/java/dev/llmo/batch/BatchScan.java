package dev.llmo.batch;

import dev.llmo.config.ModelRef;
import dev.llmo.context.ModelCaps;
import dev.llmo.context.TokenCounter;
import dev.llmo.context.TokenCounters;
import dev.llmo.core.CallExecutor;
import dev.llmo.cost.CostEstimate;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * A first pass over a dataset, before anything is sent: every row read (a bad line stops the batch here, with nothing
 * sent), the rows counted, the bytes digested, and the worst case of what the calls still to make could cost (each
 * call's input tokens and its answer at its limit), for the budgets to refuse the batch as a whole.
 *
 * @param rows          the dataset's rows
 * @param sha256        the SHA-256 of its bytes
 * @param format        its format
 * @param todo          calls still to make (rows × models, less those finished)
 * @param worstCaseUsd  the most those calls could cost; null when it was not priced, or a price or limit is unknown
 * @param unpriced      a model whose price or answer limit is unknown, or null
 */
public record BatchScan(long rows, String sha256, Dataset.Format format, long todo, BigDecimal worstCaseUsd,
                        String unpriced) {

    /**
     * @param finished whether the call of a row (by index) on a model (by index) is finished already
     * @param counters the token counters to price with, or null not to price (no budget is set)
     */
    public static BatchScan of(Path file, String shown, RowRequests requests, List<ModelRef> models,
                               BiPredicate<Long, Integer> finished, TokenCounters counters) {
        return of(file, shown, requests, models, finished, counters, java.util.Map.of(), List.of());
    }

    /**
     * @param judges  the model of each judge assertion, by its position among {@code asserts}: each call still to make
     *                is priced with a judge call of every one (the rubric, the prompt, and the answer at its limit)
     */
    public static BatchScan of(Path file, String shown, RowRequests requests, List<ModelRef> models,
                               BiPredicate<Long, Integer> finished, TokenCounters counters,
                               java.util.Map<Integer, ModelRef> judges, List<Assertion> asserts) {
        long todo = 0;
        BigDecimal worst = BigDecimal.ZERO;
        String unpriced = null;
        try (Dataset dataset = Dataset.open(file, shown)) {
            for (DatasetRow row = dataset.next(); row != null; row = dataset.next()) {
                requests.inputSha256(row); // every row's prompt and system prompt checked before anything is sent
                for (int m = 0; m < models.size(); m++) {
                    if (finished.test(row.index(), m)) {
                        continue;
                    }
                    todo++;
                    if (counters == null || unpriced != null) {
                        continue;
                    }
                    CostEstimate estimate = worstCase(counters, requests.request(row, models.get(m)));
                    if (estimate.known()) {
                        worst = worst.add(estimate.usd());
                    } else {
                        unpriced = models.get(m).id();
                    }
                    for (var judge : judges.entrySet()) {
                        Assertion.Judge assertion = (Assertion.Judge) asserts.get(judge.getKey());
                        String text = BatchJudges.prompt(Assertion.fill(assertion.rubric(), row.values()),
                                requests.prompt(row), "");
                        CostEstimate graded = worstCase(counters, dev.llmo.core.RunRequest.of(judge.getValue(), null,
                                text, java.util.Map.of(), false), estimate.maxOutputTokens());
                        if (graded.known()) {
                            worst = worst.add(graded.usd());
                        } else {
                            unpriced = judge.getValue().id();
                        }
                    }
                }
            }
            return new BatchScan(dataset.rowsRead(), dataset.sha256(), dataset.format(), todo,
                    counters == null || unpriced != null ? null : worst, unpriced);
        }
    }

    /** The most one call could cost: its whole input, and its answer at its limit. */
    static CostEstimate worstCase(TokenCounters counters, dev.llmo.core.RunRequest request) {
        return worstCase(counters, request, 0L);
    }

    /** @param extraInput tokens the request will carry besides its messages (a judged answer), or null if unknown */
    static CostEstimate worstCase(TokenCounters counters, dev.llmo.core.RunRequest request, Long extraInput) {
        ModelRef model = request.model();
        if (extraInput == null) {
            return CostEstimate.of(null, 0, null);
        }
        TokenCounter counter = counters.forModel(model);
        ChatRequest chat = CallExecutor.chatRequest(request);
        long input = counter.systemTokens(chat.system()) + counter.replyPriming();
        for (ChatMessage message : chat.messages()) {
            input += counter.messageTokens(message);
        }
        input += extraInput;
        ModelCaps caps = ModelCaps.of(model, chat.options());
        return CostEstimate.of(model.spec().pricing(), input, caps.outputBound(input));
    }
}
