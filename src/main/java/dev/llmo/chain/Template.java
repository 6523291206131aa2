package dev.llmo.chain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A prompt template with {@code {{name}}} placeholders (spaces inside the braces are allowed). Immutable. */
public record Template(String source) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    /** The names used, in order of first use. */
    public Set<String> variables() {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = PLACEHOLDER.matcher(source);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The text with every placeholder replaced; a name without a value is an error (validation prevents it). */
    public String render(Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(source);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for {{" + matcher.group(1) + "}}");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static List<String> unknown(Set<String> used, Set<String> known) {
        List<String> unknown = new ArrayList<>();
        for (String name : used) {
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }
}
