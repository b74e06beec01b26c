package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A report's sessions per policy domain, as metrics and alerts count them (RFC 8460 §4.3). Entries of one policy
 * type add up. The same sessions may appear under sts and tlsa of one domain (Microsoft): a domain has as many
 * sessions as the larger, and as failed those either failed, never the sum. Sessions under no-policy-found are
 * other sessions, added to those (Google). Failure-detail counts are non-exclusive and kept as reported; a report
 * that names no domain is never dropped.
 */
class TotalsTest {

    static Stream<Arguments> totals() {
        return Stream.of(
                Arguments.of("microsoft.json", null, "example.com=25/2 {sts-policy-fetch-error=2}"),
                // 7 sessions: DANE failed them all, MTA-STS passed them all; not 7 ok and 7 failed
                Arguments.of("microsoft-dane-failing.json", null, "example.com=0/7 {tlsa-invalid=7}"),
                Arguments.of("stalwart.json", null, "example.net=4/0 {}; example.org=10/1 {certificate-host-mismatch=1}"),
                Arguments.of("postfix.json", null, TlsReport.UNATTRIBUTED + "=7/1 {}; example.com=20/0 {}"),
                Arguments.of("postfix.json", "sender!example.net!1763164800!1763251199.json.gz",
                        "example.com=20/0 {}; example.net=7/1 {}"),
                Arguments.of("mailru.json", null, "example.com=100/3 {certificate-expired=3, certificate-not-trusted=2}"),
                Arguments.of("typo-keys.json", null, "example.net=30/4 {dane-required=1, future-result-type=3}"),
                Arguments.of("google.json", null, "example.com=12/0 {}"),
                // one session before the policy was fetched, then 13 failures under two sts policies of the day
                Arguments.of("google-no-policy-and-two-sts.json", null, "example.com=1/13 {certificate-host-mismatch=13}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource
    void totals(String fixture, String fileName, String expected) throws ReportException {
        assertEquals(expected, Fixtures.describe(Fixtures.read(Fixtures.bytes(fixture), fileName).report().totalsByDomain()));
    }

    /** One domain, policies as {@code type ok failed}: the same sessions under two types, or more entries of one. */
    static Stream<Arguments> rule() {
        return Stream.of(
                Arguments.of("tlsa 0 7, sts 7 0", "0/7"),
                Arguments.of("tlsa 100 4, sts 100 4", "100/4"),
                Arguments.of("tlsa 90 10, sts 100 0", "90/10"),
                Arguments.of("tlsa 10 0, sts 5 5", "5/5"),
                Arguments.of("no-policy-found 500 0, sts 300 0", "800/0"),
                Arguments.of("no-policy-found 1 0, sts 0 6, sts 0 7", "1/13"),
                Arguments.of("no-policy-found 10 2, tlsa 0 7, sts 7 0", "10/9"),
                Arguments.of("No-Policy-Found 10 2, sts 5 0", "15/2"),
                Arguments.of("no-policy-found 3 1", "3/1"),
                Arguments.of("sts 10 1, sts 20 2", "30/3"),
                // each at the largest count a report may claim: the sum still fits
                Arguments.of("sts 1000000000000 0, sts 1000000000000 1000000000000", "2000000000000/1000000000000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void rule(String policies, String expected) {
        java.util.List<PolicyResult> list = new java.util.ArrayList<>();
        for (String p : policies.split(", ")) {
            String[] f = p.split(" ");
            list.add(new PolicyResult(f[0], java.util.List.of(), "example.com", java.util.List.of(), Long.parseLong(f[1]),
                    Long.parseLong(f[2]), java.util.List.of(), java.util.Map.of()));
        }
        TlsReport.DomainTotals t = new TlsReport("x", "1", null, null, null, list, null, java.util.Map.of())
                .totalsByDomain().get("example.com");
        assertEquals(expected, t.successful() + "/" + t.failed());
    }

    @org.junit.jupiter.api.Test
    void sumsNeverWrap() {
        assertEquals(Long.MAX_VALUE, TlsReport.plus(Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, TlsReport.plus(Long.MAX_VALUE - 1, 2));
        assertEquals(5, TlsReport.plus(2, 3));
    }
}
