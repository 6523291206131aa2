package dev.llmo.chain;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chain condition ({@code when:}, {@code repeat.until:}): {@code X contains 'text'}, {@code X matches 'regex'},
 * {@code not C}, {@code C and C}, {@code C or C} and parentheses, where X names a chain variable. Immutable.
 */
public sealed interface Condition {

    boolean test(Map<String, String> variables);

    /** Every variable the condition reads, to validate it against the chain. */
    Set<String> variables();

    record Contains(String variable, String text) implements Condition {
        @Override
        public boolean test(Map<String, String> variables) {
            return variables.getOrDefault(variable, "").contains(text);
        }

        @Override
        public Set<String> variables() {
            return Set.of(variable);
        }
    }

    /** {@code find} semantics: the regex matches somewhere in the value (anchor with ^ and $ for all of it). */
    record Matches(String variable, Pattern pattern) implements Condition {
        @Override
        public boolean test(Map<String, String> variables) {
            return pattern.matcher(variables.getOrDefault(variable, "")).find();
        }

        @Override
        public Set<String> variables() {
            return Set.of(variable);
        }
    }

    record Not(Condition inner) implements Condition {
        @Override
        public boolean test(Map<String, String> variables) {
            return !inner.test(variables);
        }

        @Override
        public Set<String> variables() {
            return inner.variables();
        }
    }

    record And(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(Map<String, String> variables) {
            return left.test(variables) && right.test(variables);
        }

        @Override
        public Set<String> variables() {
            return union(left, right);
        }
    }

    record Or(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(Map<String, String> variables) {
            return left.test(variables) || right.test(variables);
        }

        @Override
        public Set<String> variables() {
            return union(left, right);
        }
    }

    private static Set<String> union(Condition a, Condition b) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(a.variables());
        all.addAll(b.variables());
        return all;
    }
}
