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
     * Whether a record begins with {@code version *WSP ";"}: RFC 8461 §3.1 and RFC 8460 §3 discard every other
     * record before counting, so {@code v=STSv10;…} or a bare {@code v=STSv1} does not make a second candidate.
     */
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

    static boolean beginsWithVersion(String value, String version) {
        if (!value.startsWith(version)) {
            return false;
        }
        int i = version.length();
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
            i++;
        }
        return i < value.length() && value.charAt(i) == ';';
    }

    /** Splits {@code a;b ; c} at {@code *WSP ";" *WSP}, dropping one empty trailing field. */
    static List<String> fields(String text) {
        List<String> out = new ArrayList<>();
        for (String f : text.split(";", -1)) {
            out.add(f.strip());
        }
        if (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
