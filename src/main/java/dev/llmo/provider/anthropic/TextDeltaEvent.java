package dev.llmo.provider.anthropic;

import dev.llmo.provider.http.DeltaTemplate;
import dev.llmo.provider.http.JsonScan;

/**
 * The event nearly every event of a streamed Messages answer is, {@code content_block_delta} with a
 * {@code text_delta}, read with {@link JsonScan} instead of a Jackson tree (issue 15: a tree per token was most of
 * what a long answer cost llmo). {@link #text} takes only events whose meaning it knows exactly: anything else (another
 * type, a duplicate key, a malformed event, anything {@link JsonScan} does not read) returns null and goes through
 * {@link AnthropicDecoder}'s tree, which reads and explains everything.
 */
final class TextDeltaEvent {
    private TextDeltaEvent() {
    }

    /** The delta's text when {@code data} is a plain text delta, else null. */
    static String text(String data) {
        return text(data, null);
    }

    /** As {@link #text(String)}; a text delta becomes the stream's {@code template} (when not null). */
    static String text(String data, DeltaTemplate template) {
        JsonScan json = new JsonScan(data);
        if (!json.startObject()) {
            return null;
        }
        boolean seenType = false;
        String text = null;
        while (json.nextField()) {
            if (json.keyIs("type")) {
                // of two, the tree would keep the last
                if (seenType || !"content_block_delta".equals(json.string())) {
                    return null;
                }
                seenType = true;
            } else if (json.keyIs("delta")) {
                if (text != null || (text = delta(json)) == null) {
                    return null;
                }
            } else if (!json.skipValue()) {
                return null; // index (a text delta goes to the answer's text wherever its block is)...
            }
        }
        if (!json.end() || !seenType || text == null) {
            return null;
        }
        if (template != null) {
            template.remember(data, json.markedStart(), json.markedEnd(), null);
        }
        return text;
    }

    /** The text of a {@code text_delta} object, else null. */
    private static String delta(JsonScan json) {
        if (!json.startObject()) {
            return null;
        }
        boolean seenType = false;
        String text = null;
        while (json.nextField()) {
            if (json.keyIs("type")) {
                if (seenType || !"text_delta".equals(json.string())) {
                    return null;
                }
                seenType = true;
            } else if (json.keyIs("text")) {
                if (text != null || (text = json.string()) == null) {
                    return null;
                }
                json.markString();
            } else if (!json.skipValue()) {
                return null;
            }
        }
        return !json.failed() && seenType ? text : null;
    }
}
