package dev.llmo.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;

/**
 * Gemini Batch Mode (tools-batch-reasoning.md section 6.3). A submission under the inline limit goes inlined:
 * {@code POST /v1beta/models/{model}:batchGenerateContent} with
 * {@code {"batch":{"displayName","inputConfig":{"requests":{"requests":[{"request":{...},"metadata":{"key"}}]}}}}};
 * a larger one as a JSON Lines file of {@code {"key","request":{...}}} lines, uploaded with the Files API's resumable
 * protocol ({@code POST /upload/v1beta/files}, {@code X-Goog-Upload-Command: start}, then {@code upload, finalize} to
 * the URL the server gives), and {@code "inputConfig":{"fileName":"files/..."}}. Either way the requests are the
 * bodies {@link GeminiClient} sends live. The batch operation comes from {@code GET /v1beta/batches/{id}}
 * ({@code metadata.state}, {@code metadata.batchStats}, the output in {@code metadata.output} or the operation's
 * {@code response}); {@code POST /v1beta/batches/{id}:cancel}. Inlined responses come back in the operation, each with
 * the metadata sent; a responses file ({@code output.responsesFile}) is downloaded
 * ({@code GET /download/v1beta/files/{id}:download?alt=media}) and read line by line.
 */
public final class GeminiBatches extends HttpBatchService {
    /** Inlined requests: the whole request body under 20 MB. */
    public static final long INLINE_BYTES = 20L * 1000 * 1000;
    /** An input file: at most 2 GB, the Files API's limit for one file; no documented count limit. */
    public static final BatchLimits LIMITS = new BatchLimits(Integer.MAX_VALUE, 2L * 1000 * 1000 * 1000);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String JSONL = "application/jsonl";
    private static final String UPLOAD_URL = "X-Goog-Upload-URL";
    private static final Pattern NAME = Pattern.compile("(batches|files)/[A-Za-z0-9_.-]{1,200}");
    private static final int ENVELOPE = ("{\"batch\":{\"displayName\":\"\",\"inputConfig\":{\"requests\":{"
            + "\"requests\":[]}}}}").length() + 64;

    private final GeminiClient client;
    private final long inlineBytes;

    public GeminiBatches(GeminiClient client) {
        this(client, LIMITS, INLINE_BYTES);
    }

    /** @param limits smaller limits than the documented ones */
    public GeminiBatches(GeminiClient client, BatchLimits limits) {
        this(client, limits, Math.min(INLINE_BYTES, limits.maxBytes()));
    }

    /**
     * @param limits      smaller limits than the documented ones
     * @param inlineBytes the largest request body sent inlined; a larger submission goes as a file
     */
    public GeminiBatches(GeminiClient client, BatchLimits limits, long inlineBytes) {
        super(client, limits);
        this.client = client;
        this.inlineBytes = inlineBytes;
    }

    @Override
    public long sizeOf(BatchRow row) {
        // the envelope is counted with every row: over, never under, inlined or as a file's line
        return ENVELOPE + "{\"request\":,\"metadata\":{\"key\":}},".length() + quoted(row.customId()).length()
                + row.prepared().body().length;
    }

