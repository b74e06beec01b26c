package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §4: only {@code policies}, each policy's type and its two counts are required. What is refused says
 * which field and why, so a sender's postmaster (or we) can tell what went wrong.
 */
class ReportErrorsTest {
    private static final ReportException.Kind INVALID = ReportException.Kind.INVALID;

    static Stream<Arguments> refused() {
        return Stream.of(
                fixture("html.html", "not a TLS report: the content looks like HTML or XML"),
                fixture("policies-not-array.json", "policies: expected an array, got an object"),
                fixture("missing-policies.json", "policies: missing"),
                fixture("count-as-string.json",
                        "policies[0].summary.total-failure-session-count: expected a number, got a string"),
                fixture("policy-type-missing.json", "policies[0].policy.policy-type: missing"),
                fixture("truncated.json", "not valid JSON: the input ends inside the report (line 1, column 223)"),
                fixture("empty.json", "empty input"),
                // only text parts: nothing to count, and nothing to attribute
                fixture("email-no-report.eml",
                        "the e-mail has no report part (application/tlsrpt+gzip or +json, .json.gz or .json)"),
                // the format does not change the verdict
                Arguments.of("count-as-string.json, gzip'd", Fixtures.gzip(Fixtures.bytes("count-as-string.json")),
                        "policies[0].summary.total-failure-session-count: expected a number, got a string"),
                inline("an MTA-STS policy", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
                        "not a TLS report: neither JSON, gzip nor an e-mail message"),
                inline("a JSON array", "[]", "expected a JSON object, got an array"),
                inline("policies null", "{\"policies\":null}", "policies: expected an array, got null"),
                inline("a policy that is a string", "{\"policies\":[" + policy("0", "0") + ",\"sts\"]}",
                        "policies[1]: expected an object, got a string"),
                inline("policy not an object", "{\"policies\":[{\"policy\":\"sts\"}]}",
                        "policies[0].policy: expected an object, got a string"),
                inline("no policy", "{\"policies\":[{\"summary\":{}}]}", "policies[0].policy: missing"),
                inline("no summary", "{\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}}]}", "policies[0].summary: missing"),
                inline("a count missing", "{\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},"
                        + "\"summary\":{\"total-failure-session-count\":0}}]}",
                        "policies[0].summary.total-successful-session-count: missing"),
                inline("a null count", "{\"policies\":[" + policy("null", "0") + "]}",
                        "policies[0].summary.total-successful-session-count: missing (null)"),
                inline("a negative count", "{\"policies\":[" + policy("-1", "0") + "]}",
                        "policies[0].summary.total-successful-session-count: expected a whole number of sessions, 0 or more, got -1"),
                inline("a fractional count", "{\"policies\":[" + policy("0", "1.5") + "]}",
                        "policies[0].summary.total-failure-session-count: expected a whole number of sessions, 0 or more, got 1.5"),
                inline("two reports in one body", "{\"policies\":[]} {\"policies\":[]}", "unexpected data after the report object"),
                // in our words: no parser class names, no stretch of the input repeated
                inline("not JSON after the first brace", "{policies: " + "x".repeat(5000) + "}",
                        "not valid JSON: unexpected characters (line 1, column 2)"),
                inline("a string over the parser's limit", "{\"organization-name\":\"" + "x".repeat(1_100_000) + "\"}",
                        "beyond the limits for JSON here: strings up to 1 MB, numbers up to 40 digits, nesting up to 32 levels"),
                inline("a number over 40 digits", "{\"policies\":[" + policy("1" + "0".repeat(60), "0") + "]}",
                        "beyond the limits for JSON here: strings up to 1 MB, numbers up to 40 digits, nesting up to 32 levels"));
    }

    /** No count may claim more sessions than {@link Limits#MAX_SESSIONS}: sums of them then cannot overflow. */
    static Stream<Arguments> counts() {
        String over = "policies[0].summary.total-successful-session-count: 9223372036854775807 sessions is more than "
                + "any report can count (at most 1,000,000,000,000)";
        return Stream.of(
                inline("the largest long", "{\"policies\":[" + policy("9223372036854775807", "0") + "]}", over),
                inline("one over the bound", "{\"policies\":[" + policy("0", "1000000000001") + "]}",
                        "policies[0].summary.total-failure-session-count: 1000000000001 sessions is more than any report "
                                + "can count (at most 1,000,000,000,000)"),
                inline("beyond a long", "{\"policies\":[" + policy("123456789012345678901234567890", "0") + "]}",
                        "policies[0].summary.total-successful-session-count: 123456789012345678901234567890 sessions is "
                                + "more than any report can count (at most 1,000,000,000,000)"),
                inline("a failure detail", "{\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},\"summary\":"
                        + "{\"total-successful-session-count\":1,\"total-failure-session-count\":1},\"failure-details\":"
                        + "[{\"result-type\":\"a\",\"failed-session-count\":1},{\"result-type\":\"b\","
                        + "\"failed-session-count\":5000000000000}]}]}",
                        "policies[0].failure-details[1].failed-session-count: 5000000000000 sessions is more than any "
                                + "report can count (at most 1,000,000,000,000)"),
                inline("a failure detail written as a string", "{\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},"
                        + "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":1},"
                        + "\"failure-details\":[{\"result-type\":\"a\",\"failed-session-count\":\"99999999999999999999\"}]}]}",
                        "policies[0].failure-details[0].failed-session-count: 99999999999999999999 sessions is more than "
                                + "any report can count (at most 1,000,000,000,000)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void counts(String what, byte[] data, String message) {
        ReportException e = Fixtures.rejected(Limits.DEFAULT, data);
        assertEquals(INVALID, e.kind());
        assertEquals(message, e.getMessage());
    }

    private static Arguments fixture(String name, String message) {
        return Arguments.of(name, Fixtures.bytes(name), message);
    }

    private static Arguments inline(String what, String json, String message) {
        return Arguments.of(what, Fixtures.utf8(json), message);
    }

    private static String policy(String successful, String failed) {
        return "{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{\"total-successful-session-count\":" + successful
                + ",\"total-failure-session-count\":" + failed + "}}";
    }

    /** Every refusal here is INVALID (400): the input is not a usable report. A message ending in … is a prefix. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refused(String what, byte[] data, String message) {
        ReportException e = Fixtures.rejected(Limits.DEFAULT, data);
        assertEquals(INVALID, e.kind());
        if (message.endsWith("…")) {
            String prefix = message.substring(0, message.length() - 1);
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        } else {
            assertEquals(message, e.getMessage());
        }
    }
}
