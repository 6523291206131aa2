package dev.llmo.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    private List<DatasetRow> rows(String name, String text) throws IOException {
        return rows(name, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private List<DatasetRow> rows(String name, byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve(name), bytes);
        List<DatasetRow> rows = new ArrayList<>();
        try (Dataset dataset = Dataset.open(file, name)) {
            for (DatasetRow row = dataset.next(); row != null; row = dataset.next()) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void csvFollowsRfc4180QuotingAndKeepsLineNumbers() throws IOException {
        List<DatasetRow> rows = rows("d.csv", "\uFEFFid,text,n\r\n"
                + "a,\"one, two\",1\r\n"
                + "b,\"she said \"\"hi\"\"\nand left\",2\n"
                + "\n"
                + "c,,3");
        assertThat(rows).extracting(DatasetRow::id).containsExactly("a", "b", "c");
        assertThat(rows.get(0).values()).containsExactly(Map.entry("id", "a"), Map.entry("text", "one, two"),
                Map.entry("n", "1"));
        assertThat(rows.get(1).values().get("text")).isEqualTo("she said \"hi\"\nand left");
        assertThat(rows).extracting(DatasetRow::line).containsExactly(2L, 3L, 6L);
        assertThat(rows.get(2).values().get("text")).isEmpty();
        assertThat(rows).extracting(DatasetRow::index).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aByteThatIsNotUtf8IsNamedByItsOwnLineWithTheCommandThatConvertsTheFile() {
        // Latin-1 'été' on line 5: the CSV reader decoded ahead and named line 4
        byte[] latin = "q\na\nb\nc\n\u00e9t\u00e9\nd\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> rows("latin2.csv", latin)).isInstanceOf(UsageException.class)
                .hasMessage("latin2.csv:5: not UTF-8 text")
                .satisfies(e -> assertThat(((UsageException) e).fix()).contains("iconv -f latin1 -t utf-8 latin2.csv"));
        // inside a quoted field that spans lines, and past the decoder's first block
        byte[] quoted = ("q\n" + "x\n".repeat(5000) + "\"one\ntwo \u00e9\"\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> rows("quoted.csv", quoted)).isInstanceOf(UsageException.class)
                .hasMessage("quoted.csv:5003: not UTF-8 text");
        byte[] jsonl = "{\"q\":\"a\"}\n{\"q\":\"\u00e9\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> rows("latin.jsonl", jsonl)).isInstanceOf(UsageException.class)
                .hasMessage("latin.jsonl:2: not UTF-8 text");
    }

    @Test
    void badCsvIsNamedByItsLine() {
        assertThatThrownBy(() -> rows("a.csv", "x,y\n1,2\n3\n")).isInstanceOf(UsageException.class)
                .hasMessage("a.csv:3: 1 field where the header has 2 (a field with a comma or a line break goes in double "
                        + "quotes)");
        assertThatThrownBy(() -> rows("a2.csv", "x,y\n1,2,3\n")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("a2.csv:2: 3 fields where the header has 2");
        assertThatThrownBy(() -> rows("b.csv", "x,y\n1,a\"b\n")).isInstanceOf(UsageException.class)
                .hasMessage("b.csv:2: a double quote inside an unquoted field (quote the whole field and double the "
                        + "quote: \"a \"\"b\"\" c\")");
        assertThatThrownBy(() -> rows("c.csv", "x,y\n\"1\"2,3\n")).isInstanceOf(UsageException.class)
                .hasMessage("c.csv:2: text after a quoted field's closing quote");
        assertThatThrownBy(() -> rows("d.csv", "x,x\n1,2\n")).isInstanceOf(UsageException.class)
                .hasMessage("d.csv:1: the header row names the column 'x' twice");
    }

    @Test
    void jsonLinesGiveEveryValueAsTextAndRowNumbersAsIds() throws IOException {
        List<DatasetRow> rows = rows("d.jsonl", "{\"q\":\"hi\",\"n\":1.50,\"ok\":true,\"tags\":[\"a\"],\"none\":null}\r\n"
                + "\n   \n{\"q\":\"two\"}");
        assertThat(rows).extracting(DatasetRow::id).containsExactly("1", "2");
        assertThat(rows.get(0).values()).containsExactly(Map.entry("q", "hi"), Map.entry("n", "1.50"),
                Map.entry("ok", "true"), Map.entry("tags", "[\"a\"]"), Map.entry("none", ""));
        assertThat(rows.get(1).line()).isEqualTo(4);
    }

    @Test
    void badJsonLinesAreNamedByTheirLine() {
        assertThatThrownBy(() -> rows("e.jsonl", "{\"q\":1}\n{\"q\":\n")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("e.jsonl:2: not a JSON object (").hasMessageNotContaining("Source");
        assertThatThrownBy(() -> rows("g.jsonl", "{\"q\":1\n")).isInstanceOf(UsageException.class)
                .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED");
        assertThatThrownBy(() -> rows("f.jsonl", "\"text\"\n")).isInstanceOf(UsageException.class)
                .hasMessage("f.jsonl:1: not a JSON object, but string");
        // the second object would have been dropped without a word, the first of two values of a key ignored
        assertThatThrownBy(() -> rows("g.jsonl", "{\"q\":1} {\"q\":2}\n")).isInstanceOf(UsageException.class)
                .hasMessage("g.jsonl:1: more than one JSON value on the line (JSON Lines holds one object per line)");
        assertThatThrownBy(() -> rows("h.jsonl", "{\"q\":1}\n{\"q\":1,\"q\":2}\n")).isInstanceOf(UsageException.class)
                .hasMessage("h.jsonl:2: the key 'q' is given twice");
        assertThatThrownBy(() -> Dataset.open(dir, "the-dir")).isInstanceOf(UsageException.class)
                .hasMessage("the dataset the-dir is a directory");
    }

    @Test
    void theFormatOfAFileWithoutAKnownExtensionIsItsFirstCharacter() throws IOException {
        assertThat(rows("data", "  {\"q\":\"x\"}\n")).hasSize(1);
        assertThat(rows("data2", "q\nx\ny\n")).hasSize(2);
    }

    @Test
    void anOverlongRowIsRefusedAndTheDigestCoversEveryByte() throws IOException {
        String huge = "{\"q\":\"" + "x".repeat(Dataset.MAX_ROW_BYTES) + "\"}\n";
        assertThatThrownBy(() -> rows("g.jsonl", huge)).isInstanceOf(UsageException.class)
                .hasMessageContaining("g.jsonl:1: a line longer than");
        Path file = Files.writeString(dir.resolve("h.jsonl"), "{\"q\":1}\n{\"q\":2}\n");
        try (Dataset dataset = Dataset.open(file, "h.jsonl")) {
            dataset.next();
            assertThat(dataset.sha256()).isEqualTo(dev.llmo.eventlog.Sha256.of(Files.readAllBytes(file)));
        }
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).hasLineCount(2);
    }
}
