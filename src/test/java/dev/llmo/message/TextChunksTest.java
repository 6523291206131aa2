package dev.llmo.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextChunksTest {
    @Test
    void piecesOfAnySizeMakeTheSameTextAsAStringBuilder() {
        TextChunks chunks = new TextChunks();
        StringBuilder expected = new StringBuilder();
        // pieces across the 64 Ki chunk boundary, a surrogate pair split by it, Latin-1 and wider text mixed
        String[] pieces = {"Hello", "é".repeat(70_000), "x".repeat(65_535 - 70_000 % 65_536 + 65_536), "\ud83d",
            "\ude00", "中文", "y".repeat(200_000), ""};
        for (String piece : pieces) {
            chunks.append(piece);
            expected.append(piece);
        }

        assertThat(chunks.length()).isEqualTo(expected.length());
        assertThat(chunks.toString()).isEqualTo(expected.toString());
        assertThat(chunks.contentEquals(expected.toString())).isTrue();
        assertThat(chunks.contentEquals(expected.toString().replace('中', '申'))).isFalse();
        assertThat(chunks.contentEquals(expected + "!")).isFalse();
        assertThat(chunks.contentEquals(null)).isFalse();
    }

    @Test
    void emptyAndShortTexts() {
        TextChunks chunks = new TextChunks();
        assertThat(chunks.isEmpty()).isTrue();
        assertThat(chunks.toString()).isEmpty();
        assertThat(chunks.contentEquals("")).isTrue();

        chunks.append("ab");
        assertThat(chunks.isEmpty()).isFalse();
        assertThat(chunks.toString()).isEqualTo("ab");
        assertThat(chunks.contentEquals("ac")).isFalse();
    }
}
