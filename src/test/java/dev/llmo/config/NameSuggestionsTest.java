package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameSuggestionsTest {

    @Test
    void closestFirstAndOnlyPlausibleOnes() {
        List<String> names = List.of("run", "chat", "chain", "vault", "models");

        assertThat(NameSuggestions.closest("chian", names, 3)).containsExactly("chain", "chat");
        assertThat(NameSuggestions.closest("xyzzy", names, 3)).isEmpty();
    }

    @Test
    void aNameContainingTheTypedOneIsCloseButNotANameOfALetterOrTwo() {
        List<String> names = List.of("priced/p", "p", "gpt-4o-mini", "o1");

        assertThat(NameSuggestions.closest("4o-mini", names, 3)).containsExactly("gpt-4o-mini");
        assertThat(NameSuggestions.closest("nope", names, 3)).isEmpty();
    }

    @Test
    void phrasing() {
        assertThat(NameSuggestions.didYouMean(List.of("a"))).isEqualTo("did you mean 'a'?");
        assertThat(NameSuggestions.didYouMean(List.of("a", "b", "c"))).isEqualTo("did you mean 'a', 'b' or 'c'?");
        assertThat(NameSuggestions.didYouMean(List.of())).isEmpty();
    }

    @Test
    void editDistance() {
        assertThat(NameSuggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(NameSuggestions.distance("", "abc")).isEqualTo(3);
    }
}
