package dev.llmo.provider;

import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ModelCallException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/** Cuts a dataset's rows into submissions that fit a provider's batch limits, keeping their order. */
final class BatchSplit {
    private BatchSplit() {
    }

    static List<List<BatchRow>> of(List<BatchRow> rows, BatchLimits limits, ToLongFunction<BatchRow> size) {
        List<List<BatchRow>> parts = new ArrayList<>();
        List<BatchRow> part = new ArrayList<>();
        long bytes = 0;
        for (BatchRow row : rows) {
            long rowBytes = size.applyAsLong(row);
            if (rowBytes > limits.maxBytes()) {
                throw new ModelCallException(ErrorKind.BAD_REQUEST, null, "row '" + row.customId() + "' takes "
                        + rowBytes + " bytes, more than a whole batch may (" + limits.maxBytes() + " bytes)",
                        "shorten the row, or run it live (without --via provider)");
            }
            if (!part.isEmpty() && (part.size() == limits.maxRequests() || bytes + rowBytes > limits.maxBytes())) {
                parts.add(List.copyOf(part));
                part.clear();
                bytes = 0;
            }
            part.add(row);
            bytes += rowBytes;
        }
        if (!part.isEmpty()) {
            parts.add(List.copyOf(part));
        }
        return parts;
    }
}
