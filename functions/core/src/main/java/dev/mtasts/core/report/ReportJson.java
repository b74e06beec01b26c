package dev.mtasts.core.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.mtasts.core.DomainName;
import dev.mtasts.core.InvalidException;
import dev.mtasts.core.Quote;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the report JSON (RFC 8460 §4) in one streaming pass, tolerant of what real senders write: absent, null,
 * empty or oddly typed optional fields, {@code mx-host} as a string, dates without a zone, unknown keys. Only
 * {@code policies}, each policy's type and its two counts are required; a problem there names the field.
 */
final class ReportJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // the caller owns the stream
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            // RFC 8460's own Appendix B example breaks a string across lines
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(1 << 20)
                    .maxNumberLength(40)
                    .build())
            .build();
    /** Registered result types as one string each, so a large report holds one copy of each, not one per entry. */
    private static final Map<String, String> REGISTERED_TYPES = ResultTypes.REGISTERED.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(t -> t, t -> t));
    /** Unknown values are kept as JSON text up to this size; the raw report is stored whole elsewhere. */
    private static final int MAX_UNKNOWN_CHARS = 4096;

    private ReportJson() {
    }

    static TlsReport parse(InputStream in) throws ReportException, IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw invalid("", "expected a JSON object" + (first == null ? ", got nothing" : ", got " + describe(first)));
            }
            TlsReport report = report(p);
            if (p.nextToken() != null) {
                throw invalid("", "unexpected data after the report object");
            }
            return report;
        } catch (JsonProcessingException e) {
            throw new ReportException(ReportException.Kind.INVALID, jsonProblem(e));
        }
    }

    /** The parser's complaint in our words: its own messages name its classes and quote long stretches of input. */
    private static String jsonProblem(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "beyond the limits for JSON here: strings up to 1 MB, numbers up to 40 digits, nesting up to 32 levels";
        }
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return "not valid JSON: the input ends inside the report" + where;
        }
        return "not valid JSON: unexpected characters" + where;
    }

    /** The report object; a later null or blank duplicate of report-id does not erase the first. */
    private static TlsReport report(JsonParser p) throws IOException, ReportException {
        String organization = null;
        String reportId = null;
        String contact = null;
        Instant[] range = {null, null};
        List<PolicyResult> policies = null;
        Map<String, String> unknown = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "organization-name" -> organization = text(p);
                case "report-id" -> {
                    String id = text(p);
                    if (id != null) {
                        reportId = id;
                    }
                }
                case "contact-info" -> contact = text(p);
                case "date-range" -> dateRange(p, range);
                case "policies" -> policies = policies(p);
                default -> unknown.put(name, capture(p));
            }
        }
        if (policies == null) {
            throw invalid("policies", "missing");
        }
        return new TlsReport(organization, reportId, range[0], range[1], contact, policies, null, unknown);
    }

    private static void dateRange(JsonParser p, Instant[] range) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "start-datetime" -> range[0] = instant(text(p));
                case "end-datetime" -> range[1] = instant(text(p));
                default -> p.skipChildren();
            }
        }
    }

    private static List<PolicyResult> policies(JsonParser p) throws IOException, ReportException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalid("policies", "expected an array, got " + describe(p.currentToken()));
        }
        List<PolicyResult> out = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String path = "policies[" + i++ + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw invalid(path, "expected an object, got " + describe(p.currentToken()));
            }
            out.add(policy(p, path));
        }
        return out;
    }

    private static PolicyResult policy(JsonParser p, String path) throws IOException, ReportException {
        String type = null;
        List<String> strings = List.of();
        String domain = null;
        List<String> mx = List.of();
        Long successful = null;
        Long failed = null;
        boolean sawPolicy = false;
        boolean sawSummary = false;
        List<FailureDetail> failures = new ArrayList<>();
        Map<String, String> unknown = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "policy" -> {
                    sawPolicy = true;
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw invalid(path + ".policy", "expected an object, got " + describe(p.currentToken()));
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        switch (key) {
                            case "policy-type" -> type = text(p);
                            case "policy-string" -> strings = policyStrings(p);
                            case "policy-domain" -> domain = domain(text(p));
                            case "mx-host" -> mx = strings(p);
                            default -> unknown.put("policy." + key, capture(p));
                        }
                    }
                }
                case "summary" -> {
                    sawSummary = true;
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw invalid(path + ".summary", "expected an object, got " + describe(p.currentToken()));
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        switch (key) {
                            case "total-successful-session-count" -> successful = count(p, path + ".summary." + key);
                            case "total-failure-session-count" -> failed = count(p, path + ".summary." + key);
                            default -> unknown.put("summary." + key, capture(p));
                        }
                    }
                }
                case "failure-details" -> failureDetails(p, failures, path + ".failure-details");
                default -> unknown.put(name, capture(p));
            }
        }
        if (!sawPolicy) {
            throw invalid(path + ".policy", "missing");
        }
        if (type == null) {
            throw invalid(path + ".policy.policy-type", "missing");
        }
        if (!sawSummary) {
            throw invalid(path + ".summary", "missing");
        }
        if (successful == null) {
            throw invalid(path + ".summary.total-successful-session-count", "missing");
        }
        if (failed == null) {
            throw invalid(path + ".summary.total-failure-session-count", "missing");
        }
        return new PolicyResult(type, strings, domain, mx, successful, failed, failures, unknown);
    }

    private static void failureDetails(JsonParser p, List<FailureDetail> out, String path)
            throws IOException, ReportException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int index = i++;
            // spelt out only for a count that is refused: a large report has a hundred thousand entries
            Supplier<String> countPath = () -> path + "[" + index + "].failed-session-count";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            String resultType = null;
            String sendingIp = null;
            String mx = null;
            String helo = null;
            String receivingIp = null;
            Long count = null;
            String info = null;
            String reason = null;
            Map<String, String> unknown = Map.of(); // most entries have no unknown keys: no map for them
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                switch (key) {
                    case "result-type" -> resultType = resultType(text(p));
                    case "sending-mta-ip" -> sendingIp = text(p);
                    // a misspelling seen in real reports
                    case "receiving-mx-hostname", "receiving-mx-host-name" -> mx = text(p);
                    case "receiving-mx-helo" -> helo = text(p);
                    case "receiving-ip" -> receivingIp = text(p);
                    case "failed-session-count" -> count = p.currentToken() == JsonToken.VALUE_STRING
                            ? digits(p.getText(), countPath) : optionalCount(p, countPath);
                    case "additional-information" -> info = text(p);
                    case "failure-reason-code" -> reason = text(p);
                    default -> {
                        if (unknown.isEmpty()) {
                            unknown = new LinkedHashMap<>();
                        }
                        unknown.put(key, capture(p));
                    }
                }
            }
            out.add(new FailureDetail(resultType, sendingIp, mx, helo, receivingIp, count, info, reason, unknown));
        }
    }

    private static String resultType(String type) {
        return type == null ? null : REGISTERED_TYPES.getOrDefault(type, type);
    }

    /** Microsoft writes a TLSA policy-string as one string holding a JSON array; unwrap it. */
    private static List<String> policyStrings(JsonParser p) throws IOException {
        List<String> strings = strings(p);
        if (strings.size() == 1 && strings.get(0).strip().startsWith("[")) {
            try (JsonParser inner = FACTORY.createParser(strings.get(0))) {
                if (inner.nextToken() == JsonToken.START_ARRAY) {
                    List<String> decoded = new ArrayList<>();
                    while (inner.nextToken() == JsonToken.VALUE_STRING) {
                        decoded.add(inner.getText());
                    }
                    if (inner.currentToken() == JsonToken.END_ARRAY && inner.nextToken() == null) {
                        return decoded;
                    }
                }
            } catch (JsonProcessingException e) {
                // not JSON after all: keep the string as it is
            }
        }
        return strings;
    }

    /** A string, or an array of strings; null and empty strings are left out. */
    private static List<String> strings(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        if (p.currentToken() == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String s = text(p);
                if (s != null) {
                    out.add(s);
                }
            }
        } else {
            String s = text(p);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** A scalar as text; null, "" and structures give null. */
    private static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        if (t == null || t == JsonToken.VALUE_NULL) {
            return null;
        }
        String s = p.getText().strip();
        return s.isEmpty() ? null : s;
    }

    private static long count(JsonParser p, String path) throws IOException, ReportException {
        JsonToken t = p.currentToken();
        String got = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getText() : null;
        Long n = optionalCount(p, () -> path);
        if (n == null) {
            throw invalid(path, t == JsonToken.VALUE_NULL ? "missing (null)"
                    : got != null ? "expected a whole number of sessions, 0 or more, got " + got
                    : "expected a number, got " + describe(t));
        }
        return n;
    }

    /** A whole non-negative number; anything else gives null, and a number beyond any real count is refused. */
    private static Long optionalCount(JsonParser p, Supplier<String> path) throws IOException, ReportException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            // what nearly every count is: no BigDecimal for it
            long n = p.getLongValue();
            if (n < 0) {
                return null;
            }
            return n > Limits.MAX_SESSIONS ? bounded(BigDecimal.valueOf(n), path) : n;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            BigDecimal d = p.getDecimalValue();
            if (d.signum() < 0 || d.stripTrailingZeros().scale() > 0) {
                return null;
            }
            return bounded(d, path);
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        }
        return null;
    }

    /** A count some senders write as a string ("3"); anything but digits gives null. */
    private static Long digits(String s, Supplier<String> path) throws ReportException {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 40 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return bounded(new BigDecimal(t), path);
    }

    private static long bounded(BigDecimal count, Supplier<String> path) throws ReportException {
        if (count.compareTo(BigDecimal.valueOf(Limits.MAX_SESSIONS)) > 0) {
            throw invalid(path.get(), Quote.cut(count.toPlainString(), 40) + " sessions is more than any report can count "
                    + "(at most " + String.format(java.util.Locale.ROOT, "%,d", Limits.MAX_SESSIONS) + ")");
        }
        return count.longValueExact();
    }

    private static String domain(String s) {
        if (s == null) {
            return null;
        }
        try {
            return DomainName.parse(s).value();
        } catch (InvalidException e) {
            return null;
        }
    }

    private static final java.util.regex.Pattern LEAP_SECOND = java.util.regex.Pattern.compile(":60(?=[.Zz+-]|$)");
    private static final java.util.regex.Pattern COMPACT_OFFSET = java.util.regex.Pattern.compile("([+-]\\d{2})(\\d{2})$");

    /** RFC 3339; a date-time without zone is UTC (Microsoft), a bare date its start. Unreadable: null. */
    static Instant instant(String raw) {
        if (raw == null) {
            return null;
        }
        Instant utc = plainUtc(raw);
        if (utc != null) {
            return utc;
        }
        String s = raw.length() > 10 && (raw.charAt(10) == ' ' || raw.charAt(10) == 't') ? raw.substring(0, 10) + "T" + raw.substring(11) : raw;
        s = LEAP_SECOND.matcher(s).replaceFirst(":59"); // a leap second counts on its minute
        s = COMPACT_OFFSET.matcher(s).replaceFirst("$1:$2"); // +0000 as +00:00
        s = s.endsWith("z") ? s.substring(0, s.length() - 1) + "Z" : s;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e3) {
                    return null;
                }
            }
        }
    }

    /**
     * {@code yyyy-mm-ddThh:mm:ssZ}, what nearly every sender writes, read without the general parser (the better
     * part of a small report's cost); null for any other form or a value out of range, which the general path then
     * judges.
     */
    private static Instant plainUtc(String s) {
        if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
            return null;
        }
        int year = decimal(s, 0, 4);
        int month = decimal(s, 5, 7);
        int day = decimal(s, 8, 10);
        int hour = decimal(s, 11, 13);
        int minute = decimal(s, 14, 16);
        int second = decimal(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    }

    /** The decimal number {@code s[from, to)}, or -1 unless all of it is ASCII digits. */
    private static int decimal(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static String capture(JsonParser p) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.copyCurrentStructure(p);
        }
        String s = w.toString();
        return s.length() <= MAX_UNKNOWN_CHARS ? s : s.substring(0, MAX_UNKNOWN_CHARS) + "…";
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static ReportException invalid(String path, String reason) {
        return new ReportException(ReportException.Kind.INVALID, path.isEmpty() ? reason : path + ": " + reason);
    }
}
