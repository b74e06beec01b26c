package dev.mtasts.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8460 §4 as real senders write it: one fixture per quirk of the reference notes. Every one parses, and reads
 * as its sender meant it.
 */
class ReportSendersTest {

    /** Per policy: {@code type domain ok/failed details=n first: result-type xcount sending-ip -> mx receiving-ip}. */
    static Stream<Arguments> senders() {
        return Stream.of(
                Arguments.of("google.json", "Example Search Inc.", "2026-11-15T00:00:00Z_example.com",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("no-policy-found example.com 12/0 details=0")),
                // dates without a zone are UTC; the same sessions under tlsa and sts are kept as two policies
                Arguments.of("microsoft.json", "Example Soft Corporation", "133456789012345678+example.com",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("tlsa example.com 25/2 details=0",
                                "sts example.com 25/2 details=1 first: sts-policy-fetch-error x2 - -> - -")),
                // the end is the next day's midnight; the details add up to more than the total (non-exclusive)
                Arguments.of("mailru.json", "Example Mail LLC", "20261115.example.com@sender.example",
                        "2026-11-15T00:00:00Z", "2026-11-16T00:00:00Z",
                        List.of("sts example.com 100/3 details=2 first: certificate-expired x3 198.51.100.25 -> mx1.example.com 203.0.113.10")),
                Arguments.of("stalwart.json", "mail.example.net", "1794700800_7",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("sts example.org 10/1 details=1 first: certificate-host-mismatch x1 192.0.2.7 -> mx.example.org 203.0.113.25",
                                "no-policy-found example.net 4/0 details=0")),
                // no-policy-found without policy-domain: kept, unattributed (no file name given)
                Arguments.of("postfix.json", "Example Postfix Site", "2026-11-15T00:00:00Z_sender.example_0f3c",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("no-policy-found - 7/1 details=0", "sts example.com 20/0 details=0")),
                Arguments.of("rfc-appendix-b.json", "Company-Q", "7d3b2c1a-9e8f-4a6b-b5c4-d3e2f1a0b9c8",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("sts example.com 4100/206 details=2 first: starttls-not-supported x200 2001:db8:abcd:12::1 -> mx2.mail.example.com 203.0.113.56")),
                // receiving-mx-host-name is read as receiving-mx-hostname; an unknown result type is kept
                Arguments.of("typo-keys.json", "Example Hosting GmbH", "eh-2026-11-15-000042",
                        "2026-11-15T00:00:00Z", "2026-11-15T23:59:59Z",
                        List.of("sts example.net 30/4 details=2 first: future-result-type x3 192.0.2.44 -> mx.example.net 198.51.100.9")),
                // RFC 8460 leaves every field but policies, policy-type and the counts to the sender's care
                Arguments.of("optional-fields-empty.json", null, null, null, null, List.of("sts - 0/0 details=1 first: - x- - -> - -")),
                Arguments.of("hourly.json", "Example Relay Co", "hourly-2026111513-example.org",
                        "2026-11-15T13:00:00Z", "2026-11-15T14:00:00Z",
                        List.of("sts example.org 3/1 details=1 first: certificate-expired x1 203.0.113.77 -> mx.example.org 198.51.100.80")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void senders(String fixture, String organization, String reportId, String start, String end, List<String> policies)
            throws ReportException {
        TlsReport report = Fixtures.report(fixture);
        assertEquals(organization, report.organization());
        assertEquals(reportId, report.reportId());
        assertEquals(start == null ? null : Instant.parse(start), report.start());
        assertEquals(end == null ? null : Instant.parse(end), report.end());
        assertEquals(policies, report.policies().stream().map(Fixtures::describe).toList());
    }

    /** The rest of each quirk: what the sender wrote oddly, as the parser keeps it. */
    static Stream<Arguments> quirks() {
        return Stream.of(
                quirk("google.json", "mx-host as an array", r -> r.policies().get(0).mxHosts(),
                        List.of("mx1.example.com", "mx2.example.com")),
                quirk("google.json", "no policy-string for no-policy-found", r -> r.policies().get(0).policyStrings(), List.of()),
                quirk("microsoft.json", "tlsa policy-string: one JSON-encoded array, unwrapped",
                        r -> r.policies().get(0).policyStrings().stream().map(s -> s.substring(0, 8)).toList(),
                        List.of("3 1 1 8F", "3 1 1 0A")),
                quirk("microsoft.json", "sts policy-string as the RFC has it", r -> r.policies().get(1).policyStrings().get(1),
                        "mode: enforce"),
                quirk("microsoft.json", "no mx-host", r -> r.policies().get(1).mxHosts(), List.of()),
                quirk("microsoft.json", "fetch error: only result-type and count",
                        r -> r.policies().get(1).failures().get(0).receivingMxHostname(), null),
                quirk("mailru.json", "no policy-string or mx-host even for sts",
                        r -> r.policies().get(0).policyStrings().size() + r.policies().get(0).mxHosts().size(), 0),
                quirk("mailru.json", "free-text failure-reason-code", r -> r.policies().get(0).failures().get(1).failureReasonCode(),
                        "unable to get local issuer certificate"),
                quirk("mailru.json", "details sum (5) above the total (3), kept as reported",
                        r -> r.policies().get(0).failures().stream().mapToLong(FailureDetail::count).sum(), 5L),
                quirk("mailru.json", "counted on the day it starts, not the next", TlsReport::day, LocalDate.of(2026, 11, 15)),
                quirk("stalwart.json", "contact-info null", TlsReport::contactInfo, null),
                quirk("stalwart.json", "explicit nulls in a detail",
                        r -> r.policies().get(0).failures().get(0).receivingMxHelo(), null),
                quirk("stalwart.json", "empty arrays", r -> r.policies().get(1).mxHosts().size()
                        + r.policies().get(1).policyStrings().size() + r.policies().get(1).failures().size(), 0),
                quirk("rfc-appendix-b.json", "mx-host as a single string (erratum 6241)", r -> r.policies().get(0).mxHosts(),
                        List.of("*.mail.example.com")),
                quirk("rfc-appendix-b.json", "additional-information that is not a URI, kept verbatim",
                        r -> r.policies().get(0).failures().get(0).additionalInformation(),
                        "https://reports.sender.example/report_info ? id = 7d3b2c1a # StarttlsNotSupported"),
                quirk("typo-keys.json", "unknown top-level key kept with its JSON", r -> r.unknown().get("x-generator"),
                        "{\"name\":\"example-tlsrpt\",\"version\":\"0.9\"}"),
                quirk("typo-keys.json", "the misspelt key is understood, not kept as unknown",
                        r -> r.policies().get(0).failures().get(1).unknown(), java.util.Map.of()),
                quirk("hourly.json", "a range of one hour", r -> Duration.between(r.start(), r.end()), Duration.ofHours(1)));
    }

    private static Arguments quirk(String fixture, String what, Function<TlsReport, Object> get, Object expected) {
        return Arguments.of(fixture, what, get, expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource
    void quirks(String fixture, String what, Function<TlsReport, Object> get, Object expected) throws ReportException {
        assertEquals(expected, get.apply(Fixtures.report(fixture)));
    }
}
