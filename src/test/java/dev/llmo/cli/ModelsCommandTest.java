package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelsCommandTest {
    @Test
    void countsAreGroupedByThousandsWithCommas() {
        assertThat(ModelsCommand.count(0L)).isEqualTo("0");
        assertThat(ModelsCommand.count(999L)).isEqualTo("999");
        assertThat(ModelsCommand.count(1_000L)).isEqualTo("1,000");
        assertThat(ModelsCommand.count(16_384L)).isEqualTo("16,384");
        assertThat(ModelsCommand.count(1_048_576L)).isEqualTo("1,048,576");
        assertThat(ModelsCommand.count(-123_456L)).isEqualTo("-123,456");
        assertThat(ModelsCommand.count(Long.MIN_VALUE)).isEqualTo("-9,223,372,036,854,775,808");
        assertThat(ModelsCommand.count(null)).isEqualTo("?");
    }
}
