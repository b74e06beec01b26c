package dev.mtasts.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1): {@code v=STSv1; id=<id>}.
 *
 * @param extensions extension fields, which senders ignore
 */
public record StsRecord(String id, Map<String, String> extensions) {

    static final String VERSION = "v=STSv1";

    public StsRecord {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("invalid policy id: " + id);
        }
        extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    public StsRecord(String id) {
        this(id, Map.of());
    }

    /** The record that announces this policy. */
    public static StsRecord of(Policy policy) {
        return new StsRecord(policy.id());
    }

    /** The record value as we publish it. */
    public String render() {
        StringBuilder b = new StringBuilder(VERSION).append("; id=").append(id);
        extensions.forEach((k, v) -> b.append("; ").append(k).append('=').append(v));
        return b.toString();
    }

    /** §3.1 sts-id: 1 to 32 letters or digits. */
    public static boolean isValidId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 32 && id.chars().allMatch(StsRecord::isAlnum);
    }

    /** Parses one record value (its strings already joined) by the §3.1 grammar. */
    public static StsRecord parse(String text) throws InvalidException {
        List<String> fields = TxtRecord.fields(text);
        if (!fields.get(0).equals(VERSION) || !text.startsWith(VERSION)) {
            throw new InvalidException("an MTA-STS record starts with \"v=STSv1\" (case-sensitive)");
        }
        String id = null;
        Map<String, String> extensions = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (String field : fields.subList(1, fields.size())) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                problems.add(Problem.whole("expected \"name=value\" (got \"" + field + "\")"));
                continue;
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("id")) {
                if (id != null) {
                    continue; // the first id wins; a repeat is ignored whatever it holds
                }
                if (!isValidId(value)) {
                    problems.add(Problem.whole("id must be 1 to 32 letters or digits (got \"" + value + "\")"));
                } else {
                    id = value;
                }
            } else if (!isExtensionName(name) || !isExtensionValue(value)) {
                problems.add(Problem.whole("invalid extension \"" + field + "\""));
            } else {
                extensions.putIfAbsent(name, value);
            }
        }
        if (id == null && problems.isEmpty()) {
            problems.add(Problem.whole("the record has no id"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return new StsRecord(id, extensions);
    }

    /**
     * What a sender makes of all TXT records at {@code _mta-sts.<domain>}, each given as its list of strings:
     * records not beginning with {@code v=STSv1;} are discarded; none left, or more than one, means no policy.
     */
    public static Optional<StsRecord> discover(List<List<String>> txtRecords) throws InvalidException {
        Optional<String> only = TxtRecord.onlyRecord(txtRecords, VERSION, "no policy");
        return only.isEmpty() ? Optional.empty() : Optional.of(parse(only.get()));
    }

    static boolean isExtensionName(String name) {
        if (name.isEmpty() || name.length() > 32 || !isAlnum(name.charAt(0))) {
            return false;
        }
        return name.chars().allMatch(c -> isAlnum(c) || c == '_' || c == '-' || c == '.');
    }

    /** sts-ext-value: printable ASCII except '=', ';' and space. */
    static boolean isExtensionValue(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != '=' && c != ';');
    }

    private static boolean isAlnum(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
