package dev.llmo.tool.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Server-sent events as MCP servers send them (WHATWG "event stream" fields {@code data}, {@code id},
 * {@code retry}; comments and other fields skipped), with memory bounded by one limit for a line and for the data
 * of one event. provider.http has a richer parser, but it sits in a layer above this package.
 * Not thread-safe: one reader per stream.
 */
final class SseReader {
    private final int maxBytes;
    private String lastEventId;
    private long retryMillis = -1;

    SseReader(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The data is over the limit: the stream cannot be read further. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("event too large");
        }
    }

    /**
     * Reads events until the stream ends or {@code onData} returns false; events without data (such as the priming
     * event that only carries an id) are not passed on. True when {@code onData} stopped the reading.
     */
    boolean read(InputStream in, Predicate<String> onData) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        int b;
        boolean lastWasCr = false;
        while (true) {
            b = in.read();
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b != -1 && b != '\n' && b != '\r') {
                if (line.size() >= maxBytes) {
                    throw new TooLarge();
                }
                line.write(b);
                continue;
            }
            if (line.size() == 0) {
                if (hasData && !onData.test(data.toString())) {
                    return true;
                }
                data.setLength(0);
                hasData = false;
                if (b == -1) {
                    return false;
                }
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + (text.startsWith(" ", colon + 1) ? 2 : 1));
            switch (field) {
                case "data":
                    if (data.length() + value.length() + 1 > maxBytes) {
                        throw new TooLarge();
                    }
                    if (hasData) {
                        data.append('\n');
                    }
                    data.append(value);
                    hasData = true;
                    break;
                case "id":
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                    break;
                case "retry":
                    if (value.matches("[0-9]{1,9}")) {
                        retryMillis = Long.parseLong(value);
                    }
                    break;
                default:
                    break;
            }
            if (b == -1) {
                if (hasData) {
                    onData.test(data.toString());
                }
                return false;
            }
        }
    }

    /** The id of the last event that had one (to resume with {@code Last-Event-ID}), or null. */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection delay the server asked for with {@code retry}, or -1. */
    long retryMillis() {
        return retryMillis;
    }
}
