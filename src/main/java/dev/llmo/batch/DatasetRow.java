package dev.llmo.batch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a dataset.
 *
 * @param index  its position among the rows, from 0 (what the batch record keys results by)
 * @param line   the line of the file it starts on, from 1 (for messages)
 * @param id     its {@code id} column, or its number (from 1) when the dataset has no {@code id}
 * @param values its columns, in the file's order; every value as text
 */
public record DatasetRow(long index, long line, String id, Map<String, String> values) {
    public DatasetRow {
        Objects.requireNonNull(id, "id");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
