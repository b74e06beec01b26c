package dev.mtasts.core;

/**
 * Text a client sent, quoted inside one of our answers or log lines: at most {@link #MAX} characters, on one line,
 * so a 60 kB header or a string with line breaks cannot make an answer long or split it.
 */
public final class Quote {
    /** Characters of client input an answer repeats. */
    public static final int MAX = 100;

    private Quote() {
    }

    /** {@code "abc"}; longer input is cut and ends in {@code …}; control characters become {@code ?}. */
    public static String of(String s) {
        return s == null ? "(none)" : "\"" + cut(s, MAX) + "\"";
    }

    /** The first {@code max} characters on one line, {@code …} marking a cut. */
    public static String cut(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 1);
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        if (s.length() > max) {
            if (Character.isHighSurrogate(b.charAt(b.length() - 1))) {
                b.setLength(b.length() - 1); // never half a character
            }
            b.append('…');
        }
        return b.toString();
    }
}
