package dev.llmo.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaValidatorTest {
    private static final String DOG = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"tags\":"
            + "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"name\"]}";

    @Test
    void theFirstViolationWithItsPath() {
        assertThat(SchemaValidator.validate(DOG, "{\"name\":\"Rex\",\"tags\":[1,2]}")).isEmpty();
        assertThat(SchemaValidator.validate(DOG, "{\"name\":\"Rex\",\"tags\":[1,\"b\"]}"))
                .contains(new Violation("$.tags[1]", "string found, integer expected"));
        assertThat(SchemaValidator.validate(DOG, "{}").map(Violation::toString))
                .contains("$: required property 'name' not found");
        assertThat(SchemaValidator.validate(DOG, "{\"name\":")).contains(new Violation("$", "not JSON"));
    }

    @Test
    void decimalsAreCheckedAsWritten() {
        String schema = "{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"number\",\"maximum\":0.3}}}";
        assertThat(SchemaValidator.validate(schema, "{\"p\":0.30000000000000001}")).isPresent();
        assertThat(SchemaValidator.validate(schema, "{\"p\":0.3}")).isEmpty();
    }

    @Test
    void aRemoteReferenceIsRefusedAndNothingIsFetched() {
        assertThatThrownBy(() -> AnswerSchema.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":"
                + "\"http://127.0.0.1:9/a.json\"}}}", Path.of("."), false))
                .hasMessageContaining("refers to http://127.0.0.1:9/a.json");
    }

    @Test
    void aLocalReferenceIsFollowed() {
        AnswerSchema schema = AnswerSchema.parse("{\"type\":\"object\",\"$defs\":{\"n\":{\"type\":\"integer\"}},"
                + "\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}}", Path.of("."), false);
        assertThat(schema.check("{\"a\":\"x\"}")).isInstanceOf(AnswerSchema.Checked.Invalid.class);
        assertThat(schema.check("{\"a\":1}")).isInstanceOf(AnswerSchema.Checked.Valid.class);
    }

    @Test
    void anAnswerInACodeFenceIsTakenOutOfIt() {
        AnswerSchema schema = AnswerSchema.parse("name", Path.of("."), false);
        AnswerSchema.Checked checked = schema.check("```json\n{\"name\":\"Rex\"}\n```");
        assertThat(((AnswerSchema.Checked.Valid) checked).printed()).isEqualTo("{\"name\":\"Rex\"}");
    }

    @Test
    void multiWrapsTheSchemaAsItemsAndGivesTheList() {
        AnswerSchema schema = AnswerSchema.parse("name", Path.of("."), true);
        assertThat(schema.requestJson()).isEqualTo("{\"type\":\"object\",\"properties\":{\"items\":{\"type\":"
                + "\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
                + "\"required\":[\"name\"]}}},\"required\":[\"items\"]}");
        AnswerSchema.Checked checked = schema.check("{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
        assertThat(((AnswerSchema.Checked.Valid) checked).printed()).isEqualTo("[{\"name\":\"a\"},{\"name\":\"b\"}]");
        assertThat(schema.check("[{\"name\":\"a\"}]")).isInstanceOf(AnswerSchema.Checked.Invalid.class);
    }

    @Test
    void aFileIsReadAndAFileThatIsTooLargeOrNotUtf8IsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("dog.json"), DOG);
        assertThat(AnswerSchema.parse("dog.json", dir, false).schemaJson()).isEqualTo(DOG);
        Files.write(dir.resolve("bad.json"), new byte[]{'{', (byte) 0xff, '}'});
        assertThatThrownBy(() -> AnswerSchema.parse("bad.json", dir, false)).hasMessageContaining("not UTF-8");
        Files.writeString(dir.resolve("big.json"), "{\"type\":\"object\",\"description\":\""
                + "x".repeat(AnswerSchema.MAX_BYTES) + "\"}");
        assertThatThrownBy(() -> AnswerSchema.parse("big.json", dir, false)).hasMessageContaining("larger than");
    }
}
