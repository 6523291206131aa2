package dev.llmo.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.failure.ErrorKind;
import dev.llmo.provider.BatchCounts;
import dev.llmo.provider.BatchLimits;
import dev.llmo.provider.BatchResult;
import dev.llmo.provider.BatchRow;
import dev.llmo.provider.BatchState;
import dev.llmo.provider.RemoteBatch;
import dev.llmo.provider.http.HttpBatchService;
import dev.llmo.provider.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;

/**
 * Anthropic Message Batches (tools-batch-reasoning.md section 6.2): {@code POST /v1/messages/batches} with
 * {@code {"requests":[{"custom_id","params":{...}}]}}, whose params are the body {@link AnthropicClient} sends live;
 * {@code GET /v1/messages/batches/{id}} until {@code processing_status} is {@code ended}; the results from the
 * {@code results_url} it gives (JSON Lines: {@code succeeded}, {@code errored}, {@code canceled}, {@code expired});
 * {@code POST .../cancel}.
 */
public final class AnthropicBatches extends HttpBatchService {
    /** 100,000 requests or 256 MB per batch. */
    public static final BatchLimits LIMITS = new BatchLimits(100_000, 256L * 1000 * 1000);
    private static final MediaType JSON = MediaType.get("application/json");
    /** {@code {"requests":[} and {@code ]}} around the rows. */
    private static final int ENVELOPE = "{\"requests\":[]}".length();

    private final AnthropicClient client;

    public AnthropicBatches(AnthropicClient client) {
        this(client, LIMITS);
    }

    /** @param limits smaller limits than the documented ones */
    public AnthropicBatches(AnthropicClient client, BatchLimits limits) {
        super(client, limits);
        this.client = client;
    }

    @Override
    public long sizeOf(BatchRow row) {
        // the first row has no comma before it and the envelope is counted once: one byte over, never under
        return ENVELOPE + prefix(row).length + row.prepared().body().length + 2;
    }

    private static byte[] prefix(BatchRow row) {
        return ("{\"custom_id\":" + quoted(row.customId()) + ",\"params\":").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public RemoteBatch submit(String model, List<BatchRow> rows) {
        okhttp3.RequestBody body = streamed(JSON, sink -> {
            sink.write("{\"requests\":[");
            for (int i = 0; i < rows.size(); i++) {
                if (i > 0) {
                    sink.write(",");
                }
                sink.write(prefix(rows.get(i)));
                sink.write(rows.get(i).prepared().body()); // the live body, byte for byte
                sink.write("}");
            }
            sink.write("]}");
        });
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url("/v1/messages/batches"))
                .post(body)).build(), "a message batch"));
    }

    @Override
    public RemoteBatch status(String id) {
        HttpUrl url = batchUrl(id, null);
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(),
                "a message batch"));
    }

    @Override
    public RemoteBatch cancel(String id) {
        HttpUrl url = batchUrl(id, "cancel");
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url)
                .post(okhttp3.RequestBody.create(new byte[0], JSON))).build(), "a message batch"));
    }

    /** The id as one percent-encoded path segment: a server's id cannot add a path or a query. */
    private HttpUrl batchUrl(String id, String action) {
        HttpUrl.Builder url = HttpUrl.get(url("/v1/messages/batches")).newBuilder().addPathSegment(id);
        if (action != null) {
            url.addPathSegment(action);
        }
        return url.build();
    }

    @Override
    public void results(RemoteBatch batch, Consumer<BatchResult> each) {
        for (String given : batch.results()) {
            // the documented way is to follow results_url, not to build it; the key goes only to the API's own host
            HttpUrl url = sameOrigin(given, "a results_url");
            lines(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(), "a batch results file",
                    line -> each.accept(result(line)));
        }
    }

    /** {@code {"custom_id","result":{"type":"succeeded","message":{...}}}} and the other three types. */
    private BatchResult result(JsonNode line) {
        String id = line == null ? null : Json.text(line, "custom_id");
        if (id == null) {
            throw unreadableLine("a line without a custom_id", line);
        }
        JsonNode result = line.path("result");
        String type = String.valueOf(Json.text(result, "type"));
        return switch (type) {
            case "succeeded" -> result.path("message").isObject() ? answered(id, result.get("message"))
                    : BatchResult.failed(id, BatchResult.Outcome.FAILED,
                    unreadableLine("a succeeded result without its message", line));
            case "errored" -> BatchResult.failed(id, BatchResult.Outcome.FAILED,
                    errors.fromBatchRow(result.path("error")));
            case "canceled" -> BatchResult.failed(id, BatchResult.Outcome.CANCELLED,
                    errors.batchRowUnanswered(ErrorKind.CANCELLED));
            case "expired" -> BatchResult.failed(id, BatchResult.Outcome.EXPIRED,
                    errors.batchRowUnanswered(ErrorKind.EXPIRED));
            default -> BatchResult.failed(id, BatchResult.Outcome.FAILED,
                    unreadableLine("a result of type '" + type + "'", line));
        };
    }

    /** A message batch object. */
    private RemoteBatch batch(JsonNode json) {
        String id = Json.text(json, "id");
        String status = Json.text(json, "processing_status");
        if (id == null || status == null) {
            throw unreadableLine("a batch without id or processing_status", json);
        }
        JsonNode counts = json.path("request_counts");
        long processing = orZero(Json.number(counts, "processing"));
        long succeeded = orZero(Json.number(counts, "succeeded"));
        long errored = orZero(Json.number(counts, "errored"));
        long canceled = orZero(Json.number(counts, "canceled"));
        long expired = orZero(Json.number(counts, "expired"));
        boolean cancelAsked = json.hasNonNull("cancel_initiated_at");
        BatchState state = switch (status) {
            case "in_progress" -> BatchState.RUNNING;
            case "canceling" -> BatchState.CANCELLING;
            case "ended" -> cancelAsked ? BatchState.CANCELLED
                    : expired > 0 && succeeded + errored == 0 ? BatchState.EXPIRED : BatchState.COMPLETED;
            default -> BatchState.RUNNING; // a status added later: still not known to have ended
        };
        String resultsUrl = Json.text(json, "results_url");
        return new RemoteBatch(id, state, status, new BatchCounts(processing + succeeded + errored + canceled
                + expired, succeeded, errored, expired, canceled),
                resultsUrl == null || !state.ended() ? List.of() : List.of(resultsUrl), null);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
