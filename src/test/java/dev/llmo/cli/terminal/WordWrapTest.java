package dev.llmo.cli.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WordWrapTest {
    private static String wrap(int width, String... pieces) {
        WordWrap wrap = new WordWrap(() -> width);
        StringBuilder shown = new StringBuilder();
        for (String piece : pieces) {
            shown.append(wrap.take(piece));
        }
        return shown.append(wrap.end()).toString();
    }

    @Test
    void wordsThatDoNotFitTheRowGoToTheNextWhereverThePiecesEnd() {
        String expected = "The user asks\nabout the\ncapital.\n  An indented\nline.";
        String text = "The user asks about the capital.\n  An indented line.";
        assertThat(wrap(14, text)).isEqualTo(expected);
        assertThat(wrap(14, text.split("(?<=.)", -1))).as("one character a piece").isEqualTo(expected);
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            java.util.List<String> pieces = new java.util.ArrayList<>();
            for (int at = 0; at < text.length(); ) {
                int end = Math.min(text.length(), at + 1 + random.nextInt(6));
                pieces.add(text.substring(at, end));
                at = end;
            }
            assertThat(wrap(14, pieces.toArray(String[]::new))).isEqualTo(expected);
        }
    }

    @Test
    void aWordWiderThanTheTerminalIsLeftToItAndWideCharactersTakeTwoColumns() {
        assertThat(wrap(5, "ab abcdefgh cd")).as("the terminal ended the long word at column 3")
                .isEqualTo("ab\nabcdefgh\ncd");
        assertThat(wrap(5, "ab abcdefgh c")).isEqualTo("ab\nabcdefgh c");
        assertThat(wrap(6, "日本 語語")).isEqualTo("日本\n語語");
    }

    @Test
    void noWidthMeansEighty() {
        String line = "word ".repeat(20).strip();
        assertThat(new WordWrap(() -> 0).take(line + "\n")).isEqualTo("word ".repeat(16).strip() + "\n"
                + "word ".repeat(4).strip() + "\n");
    }
}
