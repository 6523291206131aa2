package dev.llmo.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaDslTest {
    @Test
    void fieldsTypesListsAndDescriptions() {
        assertThat(SchemaDsl.parse("name, age int, tags [str], score float, ok bool, bio: a short biography")
                .toString()).isEqualTo("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"age\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                + "\"score\":{\"type\":\"number\"},\"ok\":{\"type\":\"boolean\"},\"bio\":{\"type\":\"string\","
                + "\"description\":\"a short biography\"}},\"required\":[\"name\",\"age\",\"tags\",\"score\",\"ok\","
                + "\"bio\"]}");
    }

    @Test
    void withNewlinesTheDescriptionsMayHoldCommas() {
        assertThat(SchemaDsl.parse("\nname: the name, in full\n\nscores [[int]]: per round, per game\n").toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"description\":"
                        + "\"the name, in full\"},\"scores\":{\"type\":\"array\",\"items\":{\"type\":\"array\","
                        + "\"items\":{\"type\":\"integer\"}},\"description\":\"per round, per game\"}},\"required\":"
                        + "[\"name\",\"scores\"]}");
    }

    @Test
    void badInputNamesTheFieldAndWhatIsWrong() {
        assertThatThrownBy(() -> SchemaDsl.parse("name, age inte")).hasMessage("field 2 ('age inte'): unknown type "
                + "'inte'; the types are str, int, float, bool, or [TYPE] for a list");
        assertThatThrownBy(() -> SchemaDsl.parse("name,, age")).hasMessageContaining("field 2 is empty");
        assertThatThrownBy(() -> SchemaDsl.parse("first name int")).hasMessageContaining("has 3 words");
        assertThatThrownBy(() -> SchemaDsl.parse("name, name int")).hasMessageContaining("'name' is already a field");
        assertThatThrownBy(() -> SchemaDsl.parse("9lives")).hasMessageContaining("starts with a letter");
        assertThatThrownBy(() -> SchemaDsl.parse(": no name")).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> SchemaDsl.parse("tags []")).hasMessageContaining("unknown type '[]'");
        assertThatThrownBy(() -> SchemaDsl.parse("  ")).hasMessageContaining("empty");
    }
}
