package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Inputs at the edges of RFC 3339, RFC 8460's counting and the parser's limits. */
class ReportEdgesTest {
    static Stream<Arguments> dates() {
        return Stream.of(
                Arguments.of("2026-11-22T00:00:00Z", "2026-11-22T00:00:00Z"),
                Arguments.of("2026-11-22 00:00:00Z", "2026-11-22T00:00:00Z"), // RFC 3339 §5.6 allows a space
                Arguments.of("2026-11-22t00:00:00z", "2026-11-22T00:00:00Z"),
                Arguments.of("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"), // a leap second
                Arguments.of("2026-11-22T00:00:00+0000", "2026-11-22T00:00:00Z"),
                Arguments.of("2026-11-22T02:00:00+02:00", "2026-11-22T00:00:00Z"),
                Arguments.of("2026-11-22T00:00:00", "2026-11-22T00:00:00Z"), // no zone: UTC
                Arguments.of("2026-11-22", "2026-11-22T00:00:00Z"),
                Arguments.of("yesterday", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void dates(String text, String expected) {
        assertEquals(expected == null ? null : Instant.parse(expected), ReportJson.instant(text));
    }

    static TlsReport read(String json) throws ReportException {
        return new ReportReader(Limits.DEFAULT).read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                null).report();
    }

    static String policy(String type, long ok, long failed) {
        return "{\"policy\":{\"policy-type\":\"" + type + "\",\"policy-domain\":\"example.com\"},\"summary\":"
                + "{\"total-successful-session-count\":" + ok + ",\"total-failure-session-count\":" + failed + "}}";
    }

    static Stream<Arguments> totals() {
        return Stream.of(
                Arguments.of("one sts policy", policy("sts", 5, 1), 5, 1),
                Arguments.of("a policy that changed during the day: added", policy("sts", 5, 1) + "," + policy("sts", 7, 0), 12, 1),
                Arguments.of("the same sessions as tlsa and sts: not added", policy("tlsa", 9, 2) + "," + policy("sts", 9, 2), 9, 2),
                Arguments.of("both at once", policy("sts", 5, 1) + "," + policy("sts", 7, 0) + "," + policy("tlsa", 10, 1), 12, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void totals(String name, String policies, long ok, long failed) throws ReportException {
        TlsReport.DomainTotals t = read("{\"policies\":[" + policies + "]}").totalsByDomain().get("example.com");
        assertEquals(ok, t.successful());
        assertEquals(failed, t.failed());
    }

    @Test
    void aFailureCountWrittenAsAStringIsCounted() throws ReportException {
        TlsReport r = read("{\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
                + "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":3},"
                + "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"failed-session-count\":\"3\"}]}]}");
        assertEquals(3L, r.policies().get(0).failures().get(0).failedSessionCount());
    }

    @Test
    void aTopLevelArrayIsNamedAsSuch() {
        ReportException e = assertThrows(ReportException.class, () -> read("[{\"policies\":[]}]"));
        assertEquals("expected a JSON object, got an array", e.getMessage());
    }

    @Test
    void anMboxFileIsReadAsTheMessageItHolds() throws ReportException {
        String mbox = "From noreply@sender.example Mon Nov 23 10:00:00 2026\n"
                + "From: noreply@sender.example\nContent-Type: application/tlsrpt+json\n\n"
                + "{\"policies\":[" + policy("sts", 4, 0) + "]}\n";
        assertEquals(4, read(mbox).totalsByDomain().get("example.com").successful());
    }

    @Test
    void nestingBeyondTheLimitIsInvalidNotACrash() {
        String deep = "{\"policies\":[],\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        ReportException e = assertThrows(ReportException.class, () -> read(deep));
        assertEquals(ReportException.Kind.INVALID, e.kind());
    }

    @Test
    void aStringBeyondTheLimitIsInvalidNotACrash() {
        String big = "{\"policies\":[],\"x\":\"" + "a".repeat((1 << 20) + 10) + "\"}";
        ReportException e = assertThrows(ReportException.class, () -> read(big));
        assertEquals(ReportException.Kind.INVALID, e.kind());
    }

    @Test
    void aRawLineBreakInAStringIsRead() throws ReportException {
        TlsReport r = read("{\"organization-name\":\"Company-X\",\"policies\":[" + policy("sts", 1, 0) + "],"
                + "\"contact-info\":\"sts-reporting@company-\nx.example\"}");
        assertEquals("sts-reporting@company-\nx.example", r.contactInfo());
    }
}
