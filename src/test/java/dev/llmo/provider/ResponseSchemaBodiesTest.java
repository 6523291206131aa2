package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.failure.UsageException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Structured output in each wire format, against the providers' documented shapes: OpenAI's {@code response_format}
 * json_schema (with {@code strict} only when every property is required), Anthropic's {@code output_config.format}
 * (objects closed, unsupported bounds moved to the description), Gemini's {@code responseMimeType} and
 * {@code responseJsonSchema} in {@code generationConfig}.
 */
class ResponseSchemaBodiesTest {
    /** Every property required: strict mode takes it once its object is closed. */
    static final ResponseSchema DOG = new ResponseSchema("answer", "{\"type\":\"object\",\"properties\":{\"name\":"
            + "{\"type\":\"string\"},\"age\":{\"type\":\"integer\",\"minimum\":0},\"tags\":{\"type\":\"array\","
            + "\"items\":{\"type\":\"object\",\"properties\":{\"tag\":{\"type\":\"string\"}},\"required\":[\"tag\"]}}},"
            + "\"required\":[\"name\",\"age\",\"tags\"]}");
    /** "bio" optional: not for strict mode. */
    static final ResponseSchema LOOSE = new ResponseSchema("person", "{\"type\":\"object\",\"properties\":{\"name\":"
            + "{\"type\":\"string\"},\"bio\":{\"type\":\"string\",\"maxLength\":200,\"description\":\"short\"}},"
            + "\"required\":[\"name\"]}");

    private static ChatRequest ask(ResponseSchema schema, Map<String, Object> options) {
        return new ChatRequest("m1", null, List.of(ChatMessage.user("Invent a dog")), options, null, false, List.of(),
                schema);
    }

    @Nested
    class OpenAi {
        @RegisterExtension
        final MockProvider openai = new MockProvider(ProviderType.OPENAI);

        @Test
        void everyPropertyRequiredIsStrictWithEveryObjectClosed() {
            assertThat(openai.bodyOf(ask(DOG, Map.of()))).isEqualTo("{\"model\":\"m1\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"Invent a dog\"}],\"response_format\":{\"type\":\"json_schema\","
                    + "\"json_schema\":{\"name\":\"answer\",\"schema\":{\"type\":\"object\",\"properties\":{\"name\":"
                    + "{\"type\":\"string\"},\"age\":{\"type\":\"integer\",\"minimum\":0},\"tags\":{\"type\":\"array\","
                    + "\"items\":{\"type\":\"object\",\"properties\":{\"tag\":{\"type\":\"string\"}},\"required\":"
                    + "[\"tag\"],\"additionalProperties\":false}}},\"required\":[\"name\",\"age\",\"tags\"],"
                    + "\"additionalProperties\":false},\"strict\":true}}}");
        }

        @Test
        void optionalPropertiesAreSentWithoutStrict() {
            String body = openai.bodyOf(ask(LOOSE, Map.of()));
            assertThat(body).contains("\"json_schema\":{\"name\":\"person\",\"schema\":{").doesNotContain("strict")
                    .contains("\"maxLength\":200");
        }

        @Test
        void aResponseFormatOptionBesideTheSchemaIsRefused() {
            assertThatThrownBy(() -> openai.client().prepare(ask(DOG, Map.of("response_format", Map.of("type",
                    "json_object"))))).isInstanceOf(UsageException.class).hasMessageContaining("response_format");
        }

        @Test
        void noSchemaNoResponseFormat() {
            assertThat(openai.bodyOf(ask(null, Map.of()))).doesNotContain("response_format");
        }
    }

    @Nested
    class Anthropic {
        @RegisterExtension
        final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC);

        @Test
        void outputConfigFormatWithObjectsClosedAndBoundsInTheDescription() {
            String body = anthropic.bodyOf(ask(LOOSE, Map.of("max_tokens", 1024)));
            assertThat(body).isEqualTo("{\"model\":\"m1\",\"max_tokens\":1024,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"Invent a dog\"}],\"output_config\":{\"format\":{\"type\":\"json_schema\","
                    + "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"bio\":{\"type\":"
                    + "\"string\",\"description\":\"short (maxLength: 200)\"}},\"required\":[\"name\"],"
                    + "\"additionalProperties\":false}}}}");
        }

        @Test
        void aMinimumMovesToTheDescriptionOfItsProperty() {
            anthropic.answerError();
            assertThatThrownBy(() -> anthropic.client().complete(ask(DOG, Map.of("max_tokens", 1024))));
            var sent = anthropic.sent();
            assertThat(sent.getBody().readUtf8())
                    .contains("\"age\":{\"type\":\"integer\",\"description\":\"(minimum: 0)\"}")
                    .doesNotContain("output_format").doesNotContain("strict");
            // generally available: no beta header
            assertThat(sent.getHeader("anthropic-beta")).isNull();
        }
    }

    @Nested
    class Gemini {
        @RegisterExtension
        final MockProvider gemini = new MockProvider(ProviderType.GEMINI);

        @Test
        void jsonMimeTypeAndTheSchemaAsWrittenInGenerationConfig() {
            String body = gemini.bodyOf(ask(LOOSE, Map.of("temperature", 0)));
            assertThat(body).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Invent a dog\"}]}],"
                    + "\"generationConfig\":{\"temperature\":0,\"responseMimeType\":\"application/json\","
                    + "\"responseJsonSchema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                    + "\"bio\":{\"type\":\"string\",\"maxLength\":200,\"description\":\"short\"}},\"required\":"
                    + "[\"name\"]}}}");
        }

        @Test
        void withoutOptionsTheConfigHoldsOnlyTheSchema() {
            assertThat(gemini.bodyOf(ask(DOG, Map.of()))).contains("\"generationConfig\":{\"responseMimeType\":"
                    + "\"application/json\",\"responseJsonSchema\":{\"type\":\"object\"");
        }

        @Test
        void aResponseMimeTypeOptionBesideTheSchemaIsRefused() {
            assertThatThrownBy(() -> gemini.client().prepare(ask(DOG, Map.of("response_mime_type", "text/plain"))))
                    .isInstanceOf(UsageException.class).hasMessageContaining("responseMimeType");
        }
    }
}
