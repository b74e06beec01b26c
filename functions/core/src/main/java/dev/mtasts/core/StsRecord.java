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
        extensions.forEach((k, v) -> {
            if (k.equals("id") || TxtRecord.extensionProblem(k + "=" + v) != null) {
                throw new IllegalArgumentException("invalid extension: " + k + "=" + v);
            }
        });
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
        return id != null && !id.isEmpty() && id.length() <= 32 && id.chars().allMatch(TxtRecord::isAlnum);
    }

    /**
     * Parses one record value (its strings already joined) exactly by the §3.1 grammar: the first {@code id} is the
     * policy's; a later one, like any other field, must still be a field of the grammar (an extension at least).
     */
    public static StsRecord parse(String text) throws InvalidException {
        List<String> fields = TxtRecord.fields(text, VERSION, "an MTA-STS record");
        String id = null;
        boolean idSeen = false;
        Map<String, String> extensions = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (String field : fields) {
            if (field.startsWith("id=") && !idSeen) {
                idSeen = true;
                String value = field.substring(3);
                if (isValidId(value)) {
                    id = value;
                } else {
                    problems.add(Problem.whole("id must be 1 to 32 letters or digits (got \"" + value + "\")"));
                }
                continue;
            }
            String problem = TxtRecord.extensionProblem(field);
            if (problem != null) {
                problems.add(Problem.whole(problem + (field.startsWith("id=") ? " (a repeated id is ignored, but must"
                        + " still be well-formed)" : "")));
            } else if (!field.startsWith("id=")) {
                int eq = field.indexOf('=');
                extensions.putIfAbsent(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        if (!idSeen) {
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
}
