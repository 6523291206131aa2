package dev.llmo.cli.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ColumnsTest {
    @Test
    void wideCharactersTakeTwoColumnsAndCombiningMarksNone() {
        assertThat(Columns.of("abc")).isEqualTo(3);
        assertThat(Columns.of("日本語")).isEqualTo(6);
        assertThat(Columns.of("e\u0301")).isEqualTo(1);
        assertThat(Columns.of("🙂x")).isEqualTo(3);
    }

    @Test
    void aCutEndsInAnEllipsisWithinTheColumnsNeverHalfAWideCharacter() {
        assertThat(Columns.cut("abcdef", 6)).isEqualTo("abcdef");
        assertThat(Columns.cut("abcdef", 4)).isEqualTo("abc…");
        assertThat(Columns.cut("日本語です", 6)).isEqualTo("日本…");
        assertThat(Columns.of(Columns.cut("日本語です", 6))).isEqualTo(5);
        assertThat(Columns.cut("日本語です", 1)).isEqualTo("…");
        assertThat(Columns.cut("日本語です", 0)).isEmpty();
    }

    @Test
    void aTailKeepsTheEndAfterAnEllipsis() {
        assertThat(Columns.tail("abcdef", 4)).isEqualTo("…def");
        assertThat(Columns.tail("日本語です", 5)).isEqualTo("…です");
        assertThat(Columns.tail("short", 40)).isEqualTo("short");
    }
}
