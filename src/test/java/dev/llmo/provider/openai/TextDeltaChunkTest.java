package dev.llmo.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.provider.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextDeltaChunkTest {
    @ParameterizedTest
    @ValueSource(strings = {
        // OpenAI, with the fields it adds to every chunk
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
            + "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"obfuscation\":\"x1\"}",
        // the role chunk: content empty or null, or no delta text at all
        "{\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}",
        "{\"choices\":[{\"delta\":{}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":null,\"finish_reason\":null}]}",
        // vLLM and others: usage null in every chunk; escapes and surrogate pairs decode as in a tree
        "{\"usage\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \\ud83d\\ude00\\n\\\"q\\\"\"}}]}",
        "{\"model\":\"\",\"error\":null,\"object\":\"chunk\",\"choices\":[{\"delta\":{\"content\":\"x\"},"
            + "\"content_filter_results\":{\"hate\":{\"filtered\":false}}}]} \n",
    })
    void readsPlainTextDeltasExactlyAsTheTreeDoes(String data) {
        JsonNode tree = Json.parse(data).orElseThrow();
        JsonNode content = tree.at("/choices/0/delta/content");
        TextDeltaChunk chunk = TextDeltaChunk.read(data);
        assertThat(chunk).isEqualTo(new TextDeltaChunk(Json.text(tree, "model"),
                content.isTextual() ? content.textValue() : null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hmm\",\"content\":\"a\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"no\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\"}}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"annotations\":[]}}]}",
        "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"a\"}}]}",
        "{\"choices\":[{\"index\":0.0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}}]}",
        "{\"choices\":[]}",
        "{\"choices\":{}}",
        "{\"choices\":[{\"delta\":\"a\"}]}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":1}}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x_groq\":{\"usage\":{}}}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"citations\":[\"https://a.example\"]}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"search_results\":[]}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"error\":{\"message\":\"boom\"}}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"object\":\"error\"}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"model\":\"a\",\"model\":\"b\"}",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[{\"delta\":{\"content\":\"b\"}}]}",
        "{\"model\":\"m\"}",
        "[{\"choices\":[]}]",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]",
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],",
        "not json",
        // text after the object, which readTree ignores: the tree decides
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]} trailing",
    })
    void leavesEverythingElseToTheTree(String data) {
        assertThat(TextDeltaChunk.read(data)).isNull();
    }
}
