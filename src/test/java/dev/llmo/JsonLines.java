package dev.llmo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The JSON Lines a command printed, one node per non-blank line, for tests that read batch results. */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    public static List<JsonNode> of(String printed) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : printed.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(JSON.readTree(line));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return lines;
    }
}
