package dev.llmo.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import dev.llmo.secret.JdkCrypto;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset read row by row, never whole: JSON Lines (one object per line; blank lines skipped) or CSV with a header
 * row (RFC 4180, {@link CsvRecords}). The format is the file's extension ({@code .jsonl}, {@code .ndjson},
 * {@code .json}, {@code .csv}), else its first character ({@code {} is JSON Lines). A row that cannot be read stops
 * the batch with an error naming its line (exit 2). The SHA-256 of the bytes read is kept, so that a resumed batch can
 * tell its dataset has not changed. Not thread-safe.
 */
public final class Dataset implements Closeable {
    /** A row (a JSON line or a CSV record) longer than this is refused: no prompt needs more. */
    public static final int MAX_ROW_BYTES = 1 << 20;

    /** The formats a dataset can have. */
    public enum Format {
        JSONL, CSV;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Decimals read exactly: a row's {@code 1.50} fills a placeholder as {@code 1.50}. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // a column named twice would fill a placeholder with one of two values, silently
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true)).build();

    private final String name;
    private final Format format;
    private final InputStream in;
    private final MessageDigest digest;
    private final CsvRecords csv;
    private List<String> header;
    private long line;
    private long rows;

    private Dataset(String name, Format format, InputStream in, MessageDigest digest) {
        this.name = name;
        this.format = format;
        this.in = in;
        this.digest = digest;
        this.csv = format == Format.CSV ? new CsvRecords(new Utf8Reader(in), MAX_ROW_BYTES) : null;
    }

    /**
     * Opens {@code file} to read its rows.
     *
     * @param shown how messages name it (the path the user typed, or {@code -} for stdin)
     * @throws UsageException when the file cannot be read
     */
    public static Dataset open(Path file, String shown) {
        try {
            MessageDigest digest = JdkCrypto.sha256();
            InputStream in = new BufferedInputStream(new DigestInputStream(Files.newInputStream(file), digest), 1 << 16);
            Format format = formatOf(file, in);
            return new Dataset(shown, format, in, digest);
        } catch (NoSuchFileException e) {
            throw new UsageException("no dataset at " + shown, "give a JSON Lines or CSV file, or - for stdin");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new UsageException("the dataset " + shown + " is a directory",
                        "give a JSON Lines or CSV file, or - for stdin");
            }
            throw new UsageException("cannot read the dataset " + shown + ": " + e.getMessage(),
                    "check the file's permissions");
        }
    }

    private static Format formatOf(Path file, InputStream in) throws IOException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return Format.JSONL;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        in.mark(4096);
        try {
            for (int i = 0; i < 4096; i++) {
                int c = in.read();
                if (c < 0 || !Character.isWhitespace(c) && c != 0xEF && c != 0xBB && c != 0xBF) {
                    return c == '{' ? Format.JSONL : Format.CSV;
                }
            }
            return Format.CSV;
        } finally {
            in.reset();
        }
    }

    public Format format() {
        return format;
    }

    /** Rows read so far. */
    public long rowsRead() {
        return rows;
    }

    /**
     * The next row, or null after the last.
     *
     * @throws UsageException (exit 2) naming the line when a row cannot be read
     */
    public DatasetRow next() {
        try {
            return format == Format.JSONL ? nextJson() : nextCsv();
        } catch (IOException e) {
            throw new FailureException("cannot read the dataset " + name + ": " + e.getMessage(),
                    "check the file", e);
        }
    }

    private DatasetRow nextJson() throws IOException {
        while (true) {
            byte[] bytes = readLine();
            if (bytes == null) {
                return null;
            }
            line++;
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw notUtf8(line);
            }
            if (line == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try (com.fasterxml.jackson.core.JsonParser parser = JSON.createParser(text)) {
                node = JSON.readTree(parser);
                if (node != null && parser.nextToken() != null) {
                    // two objects on one line: the second would be dropped without a word
                    throw bad(line, "more than one JSON value on the line (JSON Lines holds one object per line)");
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                String why = dev.llmo.json.JsonErrors.reason(e); // the line is named already
                throw bad(line, why.startsWith("Duplicate field") ? "the key" + why.substring("Duplicate field"
                        .length()) + " is given twice" : "not a JSON object (" + why + ")");
            }
            if (node == null || !node.isObject()) {
                throw bad(line, "not a JSON object, but " + (node == null ? "nothing" : node.getNodeType()
                        .toString().toLowerCase(Locale.ROOT)));
            }
            Map<String, String> values = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> values.put(field.getKey(), text(field.getValue())));
            return row(values);
        }
    }

    private static String text(JsonNode value) {
        if (value.isNull()) {
            return "";
        }
        if (value.isBigDecimal()) {
            return value.decimalValue().toPlainString();
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private DatasetRow nextCsv() throws IOException {
        try {
            while (true) {
                CsvRecords.Record record = csv.next();
                if (record == null) {
                    return null;
                }
                line = record.line();
                List<String> fields = record.fields();
                if (header == null) {
                    header = fields.stream().map(f -> f.startsWith("\uFEFF") ? f.substring(1) : f).map(String::strip)
                            .toList();
                    if (header.stream().anyMatch(String::isEmpty)) {
                        throw bad(line, "the header row has an empty column name");
                    }
                    java.util.Set<String> seen = new java.util.HashSet<>();
                    for (String column : header) {
                        if (!seen.add(column)) {
                            throw bad(line, "the header row names the column '" + column + "' twice");
                        }
                    }
                    continue;
                }
                if (fields.size() == 1 && fields.get(0).isEmpty()) {
                    continue; // a blank line
                }
                if (fields.size() != header.size()) {
                    throw bad(line, fields.size() + (fields.size() == 1 ? " field" : " fields") + " where the header "
                            + "has " + header.size() + " (a field with a comma or a line break goes in double quotes)");
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    values.put(header.get(i), fields.get(i));
                }
                return row(values);
            }
        } catch (CsvRecords.Malformed e) {
            throw bad(e.line, e.getMessage());
        } catch (CharacterCodingException e) {
            throw notUtf8(csv.line());
        }
    }

    private DatasetRow row(Map<String, String> values) {
        long index = rows++;
        String id = values.get("id");
        return new DatasetRow(index, line, id == null || id.isEmpty() ? Long.toString(index + 1) : id, values);
    }

    /** One line's bytes without its end (LF or CRLF), or null at the end of the file. */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c = in.read();
        if (c < 0) {
            return null;
        }
        while (c >= 0 && c != '\n') {
            bytes.write(c);
            if (bytes.size() > MAX_ROW_BYTES) {
                throw bad(line + 1, "a line longer than " + MAX_ROW_BYTES + " bytes");
            }
            c = in.read();
        }
        byte[] all = bytes.toByteArray();
        int length = all.length > 0 && all[all.length - 1] == '\r' ? all.length - 1 : all.length;
        return length == all.length ? all : java.util.Arrays.copyOf(all, length);
    }

    /**
     * Reads what is left and returns the SHA-256 ({@code sha256:<hex>}) of every byte of the dataset: what the
     * record keeps to know the dataset again.
     */
    public String sha256() {
        try {
            byte[] rest = new byte[1 << 16];
            while (in.read(rest) >= 0) {
                // drained into the digest
            }
        } catch (IOException e) {
            throw new FailureException("cannot read the dataset " + name + ": " + e.getMessage(), "check the file", e);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    /** A line that is not UTF-8: most often a file saved in Latin-1 or Windows-1252, which one command converts. */
    private UsageException notUtf8(long at) {
        return new UsageException(name + ":" + at + ": not UTF-8 text",
                "convert the file to UTF-8 first, e.g. iconv -f latin1 -t utf-8 " + name + " > converted"
                        + (format == Format.CSV ? ".csv" : ".jsonl"));
    }

    private UsageException bad(long at, String what) {
        return new UsageException(name + ":" + at + ": " + what,
                "fix that line: a dataset is JSON Lines (one object per line) or CSV with a header row");
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // read-only: nothing is lost
        }
    }
}