    @Override
    public RemoteBatch submit(String model, List<BatchRow> rows) {
        String name = model.startsWith("models/") ? model.substring(7) : model;
        String display = quoted("llmo " + name + " " + rows.size() + " rows");
        okhttp3.RequestBody inline = streamed(JSON, sink -> {
            sink.write("{\"batch\":{\"displayName\":" + display + ",\"inputConfig\":{\"requests\":{\"requests\":[");
            for (int i = 0; i < rows.size(); i++) {
                BatchRow row = rows.get(i);
                sink.write(i == 0 ? "{\"request\":" : ",{\"request\":");
                sink.write(row.prepared().body()); // the live body, byte for byte
                sink.write(",\"metadata\":{\"key\":" + quoted(row.customId()) + "}}");
            }
            sink.write("]}}}}");
        });
        okhttp3.RequestBody body = lengthOf(inline) <= inlineBytes ? inline
                : okhttp3.RequestBody.create(("{\"batch\":{\"displayName\":" + display + ",\"inputConfig\":{"
                + "\"fileName\":" + quoted(upload(name, rows)) + "}}}").getBytes(StandardCharsets.UTF_8), JSON);
        // one percent-encoded path segment: a model name cannot add a path or a query
        HttpUrl url = HttpUrl.get(url("/v1beta/models")).newBuilder()
                .addPathSegment(name + ":batchGenerateContent").build();
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url).post(body)).build(),
                "a batch operation"));
    }

    /**
     * Uploads the rows as a JSON Lines file with the resumable protocol; the file's name ({@code files/...}). The
     * upload URL comes from the server: the file and the key go there only when it is on the API's own host.
     */
    private String upload(String model, List<BatchRow> rows) {
        okhttp3.RequestBody file = streamed(MediaType.get(JSONL), sink -> {
            for (BatchRow row : rows) {
                sink.write("{\"key\":" + quoted(row.customId()) + ",\"request\":");
                sink.write(row.prepared().body()); // the live body, byte for byte
                sink.write("}\n");
            }
        });
        long length = lengthOf(file);
        byte[] start = ("{\"file\":{\"displayName\":" + quoted("llmo batch " + model + " " + rows.size() + " rows")
                + "}}").getBytes(StandardCharsets.UTF_8);
        String given = exchangeForHeader(() -> client.withApiHeaders(new Request.Builder().url(url("/upload/v1beta/files"))
                        .header("X-Goog-Upload-Protocol", "resumable")
                        .header("X-Goog-Upload-Command", "start")
                        .header("X-Goog-Upload-Header-Content-Length", Long.toString(length))
                        .header("X-Goog-Upload-Header-Content-Type", JSONL)
                        .post(okhttp3.RequestBody.create(start, JSON))).build(), UPLOAD_URL,
                "an answer to the start of an upload");
        HttpUrl target = sameOrigin(given, "an upload URL");
        JsonNode uploaded = exchange(() -> client.withApiHeaders(new Request.Builder().url(target)
                .header("X-Goog-Upload-Command", "upload, finalize")
                .header("X-Goog-Upload-Offset", "0")
                .post(file)).build(), "an upload answer");
        String name = Json.text(uploaded.path("file"), "name");
        if (name == null || !NAME.matcher(name).matches() || !name.startsWith("files/")) {
            throw unreadableLine("an upload answer without a file name of the shape 'files/ID'", uploaded);
        }
        return name;
    }

    /** The bytes a body writer makes, counted without holding them. */
    private static long lengthOf(okhttp3.RequestBody body) {
        try {
            return body.contentLength();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // written from memory: cannot happen
        }
    }

    @Override
    public RemoteBatch status(String id) {
        HttpUrl url = named(id, "");
        return batch(exchange(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(),
                "a batch operation"));
    }

    @Override
    public RemoteBatch cancel(String id) {
        HttpUrl url = named(id, ":cancel");
        exchange(() -> client.withApiHeaders(new Request.Builder().url(url)
                .post(okhttp3.RequestBody.create("{}".getBytes(StandardCharsets.UTF_8), JSON))).build(),
                "a cancel answer");
        return status(id);
    }

    /** {@code /v1beta/batches/ID[:action]}: only a name of the documented shape, so a server cannot add a path. */
    private HttpUrl named(String name, String action) {
        return named("/v1beta", name, action);
    }

    /** {@code PREFIX/NAME[:action]}, {@code NAME} of the documented shape only. */
    private HttpUrl named(String prefix, String name, String action) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw unreadableLine("a batch or file name that is not 'batches/ID' or 'files/ID' (" + name + ")", null);
        }
        int slash = name.indexOf('/');
        return HttpUrl.get(url(prefix)).newBuilder().addPathSegment(name.substring(0, slash))
                .addPathSegment(name.substring(slash + 1) + action).build();
    }

    @Override
    public void results(RemoteBatch batch, Consumer<BatchResult> each) {
        JsonNode operation = exchange(() -> client.withApiHeaders(new Request.Builder().url(named(batch.id(), "")).get())
                .build(), "a batch operation");
        JsonNode output = output(operation);
        String file = Json.text(output, "responsesFile");
        if (file != null) {
            HttpUrl url = named("/download/v1beta", file, ":download").newBuilder().addQueryParameter("alt", "media")
                    .build();
            lines(() -> client.withApiHeaders(new Request.Builder().url(url).get()).build(), "a batch responses file",
                    line -> each.accept(result(line)));
            return;
        }
        for (JsonNode item : output.path("inlinedResponses").path("inlinedResponses")) {
            each.accept(result(item));
        }
    }

    /**
     * One response: {@code {"metadata":{"key"},"response":{...}}} or {@code {"metadata","error":{Status}}} inlined;
     * a file's line may carry {@code key} at the top instead.
     */
    private BatchResult result(JsonNode item) {
        String id = item == null ? null : Json.text(item.path("metadata"), "key");
        if (id == null && item != null) {
            id = Json.text(item, "key");
        }
        if (id == null) {
            throw unreadableLine("a response without the key llmo sent", item);
        }
        JsonNode error = item.get("error");
        if (error != null && error.isObject()) {
            return BatchResult.failed(id, BatchResult.Outcome.FAILED, errors.fromBatchRow(Json.object()
                    .set("error", error)));
        }
        JsonNode response = item.get("response");
        if (response == null || !response.isObject()) {
            return BatchResult.failed(id, BatchResult.Outcome.FAILED,
                    unreadableLine("a response without its answer", item));
        }
        return answered(id, response);
    }

    /** The batch's fields: in an operation's {@code metadata}, or the batch itself. */
    private static JsonNode fields(JsonNode json) {
        JsonNode metadata = json.path("metadata");
        return metadata.has("state") ? metadata : json;
    }

    private static JsonNode output(JsonNode json) {
        JsonNode output = fields(json).path("output");
        if (output.isObject() && output.size() > 0) {
            return output;
        }
        return json.path("response");
    }

    private RemoteBatch batch(JsonNode json) {
        String id = Json.text(json, "name");
        JsonNode fields = fields(json);
        String status = Json.text(fields, "state");
        if (id == null || status == null) {
            throw unreadableLine("a batch without name or state", json);
        }
        // the REST API says BATCH_STATE_..., the SDKs JOB_STATE_...
        String word = status.contains("_STATE_") ? status.substring(status.indexOf("_STATE_") + 7) : status;
        BatchState state = switch (word) {
            case "PENDING", "QUEUED" -> BatchState.QUEUED;
            case "SUCCEEDED" -> BatchState.COMPLETED;
            case "FAILED" -> BatchState.FAILED;
            case "CANCELLED" -> BatchState.CANCELLED;
            case "EXPIRED" -> BatchState.EXPIRED;
            case "CANCELLING" -> BatchState.CANCELLING;
            default -> BatchState.RUNNING;
        };
        JsonNode stats = fields.path("batchStats");
        long total = count(stats, "requestCount");
        long succeeded = count(stats, "successfulRequestCount");
        long failed = count(stats, "failedRequestCount");
        String failure = null;
        if (json.path("error").isObject()) {
            failure = errors.clean(String.valueOf(Json.text(json.get("error"), "message")));
        }
        return new RemoteBatch(id, state, status, new BatchCounts(total, succeeded, failed, 0, 0), List.of(),
                failure);
    }

    /** Gemini writes int64 counts as strings. */
    private static long count(JsonNode stats, String field) {
        JsonNode value = stats.get(field);
        if (value == null) {
            return 0;
        }
        try {
            return value.isNumber() ? value.asLong() : Long.parseLong(value.asText());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
