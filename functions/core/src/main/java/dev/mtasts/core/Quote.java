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

    /**
     * {@code s} for a log line read on a terminal: a backslash doubled, and every character that could end the line,
     * move the cursor, reach the terminal as a command or reorder the text shown written as an escape: {@code \r},
     * {@code \n}, {@code \t}; {@code \x1b} for the other C0 controls and DEL; a backslash, {@code u} and four hex
     * digits for C1 controls, Unicode's line and paragraph separators and its bidirectional controls. Longer than
     * {@code max} characters, it is cut and ends in {@code …}.
     */
    public static String escaped(String s, int max) {
        int end = Math.min(s.length(), max);
        if (end < s.length() && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never half a character
        }
        int first = 0;
        while (first < end && !escapes(s.charAt(first))) {
            first++;
        }
        if (first == s.length()) {
            return s; // nothing to escape or cut: most log lines, each answer's among them
        }
        StringBuilder b = new StringBuilder(end + 8).append(s, 0, first);
        for (int i = first; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else if (escapes(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (end < s.length()) {
            b.append('…');
        }
        return b.toString();
    }

    /** Whether {@link #escaped} writes {@code c} otherwise than as itself. */
    private static boolean escapes(char c) {
        return c < 0x20 || c == '\\' || c == 0x7f || c >= 0x80 && c < 0xa0 || c == '\u2028' || c == '\u2029' || bidi(c);
    }

    /** The marks and embeddings that make a terminal show text in another order than it was written. */
    private static boolean bidi(char c) {
        return c == '\u061c' || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
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
