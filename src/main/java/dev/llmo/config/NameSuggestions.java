package dev.llmo.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Finds the names closest to a mistyped one (Damerau-free Levenshtein distance, case-insensitive). */
public final class NameSuggestions {
    private NameSuggestions() {
    }

    /** Up to {@code limit} candidates close enough to {@code wrong} to be a likely typo, closest first. */
    public static List<String> closest(String wrong, Collection<String> candidates, int limit) {
        String needle = wrong.toLowerCase(Locale.ROOT);
        int tolerance = Math.max(2, needle.length() / 3);
        return candidates.stream()
                .distinct()
                .map(c -> new Scored(c, score(needle, c.toLowerCase(Locale.ROOT)),
                        distance(needle, c.toLowerCase(Locale.ROOT))))
                .filter(s -> s.score <= tolerance)
                .sorted(Comparator.comparingInt(Scored::score).thenComparingInt(Scored::distance)
                        .thenComparing(Scored::name))
                .limit(limit)
                .map(Scored::name)
                .toList();
    }

    /**
     * The one of {@code known} that {@code key} is a misspelling of (a few edits away, case-insensitive), if any.
     * Stricter than {@link #closest}: it is for keys where anything unknown is also allowed (a model's request
     * options), so a containing name is no match ({@code max_tokens} is an option, not a typo of
     * {@code default_max_tokens}), nor is a key of under four letters.
     */
    public static java.util.Optional<String> misspelled(String key, Collection<String> known) {
        String needle = key.toLowerCase(Locale.ROOT);
        if (needle.length() < 4) {
            return java.util.Optional.empty();
        }
        int tolerance = Math.max(2, needle.length() / 5);
        return known.stream()
                .filter(k -> !k.equals(key))
                .filter(k -> distance(needle, k.toLowerCase(Locale.ROOT)) <= tolerance)
                .min(Comparator.comparingInt((String k) -> distance(needle, k.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** "did you mean 'a', 'b' or 'c'?" or an empty string. */
    public static String didYouMean(String wrong, Collection<String> candidates) {
        return didYouMean(closest(wrong, candidates, 3));
    }

    /** "did you mean 'a', 'b' or 'c'?" for names already chosen, or an empty string. */
    public static String didYouMean(List<String> names) {
        return didYouMeanShown(names.stream().map(name -> "'" + name + "'").toList());
    }

    /** "did you mean A, B or C?" for suggestions already written as shown (quoted, with any note), or "". */
    public static String didYouMeanShown(List<String> shown) {
        if (shown.isEmpty()) {
            return "";
        }
        if (shown.size() == 1) {
            return "did you mean " + shown.get(0) + "?";
        }
        return "did you mean " + String.join(", ", shown.subList(0, shown.size() - 1)) + " or "
                + shown.get(shown.size() - 1) + "?";
    }

    /**
     * Whether {@code candidate}, one of {@link #closest}'s, is close enough to be offered where a wrong guess costs
     * (a model the user would then pay for): {@code wrong} is part of it, or it is a few typing slips away (a swap
     * of two letters counts as one). Not a short name that {@code wrong} merely contains: {@code one} for
     * {@code sonet}.
     */
    public static boolean likelyTypo(String wrong, String candidate) {
        String needle = wrong.toLowerCase(Locale.ROOT);
        String name = candidate.toLowerCase(Locale.ROOT);
        return needle.length() >= 3 && name.contains(needle)
                || slips(needle, name) <= Math.max(1, needle.length() / 4);
    }

    /** Edits, a swap of two neighbouring letters counting as one (optimal string alignment distance). */
    static int slips(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int score(String needle, String candidate) {
        // A candidate that contains the typed text (or the reverse) is as good as one edit away; not a name of one
        // or two letters, which many an unrelated word contains ('p' in 'nope')
        if (Math.min(needle.length(), candidate.length()) >= 3
                && (candidate.contains(needle) || needle.contains(candidate))) {
            return Math.min(1, distance(needle, candidate));
        }
        return distance(needle, candidate);
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private record Scored(String name, int score, int distance) {
    }
}
