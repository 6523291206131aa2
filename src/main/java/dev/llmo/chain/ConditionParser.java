package dev.llmo.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses chain conditions. Grammar (not binds tighter than and, and tighter than or):
 * <pre>
 *   or      := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | "(" or ")" | NAME ("contains" | "matches") STRING
 *   STRING  := 'text' or "text" (a doubled quote inside stands for one)
 * </pre>
 */
public final class ConditionParser {
    private final String source;
    private final List<String> tokens;
    private int position;

    private ConditionParser(String source) {
        this.source = source;
        this.tokens = tokenize(source);
    }

    /** The condition, or an {@link IllegalArgumentException} whose message says what is wrong. */
    public static Condition parse(String source) {
        ConditionParser parser = new ConditionParser(source);
        if (parser.tokens.isEmpty()) {
            throw new IllegalArgumentException("empty condition");
        }
        Condition condition = parser.or();
        if (parser.position < parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.position) + "' in condition \""
                    + source + "\"");
        }
        return condition;
    }

    private Condition or() {
        Condition left = and();
        while (accept("or")) {
            left = new Condition.Or(left, and());
        }
        return left;
    }

    private Condition and() {
        Condition left = unary();
        while (accept("and")) {
            left = new Condition.And(left, unary());
        }
        return left;
    }

    private Condition unary() {
        if (accept("not")) {
            return new Condition.Not(unary());
        }
        if (accept("(")) {
            Condition inner = or();
            expect(")");
            return inner;
        }
        String name = next("a variable name such as output");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("expected a variable name in condition \"" + source + "\", found '"
                    + name + "'");
        }
        String operator = next("'contains' or 'matches'");
        String text = string();
        switch (operator) {
            case "contains":
                return new Condition.Contains(name, text);
            case "matches":
                try {
                    return new Condition.Matches(name, Pattern.compile(text));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad regex '" + text + "': " + e.getDescription());
                }
            default:
                throw new IllegalArgumentException("expected 'contains' or 'matches' after '" + name
                        + "' in condition \"" + source + "\", found '" + operator + "'");
        }
    }

    private String string() {
        String token = next("a quoted text");
        if (token.length() < 2 || !(token.startsWith("'") || token.startsWith("\""))) {
            throw new IllegalArgumentException("expected a quoted text such as 'done' in condition \"" + source
                    + "\", found '" + token + "'");
        }
        char quote = token.charAt(0);
        return token.substring(1, token.length() - 1).replace("" + quote + quote, "" + quote);
    }

    private boolean accept(String keyword) {
        if (position < tokens.size() && tokens.get(position).equals(keyword)) {
            position++;
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw new IllegalArgumentException("missing '" + token + "' in condition \"" + source + "\"");
        }
    }

    private String next(String what) {
        if (position >= tokens.size()) {
            throw new IllegalArgumentException("condition \"" + source + "\" ends where " + what + " should be");
        }
        return tokens.get(position++);
    }

    private static List<String> tokenize(String source) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (c == '\'' || c == '"') {
                int end = i + 1;
                while (true) {
                    if (end >= source.length()) {
                        throw new IllegalArgumentException("unclosed quote in condition \"" + source + "\"");
                    }
                    if (source.charAt(end) == c) {
                        if (end + 1 < source.length() && source.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                tokens.add(source.substring(i, end + 1));
                i = end + 1;
            } else {
                int end = i;
                while (end < source.length() && !Character.isWhitespace(source.charAt(end))
                        && "()'\"".indexOf(source.charAt(end)) < 0) {
                    end++;
                }
                tokens.add(source.substring(i, end));
                i = end;
            }
        }
        return tokens;
    }
}
