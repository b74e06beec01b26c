package dev.mtasts.core;

import java.util.List;
import java.util.Locale;

/**
 * The field names of RFC 8461 §3.2, and which of them an unknown name was probably meant to be. Senders ignore an
 * unknown field, so {@code mdoe: enforce} silently leaves a policy without the mode its author wrote.
 */
final class FieldNames {
    static final List<String> ALL = List.of("version", "mode", "mx", "max_age");

    private FieldNames() {
    }

    /**
     * The field {@code name} is likely a misspelling of: the same name in another case or with '-' for '_', or one
     * edit away (a letter added, dropped, changed, or two swapped), two for the longer names. Null when none is close.
     */
    static String likelyMeant(String name) {
        String folded = name.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String field : ALL) {
            if (field.equals(name)) {
                return null;
            }
            int d = distance(folded, field);
            int allowed = field.length() >= 5 ? 2 : 1;
            if (d <= allowed && d < bestDistance) {
                best = field;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
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
}
