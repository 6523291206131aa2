package dev.llmo.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WellFormedTextTest {
    @Test
    void loneHalvesBecomeTheReplacementCharacterAndPairsStay() {
        assertThat(WellFormedText.of("a\uD800b")).isEqualTo("a\uFFFDb");
        assertThat(WellFormedText.of("a\uDC00")).isEqualTo("a\uFFFD");
        assertThat(WellFormedText.of("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
        assertThat(WellFormedText.of("\uD800\uD83D\uDE00\uDC00")).isEqualTo("\uFFFD\uD83D\uDE00\uFFFD");
        assertThat(WellFormedText.of("plain")).isEqualTo("plain");
    }

    @Test
    void aPairSplitAcrossPiecesIsHeldBackUntilItsSecondHalf() {
        WellFormedText text = new WellFormedText();
        assertThat(text.next("smile \uD83D")).isEqualTo("smile ");
        assertThat(text.next("\uDE00!")).isEqualTo("\uD83D\uDE00!");
        assertThat(text.next("end \uD83D")).isEqualTo("end ");
        assertThat(text.next("x")).isEqualTo("\uFFFDx");
        assertThat(text.next("\uD800")).isEmpty();
        assertThat(text.end()).isEqualTo("\uFFFD");
        assertThat(text.end()).isEmpty();
    }
}
