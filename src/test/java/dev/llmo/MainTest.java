package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private static final String PROVIDERS = "java.locale.providers";
    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(PROVIDERS);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(PROVIDERS);
        } else {
            System.setProperty(PROVIDERS, before);
        }
    }

    @Test
    void aJdkBefore21GetsTheOlderLocaleDataAndANewerOneItsDefault() {
        System.clearProperty(PROVIDERS);
        Main.chooseLocaleData();
        String expected = Runtime.version().feature() < 21 ? "COMPAT" : null;
        assertThat(System.getProperty(PROVIDERS)).isEqualTo(expected);
    }

    @Test
    void theUsersOwnChoiceIsKept() {
        System.setProperty(PROVIDERS, "CLDR");
        Main.chooseLocaleData();
        assertThat(System.getProperty(PROVIDERS)).isEqualTo("CLDR");
    }
}
