package dev.llmo.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider clients' JSON without a mapper: the same nodes and text the mapper made. */
class JsonTest {
    @Test
    void aJavaValueBecomesTheNodeTheMapperMakes() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("list", List.of(1, "two", 3.5));
        nested.put("none", null);
        for (Object value : new Object[] {"text", "", true, false, 0, -7, Integer.MAX_VALUE, 1L << 40, Long.MIN_VALUE,
                2.5, -0.0, 1e300, Double.MIN_VALUE, 1.0f, new BigDecimal("1.50"), new BigDecimal("0.20"),
                new BigDecimal("-0.0"), new BigDecimal("0.000"), new BigDecimal("1E+3"), new BigDecimal("100"),
                new BigDecimal("-2.50e2"), new BigDecimal("1e-7"), new BigDecimal("12345678901234567890.50"),
                (short) 3, List.of(), nested}) {
            JsonNode expected = Json.mapper().valueToTree(value);
            JsonNode made = Json.tree(value);
            assertThat(made).as("%s", value).isEqualTo(expected);
            assertThat(made.getClass()).as("%s", value).isEqualTo(expected.getClass());
            // the request's body, and its digest in the log, are the same text
            assertThat(Json.write(made)).as("%s", value).isEqualTo(Json.write(expected));
        }
    }

    @Test
    void readsAndWritesWithoutTheMapper() throws Exception {
        JsonNode node = Json.parse("{\"a\":1.50,\"b\":[true,null],\"a\":2} trailing").orElseThrow();
        assertThat(Json.write(node)).isEqualTo("{\"a\":2,\"b\":[true,null]}");
        assertThat(Json.parseExact("{\"x\":1.50}").orElseThrow().get("x").decimalValue()).isEqualTo("1.50");
        assertThat(Json.parseExact("{} trailing")).isEmpty();
        assertThat(Json.parse(new byte[] {' '})).isEmpty();
        assertThat(Json.write(Json.parseExact("1E+5").orElseThrow())).isEqualTo("100000");
        assertThat(Json.writable(Json.parseExact("1e99999").orElseThrow())).isFalse();
        assertThat(Json.mapper().writeValueAsString(new BigDecimal("1E+5"))).isEqualTo("100000");
    }
}
