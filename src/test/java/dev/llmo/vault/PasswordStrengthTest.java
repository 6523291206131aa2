package dev.llmo.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.vault.PasswordStrength.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordStrengthTest {
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "abc|WEAK", "password|WEAK", "Password1!|WEAK", "qwerty123|WEAK", "aaaaaaaaaaaaaaaaaaaa|WEAK",
            "12345678|WEAK", "kettlebell|FAIR", "Tr0ub4dor&3|GOOD",
            "correct horse battery staple|STRONG", "xK9#mP2$vL5@nQ8!|STRONG"})
    void rates(String password, Level expected) {
        PasswordStrength strength = PasswordStrength.of(password.toCharArray());
        assertThat(strength.level()).as(strength.describe()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"abc", "correct horse battery staple"})
    void describesWithoutEchoingThePassword(String password) {
        assertThat(PasswordStrength.of(password.toCharArray()).describe()).startsWith("strength: ")
                .doesNotContain(password);
    }
}
