package dev.mtasts.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How a TXT value is written for DNS: one or more quoted strings of at most 255 characters each. */
public final class TxtRecord {
    private static final int MAX_STRING = 255;

    private TxtRecord() {
    }

    /** {@code v=STSv1; id=abc} becomes {@code "v=STSv1; id=abc"}; longer values are split, quotes and backslashes escaped. */
    public static String quote(String value) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < value.length(); i += MAX_STRING) {
            parts.add(value.substring(i, Math.min(value.length(), i + MAX_STRING)));
        }
        if (parts.isEmpty()) {
            parts.add("");
        }
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append('"').append(part.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.toString();
    }

    /** A record split into several strings is read as their concatenation, without spaces (RFC 8461 §3.1). */
    public static String join(List<String> strings) {
        return String.join("", strings);
    }

    /**
     * The one record among all TXT records at a name (each as its list of strings) that begins with the version
     * tag; the others are discarded. None gives empty; more than one is an error, which senders read as
     * {@code meaning} (RFC 8461 §3.1, RFC 8460 §3).
     */
    static Optional<String> onlyRecord(List<List<String>> txtRecords, String version, String meaning)
            throws InvalidException {
        List<String> candidates = new ArrayList<>();
        for (List<String> strings : txtRecords) {
            String value = join(strings);
            if (beginsWithVersion(value, version)) {
                candidates.add(value);
            }
        }
        if (candidates.size() > 1) {
            throw new InvalidException(candidates.size() + " records start with " + version
                    + "; senders treat that as " + meaning);
        }
        return candidates.stream().findFirst();
    }

    /**
     * Whether a record begins with {@code version *WSP ";"}: RFC 8461 §3.1 and RFC 8460 §3 discard every other
     * record before counting, so {@code v=STSv10;…} or a bare {@code v=STSv1} does not make a second candidate.
     */
    static boolean beginsWithVersion(String value, String version) {
        if (!value.startsWith(version)) {
            return false;
        }
        int i = version.length();
        while (i < value.length() && isWsp(value.charAt(i))) {
            i++;
        }
        return i < value.length() && value.charAt(i) == ';';
    }

    /**
     * The fields of a record by the shape RFC 8461 §3.1 and RFC 8460 §3 share, {@code version 1*(field-delim field)
     * [field-delim]} with {@code field-delim = *WSP ";" *WSP} and WSP a space or a tab (RFC 5234): each field without
     * the white space around it, in order; none for a record that is only its version. What a field may hold is the
     * caller's rule; a field holds no ';', since neither grammar allows one in a value.
     *
     * @param record how messages name the record, e.g. "an MTA-STS record"
     */
    static List<String> fields(String text, String version, String record) throws InvalidException {
        if (text.startsWith(version)) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                    throw new InvalidException(UriSyntax.describe(c) + " at position " + (i + 1) + " is not allowed: "
                            + record + " holds printable ASCII, and spaces or tabs only around \";\"");
                }
            }
        }
        if (!text.startsWith(version) || (text.length() > version.length() && !isWsp(text.charAt(version.length()))
                && text.charAt(version.length()) != ';')) {
            String got = text.length() <= version.length() + 8 ? text : text.substring(0, version.length() + 8) + "...";
            throw new InvalidException(record + " starts with \"" + version + "\" (case-sensitive), then \";\" (got \""
                    + got.replaceAll("[^\\x20-\\x7e]", "?") + "\")");
        }
        String[] parts = text.substring(version.length()).split(";", -1);
        if (!isAllWsp(parts[0])) {
            throw new InvalidException("expected \";\" after \"" + version + "\" (got \"" + version + parts[0] + "\")");
        }
        List<String> fields = new ArrayList<>();
        int position = version.length() + parts[0].length() + 1; // 0-based index of the first character after ';'
        for (int p = 1; p < parts.length; p++) {
            String part = parts[p];
            boolean last = p == parts.length - 1;
            if (isAllWsp(part)) {
                if (!last) {
                    throw new InvalidException("empty field: \";\" at position " + (position + part.length() + 1)
                            + " follows another \";\" with no field between them");
                }
            } else if (last && isWsp(part.charAt(part.length() - 1))) {
                throw new InvalidException("white space after the last field \"" + stripWsp(part) + "\": "
                        + record + " ends with a field or with \";\"");
            } else {
                fields.add(stripWsp(part));
            }
            position += part.length() + 1;
        }
        return fields;
    }

    /**
     * RFC 8461 §3.1 {@code sts-ext-name} and RFC 8460 §3 {@code tlsrpt-ext-name}:
     * {@code (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")}.
     */
    static boolean isExtensionName(String name) {
        if (name.isEmpty() || name.length() > 32 || !isAlnum(name.charAt(0))) {
            return false;
        }
        return name.chars().allMatch(c -> isAlnum(c) || c == '_' || c == '-' || c == '.');
    }

    /** {@code sts-ext-value} and {@code tlsrpt-ext-value}: {@code 1*(%x21-3A / %x3C / %x3E-7E)}. */
    static boolean isExtensionValue(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != '=' && c != ';');
    }

    /** Why {@code name=value} is not an extension field of either record, or null. */
    static String extensionProblem(String field) {
        int eq = field.indexOf('=');
        if (eq < 0) {
            return "expected \"name=value\" (got \"" + field + "\")";
        }
        String name = field.substring(0, eq);
        String value = field.substring(eq + 1);
        if (!isExtensionName(name)) {
            return "invalid extension \"" + field + "\": a name is a letter or digit, then up to 31 letters, digits,"
                    + " '_', '-' or '.'";
        }
        if (!isExtensionValue(value)) {
            return "invalid extension \"" + field + "\": a value is one or more printable characters other than"
                    + " '=', ';' and space";
        }
        return null;
    }

    static boolean isAlnum(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isAllWsp(String s) {
        return s.chars().allMatch(c -> isWsp((char) c));
    }

    static String stripWsp(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isWsp(s.charAt(b))) {
            b++;
        }
        while (e > b && isWsp(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }
}
