package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A report's sessions per policy domain, as metrics and alerts count them. The same sessions may appear under
 * several policies of one domain (Microsoft: tlsa and sts), so a domain takes the largest figure, not the sum;
 * failure-detail counts are non-exclusive and kept as reported; a report that names no domain is never dropped.
 */
class TotalsTest {

    static Stream<Arguments> totals() {
        return Stream.of(
                Arguments.of("microsoft.json", null, "example.com=25/2 {sts-policy-fetch-error=2}"),
                Arguments.of("stalwart.json", null, "example.net=4/0 {}; example.org=10/1 {certificate-host-mismatch=1}"),
                Arguments.of("postfix.json", null, TlsReport.UNATTRIBUTED + "=7/1 {}; example.com=20/0 {}"),
                Arguments.of("postfix.json", "sender!example.net!1763164800!1763251199.json.gz",
                        "example.com=20/0 {}; example.net=7/1 {}"),
                Arguments.of("mailru.json", null, "example.com=100/3 {certificate-expired=3, certificate-not-trusted=2}"),
                Arguments.of("typo-keys.json", null, "example.net=30/4 {dane-required=1, future-result-type=3}"),
                Arguments.of("google.json", null, "example.com=12/0 {}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource
    void totals(String fixture, String fileName, String expected) throws ReportException {
        assertEquals(expected, Fixtures.describe(Fixtures.read(Fixtures.bytes(fixture), fileName).report().totalsByDomain()));
    }
}
