package dev.mtasts.resolver;

import java.util.ArrayList;
import java.util.List;

/**
 * How Postfix's SMTP client reads a TLS policy table answer (smtp_tls_policy.c, Postfix 3.10): tokens separated by
 * white space or commas, except inside balanced {@code { }}; the first is the security level, each other a
 * {@code name=value}, or {@code { name = value }} with white space trimmed and runs of it made one space. A test's
 * model of the peer, to check that no policy host can make an answer say more than the resolver meant.
 */
record PostfixPolicy(String level, List<Attribute> attributes) {
    record Attribute(String name, String value) {
    }

    static final String SEPARATORS = ", \t\r\n";

    static PostfixPolicy read(String answer) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < answer.length()) {
            while (i < answer.length() && SEPARATORS.indexOf(answer.charAt(i)) >= 0) {
                i++;
            }
            if (i == answer.length()) {
                break;
            }
            int start = i;
            int level = 0;
            for (; i < answer.length(); i++) {
                char c = answer.charAt(i);
                if (c == '{') {
                    level++;
                } else if (level > 0 && c == '}') {
                    level--;
                } else if (level == 0 && SEPARATORS.indexOf(c) >= 0) {
                    break;
                }
            }
            tokens.add(answer.substring(start, i));
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("invalid empty policy");
        }
        List<Attribute> attributes = new ArrayList<>();
        for (String t : tokens.subList(1, tokens.size())) {
            String pair = t;
            if (t.startsWith("{")) {
                if (!t.endsWith("}") || balanced(t) != t.length()) {
                    throw new IllegalArgumentException("malformed attribute/value pair \"" + t + "\"");
                }
                pair = t.substring(1, t.length() - 1).strip().replaceAll("\\s+", " ");
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
            if (eq < 0 || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("malformed attribute/value pair \"" + t + "\"");
            }
            attributes.add(new Attribute(name, pair.substring(eq + 1).strip()));
        }
        return new PostfixPolicy(tokens.get(0), attributes);
    }

    /** Where the brace opened at 0 closes, plus one; 0 when it does not. */
    private static int balanced(String t) {
        int level = 0;
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) == '{') {
                level++;
            } else if (t.charAt(i) == '}' && --level == 0) {
                return i + 1;
            }
        }
        return 0;
    }

    List<String> values(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).map(Attribute::value).toList();
    }

    List<String> names() {
        return attributes.stream().map(Attribute::name).distinct().toList();
    }
}
