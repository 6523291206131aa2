package dev.llmo.batch;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of CSV text as RFC 4180 defines them: fields separated by commas, a field in double quotes may hold
 * commas, line breaks and doubled quotes ({@code ""}); records end with CRLF or LF. Streams: one record at a time,
 * at most {@code maxRecordChars} characters each, so a hostile file cannot fill the memory. Not thread-safe.
 */
final class CsvRecords {
    private final Reader in;
    private final int maxRecordChars;
    private long line = 1;
    private long recordLine;
    private int pushedBack = -2;

    /** A record: its fields and the line it starts on. */
    record Record(List<String> fields, long line) {
    }

    /** Thrown for text that is not CSV; the message names the line. */
    static final class Malformed extends Exception {
        final long line;

        Malformed(long line, String message) {
            super(message);
            this.line = line;
        }
    }

    CsvRecords(Reader in, int maxRecordChars) {
        this.in = in;
        this.maxRecordChars = maxRecordChars;
    }

    /** The next record, or null at the end of the text. A blank line is a record of one empty field. */
    Record next() throws IOException, Malformed {
        int c = read();
        if (c < 0) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int size = 0;
        boolean quoted = false;
        boolean wasQuoted = false;
        while (true) {
            if (++size > maxRecordChars) {
                throw new Malformed(recordLine, "a record longer than " + maxRecordChars + " characters");
            }
            if (quoted) {
                if (c < 0) {
                    throw new Malformed(recordLine, "a quoted field is not closed before the end of the file");
                }
                if (c == '"') {
                    int after = read();
                    if (after == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        c = after;
                        continue;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
                c = read();
                continue;
            }
            if (c < 0 || c == '\n' || c == '\r') {
                if (c == '\r') {
                    int after = read();
                    if (after != '\n') {
                        unread(after);
                    }
                }
                if (c >= 0) {
                    line++;
                }
                fields.add(field.toString());
                return new Record(fields, recordLine);
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '"') {
                if (field.length() > 0 || wasQuoted) {
                    throw new Malformed(line, "a double quote inside an unquoted field (quote the whole field and "
                            + "double the quote: \"a \"\"b\"\" c\")");
                }
                quoted = true;
                wasQuoted = true;
            } else {
                if (wasQuoted) {
                    throw new Malformed(line, "text after a quoted field's closing quote");
                }
                field.append((char) c);
            }
            c = read();
        }
    }

    /** The line the reader is on (from 1): where a byte that is not UTF-8 is, when a read throws for it. */
    long line() {
        return line;
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
