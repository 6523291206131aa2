package dev.llmo.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;

/**
 * The OpenAI Batch API (tools-batch-reasoning.md section 6.1): the rows as a JSON Lines file uploaded with
 * {@code POST /files} ({@code purpose=batch}), one line per row
 * {@code {"custom_id","method":"POST","url":"/v1/chat/completions","body":{...}}} whose body is the one
 * {@link OpenAiClient} sends live; {@code POST /batches} with a 24 h window; {@code GET /batches/{id}};
 * results from the output and error files ({@code GET /files/{id}/content}); {@code POST /batches/{id}/cancel}.
 */
public final class OpenAiBatches extends HttpBatchService {
    /** 50,000 requests and 200 MB per input file. */
    public static final BatchLimits LIMITS = new BatchLimits(50_000, 200L * 1000 * 1000);
    private static final String ENDPOINT = "/v1/chat/completions";
    private static final MediaType JSONL = MediaType.get("application/jsonl");
    private static final MediaType JSON = MediaType.get("application/json");

    private final OpenAiClient client;

    public OpenAiBatches(OpenAiClient client) {
        this(client, LIMITS);
    }

    /** @param limits smaller limits than the documented ones (tests, or a compatible server's) */
    public OpenAiBatches(OpenAiClient client, BatchLimits limits) {
        super(client, limits);
        this.client = client;
    }

    @Override
    public long sizeOf(BatchRow row) {
        return linePrefix(row).length + row.prepared().body().length + 2;
    }

    private static byte[] linePrefix(BatchRow row) {
        return ("{\"custom_id\":" + quoted(row.customId()) + ",\"method\":\"POST\",\"url\":\"" + ENDPOINT
                + "\",\"body\":").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public RemoteBatch submit(String model, List<BatchRow> rows) {
        okhttp3.RequestBody file = streamed(JSONL, sink -> {
            for (BatchRow row : rows) {
                sink.write(linePrefix(row));
                sink.write(row.prepared().body()); // the live body, byte for byte
                sink.write("}\n");
            }
        });
        MultipartBody upload = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("purpose", "batch")
                .addFormDataPart("file", "llmo-batch.jsonl", file)
                .build();
        JsonNode uploaded = exchange(() -> client.withApiHeaders(new Request.Builder().url(url("/files")).post(upload))
                .build(), "a file upload answer");
        String fileId = Json.text(uploaded, "id");
        if (fileId == null) {
            throw unreadableLine("an upload answer without a file id", uploaded);
        }
        ObjectNode create = Json.object().put("input_file_id", fileId).put("endpoint", ENDPOINT)
                .put("completion_window", "24h");
        create.putObject("metadata").put("model", model).put("created_by", "llmo");
        byte[] body = Json.write(create).getBytes(StandardCharsets.UTF_8);
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url("/batches"))
                .post(okhttp3.RequestBody.create(body, JSON))).build(), "a batch"));
    }

    @Override
    public RemoteBatch status(String id) {
        HttpUrl url = batchUrl(id, null);
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(), "a batch"));
    }

    @Override
    public RemoteBatch cancel(String id) {
        HttpUrl url = batchUrl(id, "cancel");
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url)
                .post(okhttp3.RequestBody.create(new byte[0], JSON))).build(), "a batch"));
    }

    /** {@code /batches/ID[/action]}, the id one percent-encoded segment: a server's id cannot add a path or query. */
    private HttpUrl batchUrl(String id, String action) {
        HttpUrl.Builder url = HttpUrl.get(url("/batches")).newBuilder().addPathSegment(id);
        if (action != null) {
            url.addPathSegment(action);
        }
        return url.build();
    }

    @Override
    public void results(RemoteBatch batch, Consumer<BatchResult> each) {
        for (String file : batch.results()) {
            HttpUrl url = HttpUrl.get(url("/files")).newBuilder().addPathSegment(file).addPathSegment("content")
                    .build();
            lines(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(), "a batch results file",
                    line -> each.accept(result(line)));
        }
    }

    /**
     * One line of the output or error file: {@code response.status_code} 200 with the chat body, another status with
     * the error body, or {@code error} ({@code batch_expired}, {@code batch_cancelled}, {@code request_timeout}).
     */
    private BatchResult result(JsonNode line) {
        String id = line == null ? null : Json.text(line, "custom_id");
        if (id == null) {
            throw unreadableLine("a line without a custom_id", line);
        }
        JsonNode error = line.get("error");
        if (error != null && error.isObject()) {
            String code = Json.text(error, "code");
            if ("batch_expired".equals(code)) {
                return BatchResult.failed(id, BatchResult.Outcome.EXPIRED,
                        errors.batchRowUnanswered(ErrorKind.EXPIRED));
            }
            if ("batch_cancelled".equals(code)) {
                return BatchResult.failed(id, BatchResult.Outcome.CANCELLED,
                        errors.batchRowUnanswered(ErrorKind.CANCELLED));
            }
            return BatchResult.failed(id, BatchResult.Outcome.FAILED, errors.fromBatchRow(Json.object()
                    .set("error", error)));
        }
        JsonNode response = line.path("response");
        Long status = Json.number(response, "status_code");
        JsonNode body = response.get("body");
        if (status == null || body == null) {
            return BatchResult.failed(id, BatchResult.Outcome.FAILED,
                    unreadableLine("a line without a response", line));
        }
        if (status != 200) {
            ObjectNode payload = body.isObject() ? body.deepCopy() : Json.object();
            if (payload.path("error").isObject()) {
                ((ObjectNode) payload.get("error")).put("code", status.intValue());
            }
            return BatchResult.failed(id, BatchResult.Outcome.FAILED, errors.fromBatchRow(payload));
        }
        return answered(id, body);
    }

    /** A batch object of {@code /batches}. */
    private RemoteBatch batch(JsonNode json) {
        String id = Json.text(json, "id");
        String status = Json.text(json, "status");
        if (id == null || status == null) {
            throw unreadableLine("a batch without id or status", json);
        }
        BatchState state = switch (status) {
            case "validating" -> BatchState.QUEUED;
            case "in_progress" -> BatchState.RUNNING;
            case "finalizing" -> BatchState.FINALIZING;
            case "completed" -> BatchState.COMPLETED;
            case "failed" -> BatchState.FAILED;
            case "expired" -> BatchState.EXPIRED;
            case "cancelling" -> BatchState.CANCELLING;
            case "cancelled" -> BatchState.CANCELLED;
            default -> BatchState.RUNNING; // a status added later: still not known to have ended
        };
        JsonNode counts = json.path("request_counts");
        long total = orZero(Json.number(counts, "total"));
        long completed = orZero(Json.number(counts, "completed"));
        long failed = orZero(Json.number(counts, "failed"));
        List<String> files = new ArrayList<>();
        for (String field : List.of("output_file_id", "error_file_id")) {
            String file = Json.text(json, field);
            if (file != null && !file.isEmpty()) {
                files.add(file);
            }
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode error : json.path("errors").path("data")) {
            String message = Json.text(error, "message");
            if (message != null) {
                Long line = Json.number(error, "line");
                reasons.add((line == null ? "" : "line " + line + ": ") + message);
            }
        }
        return new RemoteBatch(id, state, status, new BatchCounts(total, completed, failed, 0, 0), files,
                reasons.isEmpty() ? null : errors.clean(String.join("; ", reasons.subList(0,
                        Math.min(3, reasons.size())))));
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
