package dev.llmo.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/** Jackson's parse errors, as the part of an error line that says what is wrong. */
public final class JsonErrors {
    // "(start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column:
    // 42])": where Jackson was, in its own words; the caller names the file and place in the user's
    private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)");
    private static final Pattern SOURCE = Pattern.compile("\\s*\\[Source: [^\\]]*\\]");

    private JsonErrors() {
    }

    /** The first line of Jackson's message, without its location ({@code [Source: …; line: 1, column: 1]}). */
    public static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        String first = message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
        return SOURCE.matcher(START_MARKER.matcher(first).replaceAll("")).replaceAll("");
    }
}
