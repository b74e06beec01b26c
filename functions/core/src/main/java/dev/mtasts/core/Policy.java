package dev.mtasts.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An MTA-STS policy (RFC 8461 §3.2): what {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} serves.
 *
 * <p>Only valid policies can be constructed. {@link #render()} gives the canonical body we serve and {@link #id()}
 * the id we announce, derived from that body so the same policy always has the same id and any change a new one.
 *
 * @param extensions extension fields in file order, kept so that linting and re-rendering lose nothing
 */
public record Policy(Mode mode, List<MxPattern> mx, long maxAge, Map<String, String> extensions) {

    /** §3.2: max_age is at most one year. */
    public static final long MAX_AGE_LIMIT = 31_557_600L;
    /**
     * §3.3: policy hosts SHOULD keep the body small; strict senders (mox, postfix-tlspol, postfix-mta-sts-resolver)
     * refuse a body above 64 KiB, so a larger policy is invalid here rather than a policy some senders never read.
     */
    public static final int MAX_BYTES = 64 * 1024;

    private static final String CRLF = "\r\n";

    public Policy {
        mx = List.copyOf(mx);
        extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
        if (maxAge < 0 || maxAge > MAX_AGE_LIMIT) {
            throw new IllegalArgumentException("max_age out of range: " + maxAge);
        }
        if (mode != Mode.NONE && mx.isEmpty()) {
            throw new IllegalArgumentException(needsMx(mode));
        }
        for (Map.Entry<String, String> e : extensions.entrySet()) {
            String key = e.getKey();
            if (FieldNames.ALL.contains(key) || !Parser.isFieldName(key) || Parser.extensionProblem(key, e.getValue()) != null) {
                throw new IllegalArgumentException("invalid extension field: " + key);
            }
        }
        int bytes = bytes(render(mode, mx, maxAge, extensions));
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(tooLarge(bytes));
        }
    }

    /** §3.2: mx is required unless the mode is none. */
    static String needsMx(Mode mode) {
        return "mode " + mode + " needs at least one mx pattern";
    }

    /** §3.3, see {@link #MAX_BYTES}. */
    static String tooLarge(int bytes) {
        return "the policy is " + bytes + " bytes as served; senders refuse bodies over " + MAX_BYTES
                + " bytes (64 KiB): use fewer mx patterns, or wildcards such as \"*.example.net\"";
    }

    public Policy(Mode mode, List<MxPattern> mx, long maxAge) {
        this(mode, mx, maxAge, Map.of());
    }

    /**
     * Builds a policy from separate field values, as held in a domain row or given on a command line. Each value is
     * checked by the same rule as in a policy file; all problems are reported, each prefixed with its field name.
     */
    public static Policy of(String mode, List<String> mx, String maxAge) throws InvalidException {
        List<Problem> problems = new ArrayList<>();
        Mode m = null;
        if (mode == null) {
            problems.add(Problem.whole("mode is missing"));
        } else {
            try {
                m = Mode.parse(mode);
            } catch (InvalidException e) {
                problems.add(Problem.whole(e.getMessage()));
            }
        }
        List<MxPattern> patterns = new ArrayList<>();
        for (int i = 0; mx != null && i < mx.size(); i++) {
            try {
                patterns.add(MxPattern.parse(mx.get(i)));
            } catch (InvalidException e) {
                problems.add(Problem.whole("mx[" + i + "]: " + e.getMessage()));
            }
        }
        long age = -1;
        if (maxAge == null) {
            problems.add(Problem.whole("max_age is missing"));
        } else {
            try {
                age = parseMaxAge(maxAge);
            } catch (InvalidException e) {
                problems.add(Problem.whole(e.getMessage()));
            }
        }
        if (m != null && m != Mode.NONE && (mx == null || mx.isEmpty())) {
            problems.add(Problem.whole(needsMx(m)));
        }
        if (problems.isEmpty()) {
            int bytes = bytes(render(m, patterns, age, Map.of()));
            if (bytes > MAX_BYTES) {
                problems.add(Problem.whole(tooLarge(bytes)));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidException(problems);
        }
        return new Policy(m, patterns, age);
    }

    /**
     * Parses a policy file strictly by the §3.2 grammar (with errata 6253: LF or CRLF). Every problem is reported
     * with its line number.
     */
    public static Policy parse(String text) throws InvalidException {
        return new Parser(text).parse();
    }

    /** The canonical body: CRLF line endings; version, mode, mx…, max_age, then any extensions. */
    public String render() {
        return render(mode, mx, maxAge, extensions);
    }

    private static String render(Mode mode, List<MxPattern> mx, long maxAge, Map<String, String> extensions) {
        StringBuilder b = new StringBuilder(64 + 32 * mx.size());
        b.append("version: STSv1").append(CRLF);
        b.append("mode: ").append(mode.text()).append(CRLF);
        for (MxPattern p : mx) {
            b.append("mx: ").append(p.value()).append(CRLF);
        }
        b.append("max_age: ").append(maxAge).append(CRLF);
        extensions.forEach((k, v) -> b.append(k).append(": ").append(v).append(CRLF));
        return b.toString();
    }

    /**
     * The policy id for the {@code _mta-sts} TXT record (§3.1: 1 to 32 letters or digits): the first 128 bits of
     * the SHA-256 of the canonical body without extensions, in lower-case hex. Senders ignore extensions and domain
     * rows cannot hold them, so they do not change the id: a linted file and the same row announce the same one.
     */
    public String id() {
        String core = extensions.isEmpty() ? render() : new Policy(mode, mx, maxAge).render();
        return Sha256.hex(core).substring(0, 32);
    }

    /**
     * Advice on a policy text, valid or not, about lines senders ignore: a repeated field (the first one is used),
     * a repeated mx pattern, an unknown field whose name looks like a misspelt one. Each starts with its line.
     */
    public static List<Problem> warnings(String text) {
        Parser p = new Parser(text);
        p.read();
        return List.copyOf(p.warnings);
    }

    /** The given MX hosts that no pattern of this policy matches (§4.1); empty when all are covered. */
    public List<String> uncovered(List<String> mxHosts) {
        List<String> missing = new ArrayList<>();
        for (String host : mxHosts) {
            if (mx.stream().noneMatch(p -> p.matches(host))) {
                missing.add(host);
            }
        }
        return missing;
    }

    /** §3.2 {@code 1*10(DIGIT)} (erratum 7282), at most one year. */
    static long parseMaxAge(String text) throws InvalidException {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidException("max_age must be a whole number of seconds, 0 to " + MAX_AGE_LIMIT
                    + ", at most 10 digits (got \"" + text + "\")");
        }
        long v = Long.parseLong(text);
        if (v > MAX_AGE_LIMIT) {
            throw new InvalidException("max_age must be at most " + MAX_AGE_LIMIT + " (one year) (got " + text + ")");
        }
        return v;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** One pass over the lines; the first occurrence of a field wins, {@code mx} accumulates. */
    private static final class Parser {
        private final String text;
        private final List<Problem> problems = new ArrayList<>();
        private final List<Problem> warnings = new ArrayList<>();
        private final Map<String, Integer> firstLine = new HashMap<>();
        private final Map<String, Integer> mxLine = new HashMap<>();
        private String version;
        private Mode mode;
        private Long maxAge;
        private final List<MxPattern> mx = new ArrayList<>();
        private final Map<String, String> extensions = new LinkedHashMap<>();

        Parser(String text) {
            this.text = text;
        }

        Policy parse() throws InvalidException {
            read();
            if (!problems.isEmpty()) {
                throw new InvalidException(problems);
            }
            return new Policy(mode, mx, maxAge, extensions);
        }

        void read() {
            if (text.isEmpty()) {
                problems.add(Problem.whole("the policy is empty"));
                return;
            }
            int lineNo = 0;
            int start = 0;
            while (start < text.length()) {
                lineNo++;
                int lf = text.indexOf('\n', start);
                int end = lf < 0 ? text.length() : lf;
                String line = text.substring(start, end);
                if (lf >= 0 && line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                field(lineNo, line);
                start = end + 1;
            }
            requireField("version");
            requireField("mode");
            requireField("max_age");
            if (mode != null && mode != Mode.NONE && mx.isEmpty() && !firstLine.containsKey("mx")) {
                problems.add(Problem.whole(needsMx(mode) + typoHint("mx").orElse("")));
            }
            misspeltFields();
            int bytes = bytes(text);
            if (bytes > MAX_BYTES) {
                problems.add(Problem.whole("the policy is " + bytes + " bytes; senders refuse bodies over "
                        + MAX_BYTES + " bytes (64 KiB)"));
            } else if (problems.isEmpty()) {
                int served = bytes(render(mode, mx, maxAge, extensions));
                if (served > MAX_BYTES) {
                    problems.add(Problem.whole("the policy is " + bytes + " bytes, but " + served + " in the"
                            + " canonical form this stack serves (CRLF line ends, one space after each ':');"
                            + " senders refuse bodies over " + MAX_BYTES + " bytes (64 KiB)"));
                }
            }
        }

        /** A field whose first line was invalid has been reported there already. */
        private void requireField(String name) {
            if (!firstLine.containsKey(name)) {
                problems.add(Problem.whole("missing required field \"" + name + ":\"" + typoHint(name).orElse("")));
            }
        }

        /** Why the user may not have got a field they meant to write: its name in another case, or misspelt. */
        private Optional<String> typoHint(String field) {
            for (String k : extensions.keySet()) {
                if (k.equalsIgnoreCase(field)) {
                    return Optional.of(" (found \"" + k + ":\"; field names are case-sensitive)");
                }
            }
            return extensions.keySet().stream()
                    .filter(k -> field.equals(FieldNames.likelyMeant(k)))
                    .findFirst()
                    .map(k -> " (line " + firstLine.get(k) + " has \"" + k + ":\", which may be a typo of \""
                            + field + ":\")");
        }

        /** An unknown field that looks like a known one is ignored by senders: say so unless it is missing. */
        private void misspeltFields() {
            for (String k : extensions.keySet()) {
                String meant = FieldNames.likelyMeant(k);
                if (meant == null) {
                    continue;
                }
                boolean reportedAsMissing = meant.equals("mx")
                        ? mode != null && mode != Mode.NONE && mx.isEmpty() && !firstLine.containsKey("mx")
                        : !firstLine.containsKey(meant);
                if (!reportedAsMissing) {
                    warnings.add(Problem.at(firstLine.get(k), "unknown field \"" + k + ":\" may be a typo of \""
                            + meant + ":\"; senders ignore it"));
                }
            }
            warnings.sort(java.util.Comparator.comparingInt(Problem::line));
        }

        private void field(int n, String line) {
            int c = line.indexOf(':');
            if (c > 0) {
                // whatever else is wrong with the line, it names this field: do not also call the field missing
                String named = line.substring(0, c).replace("\uFEFF", "").strip();
                if (!named.isEmpty() && !named.equals("mx")) {
                    firstLine.putIfAbsent(named, n);
                }
            }
            if (line.isEmpty()) {
                problems.add(Problem.at(n, "blank lines are not allowed"));
                return;
            }
            if (line.indexOf('\r') >= 0) {
                problems.add(Problem.at(n, "bare CR; lines end with LF or CRLF"));
                return;
            }
            if (n == 1 && line.charAt(0) == '\uFEFF') {
                problems.add(Problem.at(n, "byte-order mark at the start of the file; save it as plain ASCII"));
                return;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add(Problem.at(n, "expected \"name: value\" (got \"" + shorten(line) + "\")"));
                return;
            }
            String name = line.substring(0, colon);
            if (name.isEmpty() || isWsp(name.charAt(0))) {
                problems.add(Problem.at(n, "a line must start with a field name"));
                return;
            }
            if (isWsp(name.charAt(name.length() - 1))) {
                problems.add(Problem.at(n, "no white space allowed before ':' (\"" + name.strip() + ":\")"));
                return;
            }
            if (!isFieldName(name)) {
                problems.add(Problem.at(n, "\"" + shorten(name) + "\" is not a valid field name"
                        + " (letters, digits, '_', '-', '.', at most 32, starting with a letter or digit)"));
                return;
            }
            String value = stripWsp(line.substring(colon + 1));
            Integer seen = firstLine.putIfAbsent(name, n);
            if (seen != null && seen != n && !name.equals("mx")) {
                // §3.2: the first occurrence is used; a later one is still a line of the grammar, at least an extension
                String problem = extensionProblem(name, value);
                if (problem != null) {
                    problems.add(Problem.at(n, problem + " (a repeated field is ignored, but must still be"
                            + " well-formed)"));
                } else {
                    warnings.add(Problem.at(n, "\"" + name + ":\" repeats line " + seen
                            + "; senders use the first and ignore this one"));
                }
                return;
            }
            try {
                switch (name) {
                    case "version" -> {
                        if (!value.equals("STSv1")) {
                            throw new InvalidException("version must be STSv1 (got \"" + shorten(value) + "\")");
                        }
                        version = value;
                    }
                    case "mode" -> mode = Mode.parse(value);
                    case "max_age" -> maxAge = parseMaxAge(value);
                    case "mx" -> {
                        MxPattern p = MxPattern.parse(value);
                        Integer first = mxLine.putIfAbsent(p.value(), n);
                        if (first != null) {
                            warnings.add(Problem.at(n, "mx pattern \"" + p.value() + "\" repeats line " + first));
                        }
                        mx.add(p);
                    }
                    default -> {
                        String problem = extensionProblem(name, value);
                        if (problem != null) {
                            throw new InvalidException(problem);
                        }
                        extensions.put(name, value);
                    }
                }
            } catch (InvalidException e) {
                problems.add(Problem.at(n, e.getMessage()));
            }
        }

        /** §3.2 sts-policy-ext-value: visible characters (UTF-8 allowed) with single spaces between them. */
        static String extensionProblem(String name, String value) {
            if (value.isEmpty()) {
                return "\"" + name + ":\" has no value";
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    return String.format("control character U+%04X in the value of \"%s:\"", (int) c, name);
                }
            }
            return null;
        }

        static boolean isFieldName(String name) {
            if (name.length() > 32 || !Character.isLetterOrDigit(name.charAt(0)) || name.charAt(0) > 0x7f) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '_' || c == '-' || c == '.';
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isWsp(char c) {
            return c == ' ' || c == '\t';
        }

        private static String stripWsp(String s) {
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

        private static String shorten(String s) {
            return s.length() <= 60 ? s : s.substring(0, 57) + "...";
        }
    }
}
